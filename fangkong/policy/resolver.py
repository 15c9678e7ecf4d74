"""Which pack is in force for a unit on a day: the plan assignments read against the unit tree."""

from __future__ import annotations

import datetime as dt
import time

from django.db.models import Q

from fangkong.core import clock
from fangkong.org.models import Unit
from fangkong.policy.models import PlanAssignment
from fangkong.policy.packs import Pack, packs_all

RESOLVER_TTL = 30.0
_resolvers: dict[dt.date, tuple[float, PackResolver]] = {}


class PackResolver:
    """The pack in force for a unit on a day: the deepest assignment on the unit's path wins."""

    def __init__(self, on: dt.date) -> None:
        self.on = on
        rows = PlanAssignment.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on
        ).values_list("unit__path", "pack_id", "start_date", "id")
        latest: dict[str, tuple[dt.date, int, str]] = {}
        for path, pack_id, start, pk in rows:
            if path not in latest or (start, pk) > latest[path][:2]:
                latest[path] = (start, pk, pack_id)
        packs = packs_all()
        self._by_path = {path: packs.get(v[2]) for path, v in latest.items()}
        self._since = {path: v[0] for path, v in latest.items()}
        self._cache: dict[str, str | None] = {}

    @classmethod
    def of_day(cls, on: dt.date) -> PackResolver:
        """A resolver shared for up to RESOLVER_TTL seconds by the busy paths (every check-in
        asks it): plan assignments change seldom, and a change takes effect within that time."""
        now = time.monotonic()
        cached = _resolvers.get(on)
        if cached is None or now - cached[0] > RESOLVER_TTL:
            cached = (now, cls(on))
            _resolvers.clear()
            _resolvers[on] = cached
        return cached[1]

    @staticmethod
    def forget() -> None:
        """Drop the shared resolvers of this process (a plan was just assigned here)."""
        _resolvers.clear()

    @property
    def packs(self) -> list[Pack]:
        """The packs in force somewhere on that day."""
        return [pack for pack in self._by_path.values() if pack is not None]

    def pack(self, unit_path: str) -> Pack | None:
        assigned = self._assigned_at(unit_path)
        return None if assigned is None else self._by_path[assigned]

    def in_force_since(self, unit_path: str) -> dt.date | None:
        """The first day of the assignment that puts the unit's pack in force."""
        assigned = self._assigned_at(unit_path)
        return None if assigned is None else self._since[assigned]

    def _assigned_at(self, unit_path: str) -> str | None:
        """The path of the deepest unit up the tree with a plan in force."""
        if unit_path not in self._cache:
            parts = unit_path.strip("/").split("/")
            found: str | None = None
            for depth in range(len(parts), 0, -1):
                candidate = "/" + "/".join(parts[:depth]) + "/"
                if candidate in self._by_path:
                    found = candidate
                    break
            self._cache[unit_path] = found
        return self._cache[unit_path]


def pack_in_force(unit: Unit, on: dt.date | None = None) -> Pack | None:
    return PackResolver(on or clock.localdate()).pack(unit.path)

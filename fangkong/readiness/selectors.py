"""Reads of the duty roster, scoped by ``org.access``: who is on duty now, which units the plan in
force wants on duty round the clock and have nobody now, and the gaps of a unit's next days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet

from fangkong.core import clock
from fangkong.org.access import AnyUser, any_role_scope
from fangkong.org.models import Unit
from fangkong.policy.packs import Roster
from fangkong.policy.resolver import PackResolver
from fangkong.readiness.models import Shift

# The days ahead whose gaps a unit's roster shows; the units listed as uncovered at most.
AHEAD_DAYS = 7
UNCOVERED_SHOWN = 50

Interval = tuple[dt.datetime, dt.datetime]


def shifts_visible(user: AnyUser) -> QuerySet[Shift]:
    """The shifts of the units the user holds any role in (and of those below)."""
    return (
        Shift.objects.filter(any_role_scope(user).units("unit__path"))
        .select_related("unit")
        .order_by("starts_at", "id")
    )


def on_duty(user: AnyUser, at: dt.datetime) -> QuerySet[Shift]:
    """Who is on duty at ``at`` in the user's units: the leaders first, by unit."""
    return (
        shifts_visible(user)
        .filter(starts_at__lte=at, ends_at__gt=at)
        .order_by("unit__path", "-leader", "starts_at")
    )


def roster_required(unit: Unit, resolver: PackResolver) -> tuple[str, Roster] | None:
    """The plan (its id) and its roster rule when the plan in force asks this unit for one."""
    pack = resolver.pack(unit.path)
    if pack is None or pack.roster is None or unit.kind not in pack.roster.unit_kinds:
        return None
    return pack.id, pack.roster


@dataclass
class Uncovered:
    units: list[Unit] = field(default_factory=list)
    total: int = 0


def uncovered_now(user: AnyUser, at: dt.datetime) -> Uncovered:
    """The units of the user's whose plan asks for duty round the clock and that have nobody on
    duty at ``at``: one query, the plan read in memory (at most UNCOVERED_SHOWN listed)."""
    resolver = PackResolver.of_day(at.astimezone(clock.tz()).date())
    kinds = {k for pack in resolver.packs if pack.roster for k in pack.roster.unit_kinds}
    answer = Uncovered()
    if not kinds:
        return answer
    now_on = Shift.objects.filter(unit_id=OuterRef("pk"), starts_at__lte=at, ends_at__gt=at)
    candidates = (
        Unit.objects.filter(any_role_scope(user).units(), kind__in=kinds)
        .exclude(Exists(now_on))
        .order_by("path")
    )
    for unit in candidates.iterator():
        if roster_required(unit, resolver) is None:
            continue
        answer.total += 1
        if len(answer.units) < UNCOVERED_SHOWN:
            answer.units.append(unit)
    return answer


def gaps(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """The stretches of [start, end) that no interval covers."""
    found: list[Interval] = []
    reached = start
    for begin, finish in sorted(intervals):
        if begin > reached:
            found.append((reached, min(begin, end)))
        reached = max(reached, finish)
        if reached >= end:
            break
    if reached < end:
        found.append((reached, end))
    return [(a, b) for a, b in found if a < b]


@dataclass
class Coverage:
    """A unit's next AHEAD_DAYS days against its plan's roster rule."""

    pack_id: str
    rule: Roster
    start: dt.datetime
    end: dt.datetime
    gaps: list[Interval]
    leader_gaps: list[Interval]


def coverage(unit: Unit, at: dt.datetime) -> Coverage | None:
    """The gaps of the unit's roster from ``at`` for AHEAD_DAYS days, or None when no plan in
    force asks the unit for a roster."""
    required = roster_required(unit, PackResolver.of_day(at.astimezone(clock.tz()).date()))
    if required is None:
        return None
    pack_id, rule = required
    end = at + dt.timedelta(days=AHEAD_DAYS)
    rows = list(
        Shift.objects.filter(unit=unit, starts_at__lt=end, ends_at__gt=at).values_list(
            "starts_at", "ends_at", "leader"
        )
    )
    return Coverage(
        pack_id=pack_id,
        rule=rule,
        start=at,
        end=end,
        gaps=gaps(((a, b) for a, b, _leader in rows), at, end),
        leader_gaps=gaps(((a, b) for a, b, leader in rows if leader), at, end)
        if rule.leader
        else [],
    )

"""Reads of testing: a person's results (own tubes and individual results), a round's coverage
by unit, a tube with its members and results."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from fangkong.core.lookups import Ids
from fangkong.labs.models import LabResult, Outcome, Sample, ScreeningRound, Tube, TubeKind
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.org.selectors import AnyUser, scope_q, user_scope_paths
from fangkong.people.models import Person


def person_results(ids: Iterable[int]) -> dict[int, list[tuple[dt.datetime, bool]]]:
    """Each person's results as (sampled at, positive): individual results, the result of every
    single tube the person was sampled into, and the negatives of pools (a positive pool is no
    one's result until the re-tests)."""
    people = Ids(ids)
    found: dict[int, list[tuple[dt.datetime, bool]]] = defaultdict(list)
    for person_id, sampled_at, positive in LabResult.objects.filter(
        person_id__any=people
    ).values_list("person_id", "sampled_at", "positive"):
        found[person_id].append((sampled_at, positive))
    for person_id, sampled_at, outcome, kind, size in (
        Sample.objects.filter(
            person_id__any=people,
            tube__results__conflict=False,
            tube__results__outcome__in=[Outcome.NEGATIVE, Outcome.POSITIVE],
        )
        .annotate(size=Count("tube__samples"))
        .values_list("person_id", "sampled_at", "tube__results__outcome", "tube__kind", "size")
    ):
        pooled = kind in (TubeKind.POOL, TubeKind.HOUSEHOLD) and size > 1
        if outcome == Outcome.NEGATIVE or not pooled:
            found[person_id].append((sampled_at, outcome == Outcome.POSITIVE))
    return found


@dataclass(frozen=True)
class CoverageRow:
    unit: Unit
    registered: int
    sampled: int

    @property
    def missing(self) -> int:
        return self.registered - self.sampled

    @property
    def percent(self) -> float:
        return 100.0 * self.sampled / self.registered if self.registered else 100.0


def round_coverage(screening: ScreeningRound, parent: Unit | None = None) -> list[CoverageRow]:
    """Registered and sampled people under each child unit of ``parent`` (the round's area by
    default), so grid workers see where people are missing and drill down."""
    parent = parent or screening.unit
    children = list(Unit.objects.filter(parent=parent).order_by("code"))
    rows = []
    for child in [parent, *children]:
        own = child is parent
        people = (
            Person.objects.filter(unit=child)
            if own
            else Person.objects.filter(unit__path__startswith=child.path)
        )
        registered = people.count()
        if not registered:
            continue
        sampled = Sample.objects.filter(round=screening, person__in=people).count()
        rows.append(CoverageRow(child, registered, sampled))
    return rows


def round_missing(screening: ScreeningRound, unit: Unit, limit: int = 500) -> QuerySet[Person]:
    """The people of a unit (its own register) not sampled in the round yet: the grid worker's
    list to chase."""
    return (
        Person.objects.filter(unit=unit)
        .exclude(pk__in=Sample.objects.filter(round=screening).values("person_id"))
        .order_by("name", "id")[:limit]
    )


def tubes_visible(user: AnyUser) -> QuerySet[Tube]:
    """Tubes sampled in the user's units, or sent to the user's lab."""
    return Tube.objects.filter(
        scope_q(user, Capability.VIEW_PEOPLE, "unit__path")
        | scope_q(user, Capability.RUN_LAB, "lab__path")
    ).distinct()


def rounds_visible(user: AnyUser) -> QuerySet[ScreeningRound]:
    """Rounds over the user's units (a village samples for its township's round), inside them,
    or tested in the user's lab."""
    q = scope_q(user, Capability.RUN_LAB, "lab__path")
    for capability in (Capability.VIEW_PEOPLE, Capability.SAMPLE):
        paths = user_scope_paths(user, capability)
        if paths is None:
            return ScreeningRound.objects.select_related("unit", "lab")
        for path in paths:
            parts = path.strip("/").split("/")
            above = ["/" + "/".join(parts[:depth]) + "/" for depth in range(1, len(parts) + 1)]
            q |= Q(unit__path__in=above) | Q(unit__path__startswith=path)
    return ScreeningRound.objects.filter(q).select_related("unit", "lab")

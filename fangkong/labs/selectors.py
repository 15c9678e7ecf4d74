"""Reads of testing: a person's results (own tubes and individual results), a round's coverage
by unit, a tube with its members and results."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core.lookups import Ids
from fangkong.labs.models import (
    LabResult,
    Outcome,
    Sample,
    ScreeningRound,
    Tube,
    TubeKind,
    TubeResult,
)
from fangkong.org.access import AnyUser, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.people.timeline import Entry, before_filter, timeline_reader
from fangkong.tracing.models import Case


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


def round_coverage(
    screening: ScreeningRound, user: AnyUser, parent: Unit | None = None
) -> list[CoverageRow]:
    """Registered and sampled people under each child unit of ``parent`` (the round's area by
    default), so grid workers see where people are missing and drill down. Only the people of
    the viewer's register are counted; a viewer without a register (a lab) sees one row of the
    round's totals."""
    register = scope(user, Capability.VIEW_PEOPLE)
    if register.nowhere:
        people = Person.objects.filter(unit__path__startswith=screening.unit.path)
        sampled = Sample.objects.filter(round=screening, person__in=people).count()
        return [CoverageRow(screening.unit, people.count(), sampled)]
    parent = parent or screening.unit
    children = {unit.path: unit for unit in Unit.objects.filter(parent=parent).order_by("code")}
    people = Person.objects.filter(register.units("unit__path"), unit__path__startswith=parent.path)
    people_in: dict[str, int] = defaultdict(int)
    samples_in: dict[str, int] = defaultdict(int)
    # Counted by home unit in two grouped reads, then added up under each child of ``parent``
    # (the first step of the path below it), whatever the number of children.
    for counts, rows in (
        (people_in, people.values_list("unit__path").annotate(n=Count("id"))),
        (
            samples_in,
            Sample.objects.filter(round=screening, person__in=people)
            .values_list("person__unit__path")
            .annotate(n=Count("id")),
        ),
    ):
        for path, count in rows:
            below = path[len(parent.path) :].split("/", 1)[0]
            counts[parent.path + below + "/" if below else parent.path] += count
    return [
        CoverageRow(unit, people_in[unit.path], samples_in[unit.path])
        for unit in [parent, *children.values()]
        if people_in[unit.path]
    ]


def round_missing(
    screening: ScreeningRound, unit: Unit, user: AnyUser, limit: int = 500
) -> QuerySet[Person]:
    """The people of a unit (its own register) not sampled in the round yet: the grid worker's
    list to chase, of the people in the viewer's register only."""
    return round_unsampled(screening, user, Capability.VIEW_PEOPLE).filter(unit=unit)[:limit]


def round_unsampled(
    screening: ScreeningRound, user: AnyUser, capability: Capability
) -> QuerySet[Person]:
    """The people whose home unit lies in the user's scope for ``capability`` and who are not
    sampled in the round yet, by name."""
    return (
        Person.objects.filter(scope(user, capability).units("unit__path"))
        .exclude(pk__in=Sample.objects.filter(round=screening).values("person_id"))
        .order_by("name", "id")
    )


def round_positives_uncased(screening: ScreeningRound, user: AnyUser) -> QuerySet[Sample]:
    """The samples of the round's single tubes with an accepted positive result (the re-tests
    that name their person) whose person the user may investigate and has no case in course: the
    list the county confirms at once, by tube."""
    positive = Tube.objects.filter(
        round=screening,
        kind=TubeKind.SINGLE,
        results__outcome=Outcome.POSITIVE,
        results__conflict=False,
    )
    return (
        Sample.objects.filter(scope(user, Capability.INVESTIGATE).people("person__"))
        .filter(tube__in=positive)
        .exclude(person__in=Case.objects.in_course().values("person_id"))
        .select_related("person", "tube")
        .order_by("tube__barcode", "id")
    )


def tubes_visible(user: AnyUser) -> QuerySet[Tube]:
    """Tubes sampled in the user's units, or sent to the user's lab."""
    return Tube.objects.filter(
        scope(user, Capability.VIEW_PEOPLE).units("unit__path")
        | scope(user, Capability.RUN_LAB).units("lab__path")
    ).distinct()


def rounds_with_sampled(user: AnyUser) -> QuerySet[ScreeningRound]:
    """The rounds the user sees, each with its number of samples (``sampled``), counted on the
    samples' own round (its unique index), not through the tubes."""
    sampled = (
        Sample.objects.filter(round=OuterRef("pk"))
        .order_by()
        .values("round")
        .annotate(n=Count("*"))
        .values("n")
    )
    return rounds_visible(user).annotate(sampled=Coalesce(Subquery(sampled), 0))


def tubes_with_result(user: AnyUser) -> QuerySet[Tube]:
    """The tubes the user sees, each with its number of people (``people``) and its accepted
    result (``outcome``, ``ct``, ``tested_at``, ``tested_by``; none while untested)."""
    accepted = TubeResult.objects.filter(tube=OuterRef("pk"), conflict=False).order_by(
        "recorded_at", "id"
    )
    people = (
        Sample.objects.filter(tube=OuterRef("pk")).order_by().values("tube").annotate(n=Count("*"))
    )
    return tubes_visible(user).annotate(
        people=Coalesce(Subquery(people.values("n")), 0),
        outcome=Subquery(accepted.values("outcome")[:1]),
        ct=Subquery(accepted.values("ct")[:1]),
        tested_at=Subquery(accepted.values("tested_at")[:1]),
        tested_by=Subquery(accepted.values("lab__name")[:1]),
    )


def rounds_visible(user: AnyUser) -> QuerySet[ScreeningRound]:
    """Rounds over the user's units (a village samples for its township's round), inside them,
    or tested in the user's lab."""
    return ScreeningRound.objects.filter(
        scope(user, Capability.RUN_LAB).units("lab__path")
        | scope(user, Capability.VIEW_PEOPLE).units_and_above("unit__path")
        | scope(user, Capability.SAMPLE).units_and_above("unit__path")
    ).select_related("unit", "lab")


# --- the person's file (people/timeline.py) -------------------------------------------------


@timeline_reader
def _samples(
    person: Person, viewer: AnyUser, before: dt.datetime | None, limit: int
) -> list[Entry]:
    """Each tube the person was sampled into, with the tube's accepted result: a positive pool
    is a re-test for each of its people, not the person's positive result."""
    accepted = TubeResult.objects.filter(tube=OuterRef("tube"), conflict=False)
    rows = (
        Sample.objects.filter(person=person)
        .filter(before_filter("sampled_at", before))
        .annotate(outcome=Subquery(accepted.values("outcome")[:1]))
        .select_related("tube")
        .order_by("-sampled_at", "-id")[:limit]
    )
    entries = []
    for sample in rows:
        outcome = getattr(sample, "outcome", None)
        pooled = sample.tube.kind in (TubeKind.POOL, TubeKind.HOUSEHOLD)
        if outcome is None:
            result: str = _("result awaited")
        elif outcome == Outcome.POSITIVE and pooled:
            result = _("pool positive: single re-test")
        else:
            result = str(Outcome(outcome).label)
        entries.append(
            Entry(
                sample.sampled_at,
                "sample",
                _("Tube %(barcode)s (%(kind)s): %(result)s")
                % {
                    "barcode": sample.tube.barcode,
                    "kind": sample.tube.get_kind_display(),
                    "result": result,
                },
                reverse("tube", args=[sample.tube.barcode]),
                alert=outcome == Outcome.POSITIVE,
            )
        )
    return entries


@timeline_reader
def _results(
    person: Person, viewer: AnyUser, before: dt.datetime | None, limit: int
) -> list[Entry]:
    """Results recorded for the person alone (a hospital's, a single test's)."""
    rows = LabResult.objects.filter(person=person).filter(before_filter("sampled_at", before))
    return [
        Entry(
            result.sampled_at,
            "result",
            (_("positive") if result.positive else _("negative"))
            + (f" · {result.source}" if result.source else ""),
            reverse("person-detail", args=[person.pk]) + "#timeline",
            alert=result.positive,
        )
        for result in rows.order_by("-sampled_at", "-id")[:limit]
    ]

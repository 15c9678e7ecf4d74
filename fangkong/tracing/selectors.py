"""Reads of contact tracing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import clock
from fangkong.core.lookups import Ids
from fangkong.obligations.models import Obligation, ObligationKind
from fangkong.org.access import AnyUser, scope
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.people.timeline import Entry, before_filter, timeline_reader
from fangkong.policy.facts import ExposureFact
from fangkong.tracing.models import Case, Exposure, Investigation, Outbreak


def exposures_latest(ids: Iterable[int]) -> dict[int, ExposureFact]:
    """Each person's latest exposure (the one the contact rules count from), one query."""
    latest: dict[int, ExposureFact] = {}
    for person_id, kind, last_at, identified_at, via_id in (
        Exposure.objects.filter(person_id__any=Ids(ids))
        .order_by("person_id", "-last_exposed_at", "-id")
        .values_list("person_id", "kind", "last_exposed_at", "identified_at", "via_id")
    ):
        latest.setdefault(person_id, ExposureFact(kind, last_at, identified_at, via_id))
    return latest


@timeline_reader
def _exposures(
    person: Person, viewer: AnyUser, before: dt.datetime | None, limit: int
) -> list[Entry]:
    """The person's exposures; the case or contact they came through is named only to a viewer
    who may see that person too."""
    rows = (
        Exposure.objects.filter(person=person)
        .filter(before_filter("last_exposed_at", before))
        .select_related("via__unit")
        .order_by("-last_exposed_at", "-id")[:limit]
    )
    visible = scope(viewer, Capability.VIEW_PEOPLE)
    entries = []
    for exposure in rows:
        via = exposure.via if exposure.via and visible.covers_person(exposure.via) else None
        entries.append(
            Entry(
                exposure.last_exposed_at,
                "exposure",
                exposure.get_kind_display()
                + (_(" of %(name)s") % {"name": via.name} if via else "")
                + (f" · {exposure.note}" if exposure.note else ""),
                reverse("person-detail", args=[via.pk]) if via else "",
                alert=True,
            )
        )
    return entries


def cases_visible(user: AnyUser) -> QuerySet[Case]:
    """The cases of the people the user may see, newest first."""
    return (
        Case.objects.filter(scope(user, Capability.VIEW_PEOPLE).people("person__"))
        .select_related("person", "unit")
        .order_by("-reported_at", "-id")
    )


def outbreaks_visible(user: AnyUser) -> QuerySet[Outbreak]:
    """The outbreaks counted in the user's units, newest first, with their number of cases."""
    return (
        Outbreak.objects.filter(scope(user, Capability.VIEW_PEOPLE).units("unit__path"))
        .select_related("unit")
        .annotate(case_count=Count("cases"))
        .order_by("-declared_at", "-id")
    )


def outbreak_candidates(user: AnyUser, limit: int) -> QuerySet[Case]:
    """Cases in course the user may group into an outbreak: in the user's units, in none yet."""
    return (
        Case.objects.filter(scope(user, Capability.INVESTIGATE).units("unit__path"))
        .in_course()
        .filter(outbreak__isnull=True)
        .select_related("person", "unit")
        .order_by("-reported_at", "-id")[:limit]
    )


def investigation_contacts(user: AnyUser, investigation: Investigation) -> QuerySet[Exposure]:
    """The contacts of the investigation the user may see, newest exposure first."""
    return (
        investigation.contacts.filter(scope(user, Capability.VIEW_PEOPLE).people("person__"))
        .select_related("person__unit", "via")
        .order_by("-last_exposed_at", "-id")
    )


# The deadline kinds whose meeting is the case's report up the line (报告, 直报, 书面报告).
REPORT_KINDS = [
    ObligationKind.REPORT,
    ObligationKind.DIRECT_REPORT,
    ObligationKind.ORAL_REPORT,
    ObligationKind.WRITTEN_REPORT,
]
# The deadline kinds, of the case or of its outbreak, that mark a later step, by that step.
FOLLOWED_KINDS = {
    ObligationKind.INVESTIGATION: "investigated",
    ObligationKind.TRANSFER: "transferred",
}
# The steps of a case's response (四早) as its records show them, and the intervals the board
# measures: (name, Chinese label, from step, to step). The onset is the investigation's onset
# date (a day: counted from its midnight).
STEP_INTERVALS = [
    ("onset", gettext_lazy("Onset → report"), "onset", "reported"),
    ("reported_up", gettext_lazy("Report → reported up"), "reported", "reported_up"),
    (
        "investigated",
        gettext_lazy("Reported up → investigation determined"),
        "reported_up",
        "investigated",
    ),
    (
        "contacts",
        gettext_lazy("Investigation → first contact identified"),
        "investigated",
        "contacts",
    ),
    ("transferred", gettext_lazy("Report → transferred"), "reported", "transferred"),
    (
        "placed",
        gettext_lazy("First contact identified → contacts placed"),
        "contacts",
        "placed",
    ),
]
# The cases one period's table of steps reads, newest first.
CASE_STEPS_MAX = 500


@dataclass
class CaseSteps:
    """When each step of a case's response happened (None: not yet, or not recorded): onset
    (the investigation's onset date), reported, reported up (its report deadline met),
    investigated and transferred (its own or its outbreak's deadline met), its first contact
    identified, and its close contacts placed (the last of them put in a room at a site or
    under home quarantine; quarantine, above tracing, reads it: ``quarantine.selectors.
    case_steps_placed``)."""

    case: Case
    reported: dt.datetime
    onset: dt.datetime | None = None
    reported_up: dt.datetime | None = None
    investigated: dt.datetime | None = None
    transferred: dt.datetime | None = None
    contacts: dt.datetime | None = None
    placed: dt.datetime | None = None

    @property
    def intervals(self) -> list[dt.timedelta | None]:
        """The time of each of STEP_INTERVALS, None where a step is missing."""
        spans: list[dt.timedelta | None] = []
        for _name, _label, begin, end in STEP_INTERVALS:
            started, ended = getattr(self, begin), getattr(self, end)
            spans.append(ended - started if started is not None and ended is not None else None)
        return spans

    @property
    def labelled(self) -> list[tuple[str, dt.timedelta | None]]:
        """(Chinese label, time) of each of STEP_INTERVALS, for pages."""
        return interval_labels(self.intervals)


def interval_labels(
    spans: list[dt.timedelta | None],
) -> list[tuple[str, dt.timedelta | None]]:
    """Spans, one for each of STEP_INTERVALS, with their Chinese labels."""
    return [
        (str(label), span) for (_n, label, _b, _e), span in zip(STEP_INTERVALS, spans, strict=True)
    ]


def case_steps(cases: list[Case]) -> list[CaseSteps]:
    """The steps of these cases from their investigations' onset dates, the deadlines they and
    their outbreaks opened and the contacts found through them: three queries, whatever the
    number of cases. The contacts placed are quarantine's to read (``case_steps_placed``)."""
    steps = {case.pk: CaseSteps(case, case.reported_at) for case in cases}
    outbreaks: dict[int, list[int]] = defaultdict(list)
    for case in cases:
        if case.outbreak_id is not None:
            outbreaks[case.outbreak_id].append(case.pk)
    met = (
        Obligation.objects.met()
        .filter(
            Q(detail__case__in=list(steps), kind__in=[*REPORT_KINDS, *FOLLOWED_KINDS])
            | Q(detail__outbreak__in=list(outbreaks), kind__in=FOLLOWED_KINDS)
        )
        .values_list("kind", "detail__case", "detail__outbreak")
        .annotate(first=Min("met_at"))
        .order_by()
    )
    for kind, case_id, outbreak_id, first in met:
        of = [case_id] if case_id in steps else outbreaks.get(outbreak_id, [])
        for found in (steps[pk] for pk in of):
            name = FOLLOWED_KINDS.get(kind, "reported_up")
            earlier = getattr(found, name)
            setattr(found, name, first if earlier is None else min(earlier, first))
    for investigation in Investigation.objects.filter(
        case_id__in=list(steps), onset_date__isnull=False
    ).only("case_id", "onset_date"):
        if investigation.onset_date is not None:
            steps[investigation.case_id].onset = clock.local_midnight(investigation.onset_date)
    by_person = {case.person_id: steps[case.pk] for case in cases}
    for via_id, first in (
        Exposure.objects.filter(via_id__in=list(by_person))
        .values_list("via_id")
        .annotate(first=Min("identified_at"))
        .order_by()
    ):
        by_person[via_id].contacts = first
    return list(steps.values())


def median(spans: Iterable[dt.timedelta | None]) -> dt.timedelta | None:
    """The median of the spans present, None if none is."""
    present = sorted(span for span in spans if span is not None)
    if not present:
        return None
    middle = len(present) // 2
    if len(present) % 2:
        return present[middle]
    return (present[middle - 1] + present[middle]) / 2

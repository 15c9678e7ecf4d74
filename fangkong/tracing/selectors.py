"""Reads of contact tracing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core.lookups import Ids
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
        .select_related("person__unit")
        .order_by("-last_exposed_at", "-id")
    )

"""Reads of daily monitoring, scoped through ``org.access``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.monitoring.models import (
    SYMPTOMS,
    Absence,
    AbsenceStatus,
    Checkin,
    CheckinStatus,
    FeverEvent,
    UnitReport,
)
from fangkong.obligations.models import Obligation
from fangkong.org.access import AnyUser, Scope, scope, units_in
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.people.timeline import Entry, before_filter, day_start, timeline_reader
from fangkong.policy.models import Measure, MeasureStatus
from fangkong.policy.resolver import PackResolver
from fangkong.tracing.models import Exposure

FIGURES = ("expected", "checked_in", "missing", "fevers", "absences", "quarantined", "new_contacts")


def unit_people(unit: Unit) -> QuerySet[Person]:
    """The people a unit watches over: home unit, or a class / department tie, in its subtree."""
    return Person.objects.filter(Scope((unit.path,)).people())


def checkins_of_day(people: QuerySet[Person] | list[int], day: dt.date) -> QuerySet[Checkin]:
    """The day's check-ins of these people, wherever taken (at home, at a class or shift, through
    the personal link): the one reading of "checked in today" that every page counts."""
    start, end = clock.day_bounds(day)
    return Checkin.objects.filter(person__in=people, at__gte=start, at__lt=end)


def day_figures(unit: Unit, day: dt.date) -> dict[str, int]:
    """The numbers a unit's daily report is pre-filled with (its whole subtree)."""
    start, end = clock.day_bounds(day)
    inside = Q(unit__path__startswith=unit.path)
    people = unit_people(unit)
    expected = people.count()
    checked_in = checkins_of_day(people, day).values("person_id").distinct().count()
    return {
        "expected": expected,
        "checked_in": checked_in,
        "missing": max(expected - checked_in, 0),
        "fevers": FeverEvent.objects.filter(
            inside, confirmed_at__gte=start, confirmed_at__lt=end
        ).count(),
        "absences": Absence.objects.filter(inside, day__lte=day)
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=day))
        .count(),
        "quarantined": Measure.objects.filter(
            inside,
            status=MeasureStatus.ACTIVE,
            kind__in=["central_quarantine", "home_quarantine"],
        )
        .values("person_id")
        .distinct()
        .count(),
        "new_contacts": Exposure.objects.filter(
            person__unit__path__startswith=unit.path,
            identified_at__gte=start,
            identified_at__lt=end,
        ).count(),
    }


@dataclass
class RollupRow:
    unit: Unit
    due: int = 0  # reports due in the subtree that day
    on_time: int = 0
    late: int = 0  # filed after the deadline (迟报)
    silent: int = 0  # not filed (漏报)
    zero: int = 0
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))


def report_rollup(
    user: AnyUser, unit: Unit, day: dt.date, kind: str = "daily_report"
) -> list[RollupRow]:
    """One row per child of ``unit`` (and the unit itself): how many of its units owed the day's
    report, filed it on time, late, or not at all, and the sums of the filed figures. Reads the
    report obligations and the filed reports of the subtree, never the check-ins."""
    scoped = units_in(user, Capability.VIEW_PEOPLE)
    if not scoped.filter(pk=unit.pk).exists():
        return []
    children = list(scoped.filter(parent=unit).order_by("path"))
    rows = {u.path: RollupRow(u) for u in [unit, *children]}

    def row_of(path: str) -> RollupRow:
        for child in children:
            if path.startswith(child.path):
                return rows[child.path]
        return rows[unit.path]

    due = (
        Obligation.objects.reports()
        .due_on(day)
        .filter(unit__path__startswith=unit.path, kind=kind)
        .values("unit__path")
        .annotate(n=Count("id"))
    )
    for item in due:
        row_of(item["unit__path"]).due += item["n"]
    filed = UnitReport.objects.filter(unit__path__startswith=unit.path, kind=kind, day=day).values(
        "unit__path", "late", "zero", "figures"
    )
    filed_paths: set[str] = set()
    for report in filed:
        row = row_of(report["unit__path"])
        filed_paths.add(report["unit__path"])
        if report["late"]:
            row.late += 1
        else:
            row.on_time += 1
        row.zero += report["zero"]
        for name in FIGURES:
            row.figures[name] += int(report["figures"].get(name, 0) or 0)
    for row in rows.values():
        row.silent = max(row.due - row.on_time - row.late, 0)
    ordered = [rows[c.path] for c in children]
    own = rows[unit.path]
    return [own, *ordered] if own.due or own.on_time or own.late else ordered


def fevers_open(
    user: AnyUser, capability: Capability = Capability.VIEW_PEOPLE
) -> QuerySet[FeverEvent]:
    return (
        FeverEvent.objects.filter(scope(user, capability).units("unit__path"))
        .select_related("person", "unit", "checkin")
        .order_by("-confirmed_at")
    )


def absences_following(user: AnyUser) -> QuerySet[Absence]:
    return (
        Absence.objects.filter(scope(user, Capability.VIEW_PEOPLE).units("unit__path"))
        .exclude(status=AbsenceStatus.RETURNED)
        .select_related("person", "unit")
    )


@dataclass
class Attendance:
    """One person of a class or department on a day: check-ins, and an absence if recorded."""

    person: Person
    checkins: list[Checkin]
    absence: Absence | None

    @property
    def state(self) -> str:
        """present (checked in), absent (an absence covers the day) or missing (neither)."""
        if self.absence is not None:
            return "absent"
        return "present" if self.checkins else "missing"


@dataclass
class Register:
    """The day's attendance of a class or department (E-01, E-10): who is expected, present,
    absent (with an absence record) or missing, and whether each present person had the number
    of checks the pack asks for a day."""

    rows: list[Attendance]
    required: int

    @property
    def counts(self) -> dict[str, int]:
        counts = {"expected": len(self.rows), "present": 0, "absent": 0, "missing": 0}
        for row in self.rows:
            counts[row.state] += 1
        counts["short"] = sum(
            1 for r in self.rows if r.state == "present" and len(r.checkins) < self.required
        )
        return counts


def symptoms_of(unit: Unit) -> list[tuple[str, str]]:
    """The symptoms a check-in asks about (E-20): the list of the plan in force for the unit,
    every known one where no plan names any."""
    pack = PackResolver.of_day(clock.localdate()).pack(unit.path)
    codes = pack.symptoms if pack is not None and pack.symptoms else list(SYMPTOMS)
    return [(code, str(SYMPTOMS[code])) for code in codes if code in SYMPTOMS]


def class_day(unit: Unit, day: dt.date) -> Register:
    """The people of a class or department (home unit or tie) with that day's check-ins and
    absences, and the pack's checks a day (its default frequency; 1 without a pack)."""
    people = list(unit_people(unit).order_by("name"))
    ids = [p.pk for p in people]
    by_person: dict[int, list[Checkin]] = defaultdict(list)
    for checkin in checkins_of_day(ids, day).order_by("at"):
        by_person[checkin.person_id].append(checkin)
    absences = {
        a.person_id: a
        for a in Absence.objects.filter(person_id__in=ids, day__lte=day)
        .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=day))
        .order_by("day")
    }
    pack = PackResolver.of_day(day).pack(unit.path)
    required = pack.checkins.per_day["default"] if pack and pack.checkins else 1
    return Register(
        [Attendance(p, by_person.get(p.pk, []), absences.get(p.pk)) for p in people], required
    )


# --- the person's file (people/timeline.py) -------------------------------------------------


@timeline_reader
def _checkins(
    person: Person, viewer: AnyUser, before: dt.datetime | None, limit: int
) -> list[Entry]:
    rows = Checkin.objects.filter(person=person).filter(before_filter("at", before))
    entries = []
    for checkin in rows.order_by("-at", "-id")[:limit]:
        parts = [f"{checkin.celsius} °C" if checkin.celsius is not None else ""]
        parts += [str(SYMPTOMS.get(code, code)) for code in checkin.symptoms]
        parts.append(checkin.get_status_display())
        entries.append(
            Entry(
                checkin.at,
                "checkin",
                "、".join(part for part in parts if part),
                f"{reverse('monitoring')}?unit={checkin.unit_id}",
                alert=checkin.status == CheckinStatus.FEVER,
            )
        )
    return entries


@timeline_reader
def _fevers(person: Person, viewer: AnyUser, before: dt.datetime | None, limit: int) -> list[Entry]:
    rows = FeverEvent.objects.filter(person=person).filter(before_filter("confirmed_at", before))
    return [
        Entry(
            fever.confirmed_at,
            "fever",
            _("Fever confirmed: %(disposition)s")
            % {"disposition": fever.get_disposition_display()},
            reverse("fever-detail", args=[fever.pk]),
            alert=True,
        )
        for fever in rows.order_by("-confirmed_at", "-id")[:limit]
    ]


@timeline_reader
def _absences(
    person: Person, viewer: AnyUser, before: dt.datetime | None, limit: int
) -> list[Entry]:
    rows = Absence.objects.filter(person=person).order_by("-day", "-id")
    if before is not None:
        rows = rows.filter(day__lte=before.astimezone(clock.tz()).date())
    entries = []
    for absence in rows[:limit]:
        at = day_start(absence.day)
        if before is not None and at > before:
            continue
        reason = absence.cause or ", ".join(str(SYMPTOMS.get(c, c)) for c in absence.symptoms)
        entries.append(
            Entry(
                at,
                "absence",
                "、".join(
                    part
                    for part in (
                        _("because of illness") if absence.illness else "",
                        reason,
                        absence.get_status_display(),
                    )
                    if part
                ),
                f"{reverse('absences')}?unit={absence.unit_id}",
            )
        )
    return entries

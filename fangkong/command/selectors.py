"""The command view (指挥视图): what needs the user today, for the subtree the user watches over.

Every figure is read by one grouped query per panel over the user's scope (``org.access``), grouped
by the unit of the row; the rows' unit paths are then folded into the child units of the user's
unit (a township of the county, a grid of the village). No query runs per unit or per person, so
the view costs the same number of queries for a village and for a county of 5,000 units.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from fangkong.core import clock
from fangkong.labs.models import LabResult, Outcome, RoundStatus, Sample, ScreeningRound, TubeResult
from fangkong.monitoring.models import FeverDisposition, FeverEvent
from fangkong.org.access import AnyUser, Scope, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.policy.models import (
    Measure,
    MeasureKind,
    MeasureStatus,
    Notification,
    NotificationTopic,
    Obligation,
    ObligationSource,
    ObligationStatus,
)

CURVE_DAYS = 14
LISTED = 10  # fevers and positive results listed by name; the rest are counted
SILENT_LISTED = 30  # units without today's report listed by name
PENDING = [ObligationStatus.OPEN, ObligationStatus.MISSED]
REPORT_KINDS = ["daily_report", "zero_report"]


@dataclass
class UnitFigures:
    """One child unit of the user's unit (or the unit itself, for rows held at it directly)."""

    unit_id: int
    name: str
    path: str
    people: int = 0
    fevers_today: int = 0
    fevers_open: int = 0
    positives_today: int = 0
    reports_missing: int = 0
    overdue: int = 0
    due_today: int = 0
    measures: dict[str, int] = field(default_factory=dict)
    releases_today: int = 0

    @property
    def under_measure(self) -> int:
        return sum(self.measures.values())

    @property
    def holds_any(self) -> bool:
        return bool(
            self.people
            or self.fevers_today
            or self.fevers_open
            or self.positives_today
            or self.reports_missing
            or self.overdue
            or self.due_today
            or self.measures
        )

    @property
    def urgency(self) -> tuple[int, ...]:
        """Most urgent first: positives, fevers, silent reports, overdue deadlines."""
        return (
            -self.positives_today,
            -self.fevers_open - self.fevers_today,
            -self.reports_missing,
            -self.overdue,
        )


@dataclass(frozen=True)
class Fever:
    event_id: int
    person: str
    unit: str
    at: dt.datetime
    celsius: object
    open: bool


@dataclass(frozen=True)
class Positive:
    """A positive tube (its barcode and how many people it holds) or an individual result."""

    at: dt.datetime
    unit: str
    barcode: str = ""
    people: int = 1
    pooled: bool = False
    person: str = ""
    person_id: int | None = None


@dataclass(frozen=True)
class Coverage:
    round_id: int
    name: str
    area: str
    registered: int
    sampled: int

    @property
    def percent(self) -> float:
        return 100.0 * self.sampled / self.registered if self.registered else 0.0


@dataclass
class Command:
    day: dt.date
    unit: Unit | None  # the one unit the user watches over, if one
    rows: list[UnitFigures]
    own: UnitFigures | None  # figures held at the unit itself, not under a child
    positives: list[Positive]
    fevers: list[Fever]
    silent: list[tuple[int, str]]  # (unit id, name) of units without today's report
    coverage: list[Coverage]
    unread: list[tuple[str, str, int]]  # (topic, label, count), positive results first
    curve_days: list[dt.date]
    curve_fevers: list[int]
    curve_positives: list[int]
    totals: UnitFigures = field(init=False)

    def __post_init__(self) -> None:
        totals = UnitFigures(0, "", "")
        for row in [*self.rows, *([self.own] if self.own else [])]:
            for name in (
                "people",
                "fevers_today",
                "fevers_open",
                "positives_today",
                "reports_missing",
                "overdue",
                "due_today",
                "releases_today",
            ):
                setattr(totals, name, getattr(totals, name) + getattr(row, name))
            for kind, n in row.measures.items():
                totals.measures[kind] = totals.measures.get(kind, 0) + n
        self.totals = totals

    @property
    def measures(self) -> list[tuple[str, str, int]]:
        """(kind, Chinese name, people) of every measure kind, in the pack's order."""
        return [
            (kind.value, str(kind.label), self.totals.measures.get(kind.value, 0))
            for kind in MeasureKind
        ]

    @property
    def ranked(self) -> list[tuple[UnitFigures, bool]]:
        """(figures, held at the unit itself) of the child units, and of the unit's own rows
        when it holds any, most urgent first."""
        rows = [(row, False) for row in self.rows]
        if self.own is not None and self.own.holds_any:
            rows.append((self.own, True))
        return sorted(rows, key=lambda item: item[0].urgency)

    @property
    def unread_total(self) -> int:
        return sum(n for _topic, _label, n in self.unread)

    def as_dict(self) -> dict[str, object]:
        """The same figures for the API."""
        return {
            "day": self.day,
            "unit": self.unit.name if self.unit else None,
            "totals": _figures_dict(self.totals),
            "units": [_figures_dict(row) for row in self.rows],
            "own": _figures_dict(self.own) if self.own else None,
            "positives": [
                {
                    "at": p.at,
                    "unit": p.unit,
                    "barcode": p.barcode,
                    "people": p.people,
                    "pooled": p.pooled,
                    "person": p.person,
                }
                for p in self.positives
            ],
            "fevers": [
                {
                    "at": f.at,
                    "person": f.person,
                    "unit": f.unit,
                    "celsius": f.celsius,
                    "open": f.open,
                }
                for f in self.fevers
            ],
            "silent_units": [name for _id, name in self.silent],
            "coverage": [
                {
                    "round": c.name,
                    "area": c.area,
                    "registered": c.registered,
                    "sampled": c.sampled,
                    "percent": round(c.percent, 1),
                }
                for c in self.coverage
            ],
            "unread": [{"topic": t, "label": label, "count": n} for t, label, n in self.unread],
            "curve": [
                {"day": day, "fevers": f, "positives": p}
                for day, f, p in zip(
                    self.curve_days, self.curve_fevers, self.curve_positives, strict=True
                )
            ],
        }


def _figures_dict(row: UnitFigures) -> dict[str, object]:
    return {
        "unit_id": row.unit_id or None,
        "name": row.name,
        "people": row.people,
        "fevers_today": row.fevers_today,
        "fevers_open": row.fevers_open,
        "positives_today": row.positives_today,
        "reports_missing": row.reports_missing,
        "overdue": row.overdue,
        "due_today": row.due_today,
        "under_measure": row.measures,
        "releases_today": row.releases_today,
    }


class _Fold:
    """Maps the unit path of a row to the figures of the child unit it lies under."""

    def __init__(self, unit: Unit | None, rows: list[Unit]) -> None:
        self.by_path = {u.path: UnitFigures(u.pk, u.name, u.path) for u in rows}
        self.own = UnitFigures(unit.pk, unit.name, unit.path) if unit else None
        if unit is not None:
            self.by_path[unit.path] = self.own  # type: ignore[assignment]

    def __call__(self, path: str) -> UnitFigures | None:
        parts = path.strip("/").split("/")
        for depth in range(len(parts), 0, -1):
            found = self.by_path.get("/" + "/".join(parts[:depth]) + "/")
            if found is not None:
                return found
        return None

    def children(self) -> list[UnitFigures]:
        return [row for row in self.by_path.values() if row is not self.own]


def _units(found: Scope) -> tuple[Unit | None, list[Unit]]:
    """The user's one unit and its children, or the user's several top units (no one unit)."""
    if found.paths is None:
        near = Unit.objects.filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
        top = {u.path for u in near if u.parent_id is None}
    else:
        near = Unit.objects.filter(Q(path__in=found.paths) | Q(parent__path__in=found.paths))
        top = set(found.paths)
    units = sorted(near, key=lambda u: u.path)
    if len(top) == 1:
        unit = next(u for u in units if u.path in top)
        return unit, sorted((u for u in units if u.parent_id == unit.pk), key=lambda u: u.name)
    return None, [u for u in units if u.path in top]


def command_view(user: AnyUser) -> Command | None:
    """The figures of the command view for the user's register scope; None without one."""
    found = scope(user, Capability.VIEW_PEOPLE)
    if found.nowhere:
        return None
    today = clock.localdate()
    now = clock.now()
    start, end = clock.day_bounds(today)
    curve_start = clock.local_midnight(today - dt.timedelta(days=CURVE_DAYS - 1))
    days = [today - dt.timedelta(days=n) for n in range(CURVE_DAYS - 1, -1, -1)]
    unit, children = _units(found)
    fold = _Fold(unit, children)
    inside = found.units("unit__path")

    def add(path: str, name: str, n: int) -> None:
        row = fold(path)
        if row is not None:
            setattr(row, name, getattr(row, name) + n)

    # People by home unit: the head count and the denominators of screening coverage.
    people: dict[str, int] = {}
    for path, n in (
        Person.objects.filter(inside).values_list("unit__path").annotate(n=Count("id")).order_by()
    ):
        people[path] = n
        add(path, "people", n)

    # New fevers by day (the curve) and unit (today, still in the observation room).
    fevers_by_day: dict[dt.date, int] = defaultdict(int)
    for day, path, n, still_open in (
        FeverEvent.objects.filter(inside)
        .filter(Q(confirmed_at__gte=curve_start) | Q(disposition=FeverDisposition.OPEN))
        .annotate(day=TruncDate("confirmed_at", tzinfo=clock.tz()))
        .values_list("day", "unit__path")
        .annotate(n=Count("id"), open=Count("id", filter=Q(disposition=FeverDisposition.OPEN)))
        .order_by()
    ):
        fevers_by_day[day] += n
        add(path, "fevers_open", still_open)
        if day == today:
            add(path, "fevers_today", n)
    fevers = [
        Fever(
            e.pk,
            e.person.name,
            e.unit.name,
            e.confirmed_at,
            e.checkin.celsius,
            e.disposition == FeverDisposition.OPEN,
        )
        for e in FeverEvent.objects.filter(inside)
        .filter(Q(confirmed_at__gte=start) | Q(disposition=FeverDisposition.OPEN))
        .select_related("person", "unit", "checkin")
        .order_by("-confirmed_at", "-id")[:LISTED]
    ]

    # Positive tubes (as the lab recorded them) and individual positive results, by day and unit.
    positives_by_day: dict[dt.date, int] = defaultdict(int)
    accepted_positive = Q(conflict=False, outcome=Outcome.POSITIVE)
    for day, path, n in (
        TubeResult.objects.filter(accepted_positive, found.units("tube__unit__path"))
        .filter(recorded_at__gte=curve_start)
        .annotate(day=TruncDate("recorded_at", tzinfo=clock.tz()))
        .values_list("day", "tube__unit__path")
        .annotate(n=Count("id"))
        .order_by()
    ):
        positives_by_day[day] += n
        if day == today:
            add(path, "positives_today", n)
    for day, path, n in (
        LabResult.objects.filter(found.units("person__unit__path"), positive=True)
        .filter(sampled_at__gte=curve_start)
        .annotate(day=TruncDate("sampled_at", tzinfo=clock.tz()))
        .values_list("day", "person__unit__path")
        .annotate(n=Count("id"))
        .order_by()
    ):
        positives_by_day[day] += n
        if day == today:
            add(path, "positives_today", n)
    positives = [
        Positive(
            at=r.recorded_at,
            unit=r.tube.unit.name,
            barcode=r.tube.barcode,
            people=r.people,
            pooled=r.people > 1,
        )
        for r in TubeResult.objects.filter(accepted_positive, found.units("tube__unit__path"))
        .filter(recorded_at__gte=start)
        .select_related("tube__unit")
        .annotate(people=Count("tube__samples"))
        .order_by("-recorded_at", "-id")[:LISTED]
    ] + [
        Positive(
            at=r.sampled_at, unit=r.person.unit.name, person=r.person.name, person_id=r.person_id
        )
        for r in LabResult.objects.filter(found.units("person__unit__path"), positive=True)
        .filter(sampled_at__gte=start)
        .select_related("person__unit")
        .order_by("-sampled_at", "-id")[:LISTED]
    ]
    positives.sort(key=lambda p: p.at, reverse=True)

    # Units that owe today's daily or zero report and have not filed it.
    silent: list[tuple[int, str]] = []
    for unit_id, path, name in (
        Obligation.objects.filter(
            inside,
            source=ObligationSource.REPORT,
            kind__in=REPORT_KINDS,
            status__in=PENDING,
            due_at__gte=start,
            due_at__lt=end,
        )
        .values_list("unit_id", "unit__path", "unit__name")
        .distinct()
        .order_by("unit__path")
    ):
        add(path, "reports_missing", 1)
        silent.append((unit_id, name))

    # Overdue and due-today deadlines, as the deadline list counts them.
    for path, overdue, due_today in (
        Obligation.objects.filter(inside, status__in=PENDING, due_at__lte=end)
        .values_list("unit__path")
        .annotate(
            overdue=Count("id", filter=Q(due_at__lt=now)),
            due_today=Count("id", filter=Q(due_at__gte=now, status=ObligationStatus.OPEN)),
        )
        .order_by()
    ):
        add(path, "overdue", overdue)
        add(path, "due_today", due_today)

    # People under each measure today, and the measures ending today (releases due).
    for path, kind, n, ending in (
        Measure.objects.filter(inside, status=MeasureStatus.ACTIVE, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("unit__path", "kind")
        .annotate(n=Count("person_id", distinct=True), ending=Count("id", filter=Q(end_date=today)))
        .order_by()
    ):
        row = fold(path)
        if row is not None:
            row.measures[kind] = row.measures.get(kind, 0) + n
            row.releases_today += ending

    return Command(
        day=today,
        unit=unit,
        rows=sorted(fold.children(), key=lambda r: r.urgency),
        own=fold.own,
        positives=positives[:LISTED],
        fevers=fevers,
        silent=silent,
        coverage=_coverage(found, people),
        unread=_unread(user),
        curve_days=days,
        curve_fevers=[fevers_by_day.get(day, 0) for day in days],
        curve_positives=[positives_by_day.get(day, 0) for day in days],
    )


def _coverage(found: Scope, people: dict[str, int]) -> list[Coverage]:
    """Open rounds over or inside the scope: people of the scope sampled, of those registered."""
    rounds = list(
        ScreeningRound.objects.filter(found.units_and_above("unit__path"), status=RoundStatus.OPEN)
        .select_related("unit")
        .order_by("-starts_at", "-id")
    )
    if not rounds:
        return []
    sampled = dict(
        Sample.objects.filter(found.units("person__unit__path"), round__in=rounds)
        .values_list("round_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        Coverage(
            r.pk,
            r.name,
            r.unit.name,
            sum(n for path, n in people.items() if path.startswith(r.unit.path)),
            sampled.get(r.pk, 0),
        )
        for r in rounds
    ]


def _unread(user: AnyUser) -> list[tuple[str, str, int]]:
    """Unread messages by topic, positive results first."""
    if user.pk is None:
        return []
    counts = dict(
        Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
        .values_list("topic")
        .annotate(n=Count("id"))
        .order_by()
    )
    order = [NotificationTopic.POSITIVE, *(t for t in NotificationTopic if t != "positive")]
    return [(t.value, str(t.label), counts[t.value]) for t in order if counts.get(t.value)]

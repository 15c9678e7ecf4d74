"""The command view (指挥视图): what needs the user today, for the subtree the user watches over.

Every figure is read by one grouped query per panel over the user's scope (``org.access``), grouped
by the unit of the row; the rows' unit paths are then folded into the child units of the user's
unit (a township of the county, a grid of the village). No query runs per unit or per person, so
the view costs the same number of queries for a village and for a county of 5,000 units.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import Substr, TruncDate

from fangkong.core import clock
from fangkong.labs.models import LabResult, Outcome, RoundStatus, Sample, ScreeningRound, TubeResult
from fangkong.monitoring.models import FeverDisposition, FeverEvent
from fangkong.obligations.models import (
    MET_ON_TIME,
    Notification,
    NotificationTopic,
    Obligation,
    ObligationSource,
    ObligationStatus,
)
from fangkong.org.access import AnyUser, Scope, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.policy.describe import level_label
from fangkong.policy.models import Measure, MeasureKind, MeasureStatus, RiskArea
from fangkong.tracing.models import CASE_NEXT, CaseKind, CaseStatus
from fangkong.tracing.models import Case as CaseRecord

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


# The days over which the command view gives the 四早 on-time share.
ON_TIME_DAYS = 7


@dataclass
class CasePanel:
    """The cases of the scope (病例): those in course by kind and status, new today, outbreaks
    with a case in course, and the share of the response's deadlines of the last ON_TIME_DAYS
    days met on time."""

    in_course: dict[tuple[str, str], int] = field(default_factory=dict)
    new_today: int = 0
    outbreaks_open: int = 0
    settled: int = 0
    on_time: int = 0
    days: int = ON_TIME_DAYS

    @property
    def open_total(self) -> int:
        return sum(self.in_course.values())

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.settled if self.settled else None

    @property
    def by_kind(self) -> list[tuple[str, str, list[tuple[str, str, int]]]]:
        """(kind, Chinese name, [(status, Chinese name, cases)]) of the kinds with cases."""
        return [
            (
                kind.value,
                str(kind.label),
                [
                    (status.value, str(status.label), n)
                    for status in CaseStatus
                    if (n := self.in_course.get((kind.value, status.value), 0))
                ],
            )
            for kind in CaseKind
            if any(k == kind.value for k, _status in self.in_course)
        ]

    def as_dict(self) -> dict[str, object]:
        return {
            "in_course": [
                {
                    "kind": kind,
                    "kind_label": kind_label,
                    "status": status,
                    "status_label": status_label,
                    "count": n,
                }
                for kind, kind_label, statuses in self.by_kind
                for status, status_label, n in statuses
            ],
            "new_today": self.new_today,
            "outbreaks_open": self.outbreaks_open,
            # The 四早 share the panel shows: the response's deadlines of the last ``days`` days.
            "days": self.days,
            "deadlines_settled": self.settled,
            "deadlines_on_time": self.on_time,
        }


def _case_panel(inside: Q, today: dt.date, now: dt.datetime) -> CasePanel:
    """Two grouped queries: the cases in course or new today by kind, status and outbreak; the
    response's deadlines due in the last ON_TIME_DAYS days up to now, as the 四早 board counts
    them by default (obligation_response_due_idx)."""
    start = clock.local_midnight(today)
    panel = CasePanel()
    outbreaks: set[int] = set()
    # In course: a status with a next one (recovered and excluded are final).
    in_course = [status for status, following in CASE_NEXT.items() if following]
    for kind, status, outbreak_id, n, new in (
        CaseRecord.objects.filter(inside)
        .filter(Q(status__in=in_course) | Q(reported_at__gte=start))
        .values_list("kind", "status", "outbreak_id")
        .annotate(n=Count("*"), new=Count("id", filter=Q(reported_at__gte=start)))
        .order_by()
    ):
        panel.new_today += new
        if status not in in_course:
            continue
        panel.in_course[kind, status] = panel.in_course.get((kind, status), 0) + n
        if outbreak_id is not None:
            outbreaks.add(outbreak_id)
    panel.outbreaks_open = len(outbreaks)
    counts = (
        Obligation.objects.responses()
        .filter(
            inside,
            due_at__gte=clock.local_midnight(today - dt.timedelta(days=ON_TIME_DAYS - 1)),
            due_at__lt=now,
        )
        .aggregate(settled=Count("id"), on_time=Count("id", filter=MET_ON_TIME))
    )
    panel.settled, panel.on_time = counts["settled"], counts["on_time"]
    return panel


@dataclass
class Command:
    day: dt.date
    rows: list[UnitFigures]
    # The one unit the user watches over, if one, with the figures held at it, not under a child.
    own: UnitFigures | None
    positives: list[Positive]
    fevers: list[Fever]
    silent: list[tuple[int, str]]  # (unit id, name) of units without today's report
    coverage: list[Coverage]
    unread: list[tuple[str, str, int]]  # (topic, label, count), positive results first
    curve_days: list[dt.date]
    curve_fevers: list[int]
    curve_positives: list[int]
    cases: CasePanel
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
            "unit": self.own.name if self.own else None,
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
            "measures": [
                {"kind": kind, "label": label, "people": n} for kind, label, n in self.measures
            ],
            "cases": self.cases.as_dict(),
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
    """The units of the scope, and the row (child unit) each of them lies under: every grouped
    count is by unit id, and adds to the row of its unit."""

    def __init__(self, found: Scope) -> None:
        units = list(
            Unit.objects.filter(found.units("path"))
            .order_by("path")
            .values_list("id", "path", "name", "parent_id")
        )
        self.paths = {unit_id: path for unit_id, path, _name, _parent in units}
        tops = set(found.paths) if found.paths is not None else None
        top = [u for u in units if (u[3] is None if tops is None else u[1] in tops)]
        self.own: UnitFigures | None = None
        if len(top) == 1:
            own_id, own_path, own_name, _parent = top[0]
            self.own = UnitFigures(own_id, own_name, own_path)
            rows = [
                UnitFigures(i, name, path) for i, path, name, parent in units if parent == own_id
            ]
        else:
            rows = [UnitFigures(i, name, path) for i, path, name, _parent in top]
        self.rows = sorted(rows, key=lambda row: row.name)
        by_path = {row.path: row for row in self.rows}
        self.of_unit: dict[int, UnitFigures] = {}
        for unit_id, path, _name, _parent in units:
            if self.own is not None:
                child = self._child_path(path)
                self.of_unit[unit_id] = by_path.get(child, self.own) if child else self.own
            elif (row := next((r for r in self.rows if path.startswith(r.path)), None)) is not None:
                self.of_unit[unit_id] = row

    def _child_path(self, path: str) -> str | None:
        """The path of the child of the one unit that ``path`` lies in (None: the unit itself)."""
        assert self.own is not None
        depth = self.own.path.count("/")
        parts = path.split("/")
        return "/".join(parts[: depth + 1]) + "/" if len(parts) > depth + 1 else None

    def add(self, unit_id: int, name: str, n: int) -> None:
        row = self.of_unit.get(unit_id)
        if row is not None:
            setattr(row, name, getattr(row, name) + n)


def command_view(user: AnyUser, unit: Unit | None = None) -> Command | None:
    """The figures of the command view for the user's register scope (or the subtree of one of
    its units, by that unit's children); None without one."""
    found = scope(user, Capability.VIEW_PEOPLE)
    if unit is not None:
        found = found.within(unit.path) if found.covers(unit) else Scope(())
    if found.nowhere:
        return None
    today = clock.localdate()
    now = clock.now()
    start, end = clock.day_bounds(today)
    curve_start = clock.local_midnight(today - dt.timedelta(days=CURVE_DAYS - 1))
    days = [today - dt.timedelta(days=n) for n in range(CURVE_DAYS - 1, -1, -1)]
    fold = _Fold(found)
    add = fold.add
    # Rows of a unit in the scope: a semi-join on the unit id, so that each count groups the
    # rows' own index (unit first) and never joins the unit's path per row.
    units = Unit.objects.filter(found.units("path")).values("id")
    inside = Q(unit__in=units)

    counts = _unit_counts(found, units, now, end)
    people = counts["people"]
    for unit_id, n in people.items():
        add(unit_id, "people", n)
    for unit_id, (overdue, due_today) in counts["deadlines"].items():
        add(unit_id, "overdue", overdue)
        add(unit_id, "due_today", due_today)

    # New fevers by day (the curve) and unit (today, still in the observation room).
    fevers_by_day: dict[dt.date, int] = defaultdict(int)
    for day, unit_id, n, still_open in (
        FeverEvent.objects.filter(inside)
        .filter(Q(confirmed_at__gte=curve_start) | Q(disposition=FeverDisposition.OPEN))
        .annotate(day=TruncDate("confirmed_at", tzinfo=clock.tz()))
        .values_list("day", "unit_id")
        .annotate(n=Count("*"), open=Count("id", filter=Q(disposition=FeverDisposition.OPEN)))
        .order_by()
    ):
        fevers_by_day[day] += n
        add(unit_id, "fevers_open", still_open)
        if day == today:
            add(unit_id, "fevers_today", n)
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
    accepted_positive = Q(conflict=False, outcome=Outcome.POSITIVE, tube__unit__in=units)
    individual_positive = Q(positive=True, person__unit__in=units)
    for model, positive, at, unit_field in (
        (TubeResult, accepted_positive, "recorded_at", "tube__unit_id"),
        (LabResult, individual_positive, "sampled_at", "person__unit_id"),
    ):
        for day, unit_id, n in (
            model.objects.filter(positive, **{f"{at}__gte": curve_start})
            .annotate(day=TruncDate(at, tzinfo=clock.tz()))
            .values_list("day", unit_field)
            .annotate(n=Count("*"))
            .order_by()
        ):
            positives_by_day[day] += n
            if day == today:
                add(unit_id, "positives_today", n)
    positives = [
        Positive(
            at=r.recorded_at,
            unit=r.tube.unit.name,
            barcode=r.tube.barcode,
            people=r.people,
            pooled=r.people > 1,
        )
        for r in TubeResult.objects.filter(accepted_positive, recorded_at__gte=start)
        .select_related("tube__unit")
        .annotate(people=Count("tube__samples"))
        .order_by("-recorded_at", "-id")[:LISTED]
    ] + [
        Positive(
            at=r.sampled_at, unit=r.person.unit.name, person=r.person.name, person_id=r.person_id
        )
        for r in LabResult.objects.filter(individual_positive, sampled_at__gte=start)
        .select_related("person__unit")
        .order_by("-sampled_at", "-id")[:LISTED]
    ]
    positives.sort(key=lambda p: p.at, reverse=True)

    # Units that owe today's daily or zero report and have not filed it.
    silent: list[tuple[int, str]] = []
    for unit_id, name in (
        Obligation.objects.filter(
            inside,
            source=ObligationSource.REPORT,
            kind__in=REPORT_KINDS,
            status__in=PENDING,
            due_at__gte=start,
            due_at__lt=end,
        )
        .values_list("unit_id", "unit__name")
        .distinct()
        .order_by("unit__name", "unit_id")
    ):
        add(unit_id, "reports_missing", 1)
        silent.append((unit_id, name))

    # People under each measure today (a person has one current phase), and the measures ending
    # today (releases due).
    for unit_id, kind, n, ending in (
        Measure.objects.filter(inside, status=MeasureStatus.ACTIVE, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("unit_id", "kind")
        .annotate(n=Count("*"), ending=Count("id", filter=Q(end_date=today)))
        .order_by()
    ):
        row = fold.of_unit.get(unit_id)
        if row is not None:
            row.measures[kind] = row.measures.get(kind, 0) + n
            row.releases_today += ending

    return Command(
        day=today,
        rows=sorted(fold.rows, key=lambda r: r.urgency),
        own=fold.own,
        positives=positives[:LISTED],
        fevers=fevers,
        silent=silent,
        coverage=_coverage(found, fold, people, units),
        unread=_unread(user),
        curve_days=days,
        curve_fevers=[fevers_by_day.get(day, 0) for day in days],
        curve_positives=[positives_by_day.get(day, 0) for day in days],
        cases=_case_panel(inside, today, now),
    )


def _unit_counts(
    found: Scope, units: Any, now: dt.datetime, end: dt.datetime
) -> dict[str, dict[int, Any]]:
    """The scope's people by home unit, and its overdue and due-today deadlines by unit: the two
    counts that grow with the county (a GROUP BY over its register and its pending deadlines),
    kept for COMMAND_AGGREGATE_SECONDS per scope and day, so a county's page reads them once a
    minute rather than on every request."""
    seconds = settings.COMMAND_AGGREGATE_SECONDS
    paths = "|".join(found.paths) if found.paths is not None else "*"
    key = f"command:{end.isoformat()}:{hashlib.sha256(paths.encode()).hexdigest()}"
    if seconds > 0 and (kept := cache.get(key)) is not None:
        return kept  # type: ignore[no-any-return]
    people = dict(
        Person.objects.filter(unit__in=units)
        .values_list("unit_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    # Pending rows due from now on are open ones (the tick marks only past-due rows missed), so
    # both counts read unit and due time alone: the partial index of pending rows
    # (obligation_pending_unit_idx) holds them, as the deadline list counts them.
    deadlines = {
        unit_id: (overdue, due_today)
        for unit_id, overdue, due_today in Obligation.objects.filter(
            unit__in=units, status__in=PENDING, due_at__lte=end
        )
        .values_list("unit_id")
        .annotate(
            overdue=Count("id", filter=Q(due_at__lt=now)),
            due_today=Count("id", filter=Q(due_at__gte=now)),
        )
        .order_by()
    }
    counts: dict[str, dict[int, Any]] = {"people": people, "deadlines": deadlines}
    if seconds > 0:
        cache.set(key, counts, seconds)
    return counts


def _coverage(found: Scope, fold: _Fold, people: dict[int, int], units: Any) -> list[Coverage]:
    """Open rounds over or inside the scope: people of the scope sampled, of those registered.
    A round inside the scope counts all its samples (its index); one over the scope (the
    township's round seen by a village) only those of the scope's people."""
    rounds = list(
        ScreeningRound.objects.filter(found.units_and_above("unit__path"), status=RoundStatus.OPEN)
        .select_related("unit")
        .order_by("-starts_at", "-id")
    )
    if not rounds:
        return []
    inside = [r.pk for r in rounds if found.covers(r.unit)]
    above = [r.pk for r in rounds if not found.covers(r.unit)]
    sampled = dict(
        Sample.objects.filter(Q(round__in=inside) | Q(round__in=above, person__unit__in=units))
        .values_list("round_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    return [
        Coverage(
            r.pk,
            r.name,
            r.unit.name,
            sum(n for unit_id, n in people.items() if fold.paths[unit_id].startswith(r.unit.path)),
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


@dataclass(frozen=True)
class MapRiskArea:
    """A risk area in force today; the map places it by its region code's city (地市)."""

    region: str
    name: str
    level: str
    label: str


@dataclass
class MapRiskCity:
    """The risk areas in force today in one city (地市, its code ``XXXX00``): how many, and the
    most severe level among them (the colour of the city on the map)."""

    region: str
    level: str
    label: str
    areas: int


# The risk areas the map names one by one (most severe first); the others count in their city.
MAP_AREAS_NAMED = 12
# Levels by severity for the map (a level not named is the least severe).
_SEVERITY = {"high": 0, "A": 0, "medium": 1, "B": 1}


def _severity(field: str = "level") -> Case:
    return Case(
        *(When(**{field: level}, then=Value(rank)) for level, rank in _SEVERITY.items()),
        default=Value(len(_SEVERITY)),
        output_field=IntegerField(),
    )


@dataclass
class CommandMap:
    """The map of the command view: one unit's children with their figures (people, people under
    a measure, fevers, positives), whether each has children of its own (a drill-down), the
    unit above within the user's scope (a way back up), and the risk areas in force today."""

    command: Command
    region: str  # the unit's region code: where "my area" lies on the map of China
    parent_id: int | None
    nested: set[int]
    risk_areas: list[MapRiskArea]  # the most severe MAP_AREAS_NAMED
    risk_area_count: int
    risk_cities: list[MapRiskCity]

    def as_dict(self) -> dict[str, object]:
        own = self.command.own
        return {
            "unit": {"unit_id": own.unit_id, "name": own.name} if own else None,
            "parent_id": self.parent_id,
            "region": self.region,
            "units": [
                {
                    "unit_id": row.unit_id,
                    "name": row.name,
                    "people": row.people,
                    "under_measure": row.under_measure,
                    "fevers_today": row.fevers_today,
                    "fevers_open": row.fevers_open,
                    "positives": row.positives_today,
                    "children": row.unit_id in self.nested,
                }
                for row in self.command.rows
            ],
            "risk_areas": [
                {
                    "region": area.region,
                    "name": area.name,
                    "level": area.level,
                    "label": area.label,
                }
                for area in self.risk_areas
            ],
            "risk_area_count": self.risk_area_count,
            "risk_cities": [
                {"region": c.region, "level": c.level, "label": c.label, "areas": c.areas}
                for c in self.risk_cities
            ],
        }


def command_map(user: AnyUser, unit: Unit | None = None) -> CommandMap | None:
    """The map's figures for the user's register scope, or for the children of one of its units
    (None: outside the scope, or no register at all). The figures are the command view's own."""
    found = command_view(user, unit)
    if found is None:
        return None
    own = found.own
    top = Unit.objects.filter(pk=own.unit_id).select_related("parent").first() if own else None
    reach = scope(user, Capability.VIEW_PEOPLE)
    above = top.parent if top is not None and top.parent_id else None
    today = found.day
    areas = RiskArea.objects.filter(is_current=True, start_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    # One row per city and level, however many areas are in force: the map colours cities.
    cities: dict[str, tuple[int, str, int]] = {}
    for city, level, n in (
        areas.annotate(city=Substr("region_id", 1, 4))
        .values_list("city", "level")
        .annotate(n=Count("*"))
        .order_by()
    ):
        severity, worst, total = cities.get(city, (len(_SEVERITY) + 1, "", 0))
        rank = _SEVERITY.get(level, len(_SEVERITY))
        if rank < severity:
            severity, worst = rank, level
        cities[city] = (severity, worst, total + n)
    return CommandMap(
        command=found,
        region=top.region_id if top is not None else "",
        parent_id=above.pk if above is not None and reach.covers(above) else None,
        nested=set(
            Unit.objects.filter(parent_id__in=[row.unit_id for row in found.rows])
            .values_list("parent_id", flat=True)
            .distinct()
        ),
        risk_areas=[
            MapRiskArea(a.region_id, a.region.full_name, a.level, level_label(a.level))
            for a in areas.select_related("region").order_by(_severity(), "region_id")[
                :MAP_AREAS_NAMED
            ]
        ],
        risk_area_count=sum(total for _rank, _level, total in cities.values()),
        risk_cities=[
            MapRiskCity(f"{city}00", level, level_label(level), total)
            for city, (_rank, level, total) in sorted(cities.items())
        ],
    )

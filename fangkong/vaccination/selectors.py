"""Reads of vaccination, scoped by ``org.access``: the rule of the plan in force (a full course,
a booster some months after it), each person's standing against it, coverage by unit and age band
(60+ apart, M-02), and the outreach list of a village: who is not fully vaccinated or is due a
booster."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When

from fangkong.core import clock
from fangkong.org.access import AnyUser, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.people.selectors import people_visible_to
from fangkong.policy.packs import Vaccination
from fangkong.policy.resolver import PackResolver
from fangkong.vaccination.models import Dose

# Without a plan that says more, a course is two doses and nobody is owed a booster (M-01).
COURSE_ONLY = Vaccination(clause="M-01: 12岁以上符合接种条件的人员完成全程接种", full_course=2)
# M-01: the course is for everyone aged 12 and over; a younger child is not on an outreach list.
ELIGIBLE_AGE = 12
OUTREACH_SHOWN = 500


@dataclass(frozen=True)
class Rule:
    """The vaccination rule at a unit, and the plan that sets it ("" for COURSE_ONLY)."""

    pack_id: str
    rule: Vaccination


def rule_at(unit: Unit, day: dt.date) -> Rule:
    pack = PackResolver.of_day(day).pack(unit.path)
    if pack is None or pack.vaccination is None:
        return Rule("", COURSE_ONLY)
    return Rule(pack.id, pack.vaccination)


def doses_visible(user: AnyUser) -> QuerySet[Dose]:
    """The doses of the people the user may see, newest first."""
    return (
        Dose.objects.filter(scope(user, Capability.VIEW_PEOPLE).people("person__"))
        .select_related("person")
        .order_by("-given_on", "-id")
    )


def _born_by(day: dt.date, age: int) -> dt.date:
    """The last birth date of someone aged ``age`` or over on ``day``."""
    return day - relativedelta(years=age)


def booster_from(course_done: dt.date, rule: Vaccination) -> dt.date | None:
    """The day a booster is due after a course completed on ``course_done`` (P13: six months)."""
    if rule.booster_after_months is None:
        return None
    return course_done + relativedelta(months=rule.booster_after_months)


def _standing(people: QuerySet[Person], rule: Vaccination, day: dt.date) -> QuerySet[Person]:
    """``people`` with ``full`` (the course completed), ``boosted`` (a dose beyond it) and
    ``booster_due`` (the course completed long enough ago, no booster yet)."""
    doses = Dose.objects.filter(person_id=OuterRef("pk"))
    people = people.annotate(
        full=Exists(doses.filter(number__gte=rule.full_course)),
        boosted=Exists(doses.filter(number__gt=rule.full_course)),
    )
    if rule.booster_after_months is None:
        return people.annotate(booster_due=Value(False))
    completed_by = day - relativedelta(months=rule.booster_after_months)
    return people.annotate(
        booster_due=Exists(doses.filter(number=rule.full_course, given_on__lte=completed_by))
        & ~Exists(doses.filter(number__gt=rule.full_course))
    )


BANDS = ("under_12", "12_59", "60_plus", "unknown")


@dataclass
class Figures:
    """People, those fully vaccinated, those boosted and those due a booster."""

    people: int = 0
    full: int = 0
    boosted: int = 0
    booster_due: int = 0

    def add(self, other: Figures) -> None:
        self.people += other.people
        self.full += other.full
        self.boosted += other.boosted
        self.booster_due += other.booster_due

    @property
    def percent(self) -> float:
        return 100 * self.full / self.people if self.people else 0.0

    def as_dict(self, *, due: bool = True) -> dict[str, object]:
        """The figures by name; without those due a booster where they were not counted (the
        command view's totals read no plan's booster interval)."""
        figures: dict[str, object] = {
            "people": self.people,
            "full": self.full,
            "boosted": self.boosted,
            "percent": round(self.percent, 1),
        }
        if due:
            figures["booster_due"] = self.booster_due
        return figures


@dataclass
class CoverageRow:
    unit_id: int
    name: str
    all: Figures = field(default_factory=Figures)
    elderly: Figures = field(default_factory=Figures)  # aged 60 and over (M-02)


@dataclass
class Coverage:
    """A unit's coverage: by child unit (and the people held at the unit itself), and by age
    band, against the rule in force there."""

    unit: Unit
    rule: Rule
    rows: list[CoverageRow]
    bands: dict[str, Figures]
    total: Figures

    @property
    def elderly(self) -> Figures:
        return self.bands["60_plus"]


def _banded(people: QuerySet[Person], rule: Vaccination, day: dt.date) -> list[Mapping[str, Any]]:
    band = Case(
        When(birth_date__isnull=True, then=Value("unknown")),
        When(birth_date__lte=_born_by(day, rule.priority_age), then=Value("60_plus")),
        When(birth_date__lte=_born_by(day, ELIGIBLE_AGE), then=Value("12_59")),
        default=Value("under_12"),
    )
    return list(
        _standing(people, rule, day)
        .annotate(band=band)
        .values("unit_id", "band")
        .annotate(
            n=Count("pk"),
            n_full=Count("pk", filter=Q(full=True)),
            n_boosted=Count("pk", filter=Q(boosted=True)),
            n_due=Count("pk", filter=Q(booster_due=True)),
        )
        .order_by()
    )


def coverage(user: AnyUser, unit: Unit) -> Coverage:
    """Coverage of the people the user sees at ``unit`` and below: two grouped queries (by home
    unit and age band) and the unit's children, folded here."""
    day = clock.localdate()
    rule = rule_at(unit, day)
    people = people_visible_to(user).filter(unit__path__startswith=unit.path)
    children = list(
        Unit.objects.filter(parent=unit).order_by("name").values_list("id", "name", "path")
    )
    rows = {path: CoverageRow(i, name) for i, name, path in children}
    own = CoverageRow(unit.pk, unit.name)
    bands = {band: Figures() for band in BANDS}
    total = Figures()
    grouped = _banded(people, rule.rule, day)
    paths = dict(
        Unit.objects.filter(pk__in={g["unit_id"] for g in grouped}).values_list("id", "path")
    )
    for g in grouped:
        figures = Figures(g["n"], g["n_full"], g["n_boosted"], g["n_due"])
        path = paths[g["unit_id"]]
        row = next((r for p, r in rows.items() if path.startswith(p)), own)
        row.all.add(figures)
        if g["band"] == "60_plus":
            row.elderly.add(figures)
        bands[g["band"]].add(figures)
        total.add(figures)
    listed = [row for row in rows.values() if row.all.people]
    if own.all.people:
        listed.append(own)
    return Coverage(unit=unit, rule=rule, rows=listed, bands=bands, total=total)


def coverage_totals(user: AnyUser) -> tuple[Figures, Figures]:
    """Everyone the user sees, and those aged 60 and over: the course completed and boosted
    against COURSE_ONLY's course (the command view's panel). One grouped statement."""
    day = clock.localdate()
    everyone, elderly = Figures(), Figures()
    old = Q(birth_date__lte=_born_by(day, COURSE_ONLY.priority_age))
    for is_old, n, n_full, n_boosted in (
        _standing(people_visible_to(user), COURSE_ONLY, day)
        .annotate(old=Case(When(old, then=Value(True)), default=Value(False)))
        .values_list("old")
        .annotate(
            n=Count("pk"),
            n_full=Count("pk", filter=Q(full=True)),
            n_boosted=Count("pk", filter=Q(boosted=True)),
        )
        .order_by()
    ):
        figures = Figures(n, n_full, n_boosted)
        everyone.add(figures)
        if is_old:
            elderly.add(figures)
    return everyone, elderly


@dataclass(frozen=True)
class Outreach:
    """One person to visit: the doses had, the last one's day, and a booster's due day."""

    person: Person
    doses: int
    last_given_on: dt.date | None
    booster_from: dt.date | None

    @property
    def elderly(self) -> bool:
        return bool(getattr(self.person, "elderly", False))


def outreach(user: AnyUser, unit: Unit) -> tuple[Rule, list[Outreach], int]:
    """The people of ``unit`` (a grid worker's village) aged 12 and over who have not completed
    the course or are due a booster, 60 and over first (M-02): the rule, the list (at most
    OUTREACH_SHOWN) and how many in all."""
    day = clock.localdate()
    rule = rule_at(unit, day)
    doses = Dose.objects.filter(person_id=OuterRef("pk"))
    course_done = doses.filter(number=rule.rule.full_course).values("given_on")[:1]
    last = doses.order_by("-number").values("given_on")[:1]
    elderly = Q(birth_date__lte=_born_by(day, rule.rule.priority_age))
    people = (
        _standing(people_visible_to(user).filter(unit__path__startswith=unit.path), rule.rule, day)
        .exclude(birth_date__gt=_born_by(day, ELIGIBLE_AGE))
        .filter(Q(full=False) | Q(booster_due=True))
        .annotate(
            n_doses=Count("doses"),
            course_done=Subquery(course_done),
            last_given_on=Subquery(last),
            elderly=Case(When(elderly, then=Value(True)), default=Value(False)),
        )
        .select_related("unit")
        .order_by("-elderly", "unit__path", "name", "pk")
    )
    total = people.count()
    listed = [
        Outreach(
            person=p,
            doses=p.n_doses,
            last_given_on=p.last_given_on,
            booster_from=booster_from(p.course_done, rule.rule) if p.course_done else None,
        )
        for p in people[:OUTREACH_SHOWN]
    ]
    return rule, listed, total

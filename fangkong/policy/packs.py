"""Policy packs: the rules of a work plan (方案) as validated YAML (policies/*.yaml).

A pack is data the engine applies; nothing disease-specific or plan-specific is in the code. An
error in a pack names the file, the line and the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from fangkong.obligations.models import ObligationKind
from fangkong.policy.models import ExposureKind, MeasureKind

POLICIES_DIR = Path(__file__).resolve().parent.parent.parent / "policies"


class Strict(BaseModel):
    # A kind is one of the register's choices (MeasureKind …), kept as its plain value: decisions
    # and their ids are built from the values.
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True)


class Source(Strict):
    plan: str  # P01 … P17 of PLANS.md
    line: int  # the plan's first line in the seed file
    title: str


class Phase(Strict):
    """A measure lasting ``days`` days, starting where the previous phase ended (day 0 first).

    ``until_day`` instead ends it on that day ("满7天": until 7 full days after arrival); ``open``
    leaves the end to a release decision (a plan that names no length, e.g. P04's 隔离医学观察).
    """

    kind: MeasureKind
    days: int | None = Field(default=None, ge=1)
    until_day: int | None = Field(default=None, ge=1)
    open: bool = False

    @model_validator(mode="after")
    def one_length(self) -> Phase:
        if [self.days is not None, self.until_day is not None, self.open].count(True) != 1:
            raise ValueError("give one of days, until_day or open")
        return self


class SamplingSchedule(Strict):
    """Tests on fixed days after day 0, or ``count`` tests within ``within_hours`` of arrival,
    at least ``min_gap_hours`` apart ("三天两检": count 2 within 72 h, 24 h apart)."""

    days: list[int] = Field(default_factory=list)
    double_sample_last: bool = False
    count: int = Field(default=0, ge=0)
    within_hours: int | None = Field(default=None, ge=1)
    min_gap_hours: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def one_form(self) -> SamplingSchedule:
        if bool(self.days) == bool(self.count):
            raise ValueError("give either days or count with within_hours")
        if self.count and self.within_hours is None:
            raise ValueError("count needs within_hours")
        if self.days != sorted(set(self.days)):
            raise ValueError("days must be increasing and distinct")
        return self


class Proof(Strict):
    kind: Literal["negative_test"] = "negative_test"
    within_hours: int = Field(ge=1)


ReleaseCondition = Literal[
    "last_test_negative",  # D-14: 最后1次双采双检阴性后解除隔离
    "person_object_environment_negative",  # D-05: 人、物、环境三样本阴性
    "headquarters_consent",  # D-06: 未经区疫情防控指挥部同意，不得解除隔离
    "hospital_certificate",  # D-10: 医院返校证明 + 学校领导与校医共同认可
    "symptoms_resolved",  # D-08: 症状缓解并排除感染
]


class ObligationTemplate(Strict):
    """A deadline a rule opens: ``within_minutes`` after the event (0 = 立即, due at once; negative
    = before it, e.g. G-19's report 3 days ahead of an arrival)."""

    kind: ObligationKind
    within_minutes: int = Field(ge=-60 * 24 * 31)
    clause: str = ""


class ArrivalCondition(Strict):
    """When a rule applies to an arrival. All given parts must hold; none given matches anyone.

    Travel counts back ``within_days`` from the arrival; a stay counts if any part of it falls in
    that window while the area was classed so.
    """

    within_days: int = Field(default=14, ge=1)
    stayed_in_risk_area: list[str] = Field(default_factory=list)  # levels: high, medium, A, B …
    stayed_in_city_of_risk_area: list[str] = Field(default_factory=list)
    stayed_in_local_case_city: bool = False
    stayed_abroad: bool = False
    from_other_province: bool = False
    categories: list[str] = Field(default_factory=list)  # only people in one of these


class Rule(Strict):
    """What a rule gives: measure phases, tests, proofs to check, deadlines, release conditions."""

    id: str
    clause: str  # the plan's words and the requirement ids it implements
    measures: list[Phase] = Field(default_factory=list)
    tests: SamplingSchedule | None = None
    proofs: list[Proof] = Field(default_factory=list)
    obligations: list[ObligationTemplate] = Field(default_factory=list)
    release: list[ReleaseCondition] = Field(default_factory=list)
    after_release: list[Phase] = Field(default_factory=list)  # D-05: 7 days home monitoring

    @model_validator(mode="after")
    def open_phase_last(self) -> Rule:
        if any(phase.open for phase in self.measures[:-1]):
            raise ValueError("only the last phase may be open; later ones go in after_release")
        return self


class ArrivalRule(Rule):
    when: ArrivalCondition


class ConditionalRelease(Strict):
    """D-12: released on ``release_day`` if the close contact's first ``contact_first_tests`` and
    one's own tests on ``own_test_days`` are negative; managed under rule ``otherwise`` as soon as
    one of the close contact's first tests is positive."""

    clause: str
    release_day: int = Field(ge=1)
    contact_first_tests: int = Field(ge=1)
    own_test_days: list[int]
    otherwise: str


class ContactRule(Rule):
    exposure: ExposureKind
    categories: list[str] = Field(default_factory=list)
    conditional_release: ConditionalRelease | None = None


class FeverAction(Strict):
    actions: list[str] = Field(default_factory=lambda: ["isolate"])
    obligations: list[ObligationTemplate] = Field(default_factory=list)


class TemperatureRule(Strict):
    """A reading ``above`` the threshold (``inclusive``: at or above) asks for a re-measure; the
    number of consecutive readings over it that makes a fever depends on the category."""

    clause: str
    above: float = Field(ge=35, le=42)
    inclusive: bool = False  # 超过 excludes the number (37.3 is not over 37.3)
    confirmations: dict[str, int] = Field(default_factory=lambda: {"default": 1})
    requires_symptoms: bool = False
    # One of the pack's symptoms is enough, whatever the reading (P09: 发热、咳嗽等不适症状 →
    # 留观室; P08 D-08: 发热、乏力、咳嗽等症状的职工 stay off work).
    symptoms_alone: bool = False
    on_fever: FeverAction = Field(default_factory=FeverAction)

    @model_validator(mode="after")
    def has_default(self) -> TemperatureRule:
        if "default" not in self.confirmations:
            raise ValueError("confirmations needs a default")
        if any(count < 1 for count in self.confirmations.values()):
            raise ValueError("confirmations are at least 1")
        return self

    def is_over(self, celsius: float) -> bool:
        return celsius >= self.above if self.inclusive else celsius > self.above

    def confirmations_for(self, categories: Iterable[str]) -> int:
        counts = [self.confirmations[c] for c in categories if c in self.confirmations]
        return max(counts) if counts else self.confirmations["default"]


GatheringType = Literal["event", "banquet", "family_meal", "meeting"]
# Who holds a gathering (主办方): a school, a unit (单位), a family or household, a village.
Organiser = Literal["school", "unit", "family", "village"]
# What it is for: teaching (教育教学、教研) or anything else.
Purpose = Literal["teaching", "other"]


class Count(Strict):
    """``at_least`` N is the plans' 以上 (N included); ``more_than`` N is 超过 (N excluded)."""

    of: Literal["people", "tables", "classes"]
    at_least: int | None = Field(default=None, ge=1)
    more_than: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def one_bound(self) -> Count:
        if (self.at_least is None) == (self.more_than is None):
            raise ValueError("give either at_least or more_than")
        return self

    def holds(self, value: int) -> bool:
        if self.at_least is not None:
            return value >= self.at_least
        return value > (self.more_than or 0)


class GatheringRule(Strict):
    id: str
    clause: str
    applies_to: list[GatheringType]
    categories: list[str] = Field(default_factory=list)  # only people of these categories
    organisers: list[Organiser] = Field(default_factory=list)  # only gatherings they hold
    purposes: list[Purpose] = Field(default_factory=list)  # only gatherings for these purposes
    when: Count | None = None  # none: every such gathering
    effect: Literal["forbidden", "approval_required", "filing_required", "advised_against"]
    approver: str = ""
    proofs: list[Proof] = Field(default_factory=list)


HealthCode = Literal["green", "yellow", "red"]


class Place(Strict):
    """Where a trip leaves from or goes to, judged by the areas published on the day of travel
    (C-01): inside an area of these levels, in the county of one (所在县), or in another county of
    its prefecture city (所在地市的其他县); or ``abroad`` (any country or region but CHN: HKG, MAC
    and TWN are their own codes). ``except_regions`` are exempt with what lies inside them, and
    ``except_countries`` likewise abroad."""

    in_area: list[str] = Field(default_factory=list)
    in_county_of: list[str] = Field(default_factory=list)
    in_other_county_of_city_of: list[str] = Field(default_factory=list)
    abroad: bool = False
    except_regions: list[str] = Field(default_factory=list)
    except_countries: list[str] = Field(default_factory=list)

    def levels(self) -> list[str]:
        return self.in_area + self.in_county_of + self.in_other_county_of_city_of


class TripCondition(Strict):
    """When a travel rule applies to a trip. All given parts must hold; ``cross_province`` asks
    for a trip out of the province (C-02: P02's rules are for cross-province travel only)."""

    categories: list[str] = Field(default_factory=list)
    cross_province: bool = False
    leaving: Place | None = None
    going_to: Place | None = None
    health_codes: list[HealthCode] = Field(default_factory=list)
    symptoms: list[str] = Field(default_factory=list)


class TravelRule(Strict):
    """What a trip out of the area needs (C-04 … C-11, C-29, C-30): ``effect`` forbidden (不得),
    restricted (严格限制) or advised against (非必要不); ``min_days_off_post`` days away from a
    high-risk post or the trip is forbidden (C-07); proofs to leave, checked again on arrival; a
    filing with ``filing_with`` (报备)."""

    id: str
    clause: str
    when: TripCondition
    effect: Literal["forbidden", "restricted", "advised_against"] | None = None
    min_days_off_post: int | None = Field(default=None, ge=1)
    proofs: list[Proof] = Field(default_factory=list)
    filing_with: str = ""


# The events in the register that open a deadline (a classification's trigger is models.Trigger).
DeadlineEvent = Literal[
    "suspected_case",
    "confirmed_case",
    "outbreak",
    "fever",
    "fever_drug_sale",
    "sample_received",
    "fever_clinic_sample",
    "positive_result",
    "work_injury",
]


class Deadline(Strict):
    """A deadline opened by an event (G-01 … G-24): on the ``trigger``, the obligation is due."""

    id: str
    trigger: DeadlineEvent
    obligation: ObligationTemplate
    responsible: str  # who answers for it, in the plan's words: 乡镇卫生院, 检测机构 …


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = Weekday.__args__  # type: ignore[attr-defined]


class Report(Strict):
    """A unit's routine report: daily by ``at``, or weekly on ``weekday`` at ``at``."""

    id: str
    clause: str
    kind: Literal["daily_report", "weekly_report", "zero_report"]
    at: dt.time
    weekday: Weekday | None = None
    until: str | None = Field(default=None, pattern=r"^\d{2}-\d{2}$")  # MM-DD, e.g. 03-15
    unit_kinds: list[str] = Field(default_factory=list)

    def last_day(self, since: dt.date) -> dt.date | None:
        """The day ``until`` names, counted from the plan's first day in force: a plan in force
        from December "until 03-15" reports through the next March (E-13, G-21)."""
        if self.until is None:
            return None
        month, day = (int(part) for part in self.until.split("-"))
        year = since.year
        while True:
            try:
                last = dt.date(year, month, day)
            except ValueError:  # 02-29 in a common year
                last = dt.date(year, 3, 1) - dt.timedelta(days=1)
            if last >= since:
                return last
            year += 1

    @model_validator(mode="after")
    def weekly_has_day(self) -> Report:
        if (self.kind == "weekly_report") != (self.weekday is not None):
            raise ValueError("a weekly report needs a weekday, and only a weekly report has one")
        return self


class ApprovalChain(Strict):
    """Who approves whom (J-01 … J-05): the steps in order, and how far ahead one must apply."""

    id: str
    clause: str
    request: Literal["leave_city", "leave_province", "leave_county", "travel", "gathering"]
    categories: list[str] = Field(default_factory=list)
    steps: list[str] = Field(min_length=1)
    advance_days: int = Field(default=0, ge=0)


class Checkins(Strict):
    """How often people check in (E-01, E-09, D-06): per day, by register category or by being a
    close or secondary contact, with the default."""

    clause: str
    per_day: dict[str, int]

    @model_validator(mode="after")
    def has_default(self) -> Checkins:
        if "default" not in self.per_day:
            raise ValueError("per_day needs a default")
        return self


class TestGroup(Strict):
    """People of these register categories owe a test every ``every_days`` days (F-01 应检尽检:
    weekly); periods run from a Monday, so a weekly test is due by Sunday night."""

    id: str
    clause: str
    categories: list[str] = Field(min_length=1)
    every_days: int = Field(ge=1, le=366)


class EnvironmentSampling(Strict):
    """Places swabbed every ``every_days`` days (F-03: clinics, markets, activity rooms …): each
    unit of these kinds owes an environment sample per period."""

    id: str
    clause: str
    unit_kinds: list[str] = Field(min_length=1)
    every_days: int = Field(ge=1, le=366)


class Roster(Strict):
    """A-21, A-23, A-26, A-27: the units of ``unit_kinds`` under the plan keep someone on duty
    round the clock, with a leader on duty (领导带班) at every hour too when ``leader`` is set, and
    reachable by phone (通讯畅通)."""

    clause: str
    unit_kinds: list[str] = Field(min_length=1)
    leader: bool = True


class SupplyTarget(Strict):
    """L-07: the units of ``unit_kinds`` keep ``item`` (a code of readiness.SupplyItem) for
    ``days`` days of use. A day's use is ``per_person_daily`` for each of the unit's people when
    given (口罩按学校师生总数一周的量), else the unit's own recent consumption
    (消毒液按一个月的量)."""

    clause: str
    item: str
    unit_kinds: list[str] = Field(min_length=1)
    days: int = Field(ge=1, le=366)
    per_person_daily: float | None = Field(default=None, gt=0, le=100)


class DisinfectionRule(Strict):
    """L-02: the units of ``unit_kinds`` disinfect each of their scheduled places
    ``times_per_day`` times a day (每日消毒两次)."""

    clause: str
    unit_kinds: list[str] = Field(min_length=1)
    times_per_day: int = Field(ge=1, le=12)


class AfterCaseDisinfection(Strict):
    """L-12, H-07: the places a case was at are disinfected within ``within_hours`` of the case's
    report, each by the unit that keeps it."""

    clause: str
    within_hours: int = Field(ge=1, le=168)


class Duty(Strict):
    """A duty the plan sets its units (A-04 专班每周调度会, A-12 9月底前五到位, G-14 1月27日前备案):
    due at the end of the day ``by`` (MM-DD, the next such day while the plan is in force), or once
    every ``every_days`` days (periods from a Monday: a weekly duty is due by Sunday night). Each
    unit of ``unit_kinds`` under the plan owes it; someone of the unit marks it done."""

    id: str
    clause: str
    kind: Literal["duty", "filing", "report"] = "duty"
    responsible: str  # who answers for it, in the plan's words: 口岸城市专班, 各分、子公司 …
    unit_kinds: list[str] = Field(min_length=1)
    by: str | None = Field(default=None, pattern=r"^\d{2}-\d{2}$")
    every_days: int | None = Field(default=None, ge=1, le=366)

    @model_validator(mode="after")
    def one_due(self) -> Duty:
        if (self.by is None) == (self.every_days is None):
            raise ValueError("give either by (MM-DD) or every_days")
        if self.by is not None:
            dt.date(2001, int(self.by[:2]), int(self.by[3:]))  # a day of every year, or ValueError
        return self

    def due_day(self, on: dt.date) -> dt.date:
        """The first day ``by`` on or after ``on`` (a dated duty)."""
        assert self.by is not None
        month, day = int(self.by[:2]), int(self.by[3:])
        this_year = dt.date(on.year, month, day)
        return this_year if this_year >= on else dt.date(on.year + 1, month, day)


class Vaccination(Strict):
    """M-01, M-02, M-03: the full course is ``full_course`` doses; a booster is due
    ``booster_after_months`` months after the course's last dose (P13: the third dose six months
    after the second); people aged ``priority_age`` and over come first (尤其是60岁以上老年人)."""

    clause: str
    full_course: int = Field(default=2, ge=1, le=4)
    booster_after_months: int | None = Field(default=None, ge=1, le=60)
    priority_age: int = Field(default=60, ge=1, le=120)


class PlaybookStep(Strict):
    """One step of a playbook: what is done, the role that does it, and by when counted from the
    start: the plan's own limit where it gives one (P15: 口头报告20分钟、书面报告40分钟), else the
    pack's drill target (``clause`` says which)."""

    title: str
    role: str
    within_minutes: int = Field(ge=0, le=7 * 24 * 60)
    kind: Literal["duty", "oral_report", "written_report", "report", "transfer"] = "duty"
    clause: str = ""


class Playbook(Strict):
    """An emergency response as a list of steps (N-01 … N-06), run live (each step owed by the
    person named for its role) or rehearsed as a drill and scored against the clock."""

    id: str
    name: str
    clause: str
    steps: list[PlaybookStep] = Field(min_length=1)


class Service(Strict):
    """How a public service is delivered while the plan is in force (P07, P17: 不见面, 预约)."""

    id: str
    name: str
    clause: str
    mode: Literal["online", "phone", "appointment", "mail", "window", "suspended"]


# The kinds of venue a limit names (tracing.VenueKind, above this layer, keeps the same values).
VenueKind = Literal["venue", "shop", "bus", "restaurant", "culture", "service_hall"]


class VenueLimit(Strict):
    """How many a kind of venue may take while the plan is in force (I-05, I-07, I-15, I-16, I-18:
    限量、预约、错峰): a share of its rated seats (核定人数), and whether entry is by reservation in
    time slots (预约, 错峰)."""

    id: str
    clause: str
    venue_kinds: list[VenueKind] = Field(min_length=1)
    share_percent: int | None = Field(default=None, ge=1, le=100)
    reservation: bool = False
    # 实名预约: a booking through the venue's link gives an ID number, and the booker is found or
    # registered in the register.
    real_name: bool = False

    @model_validator(mode="after")
    def says_something(self) -> VenueLimit:
        if self.share_percent is None and not self.reservation:
            raise ValueError("give share_percent or reservation: true")
        if self.real_name and not self.reservation:
            raise ValueError("real_name: true needs reservation: true")
        return self


# Venue-code matching (场所码): minutes either side of a case's visit within which another visit
# to the same venue makes a candidate contact. No plan gives a number; a pack may set its own.
CONTACT_WINDOW_MINUTES = 60


class Pack(Strict):
    id: str
    extends: str | None = None
    source: Source
    risk_levels: list[str] = Field(default_factory=list)
    symptoms: list[str] = Field(default_factory=list)
    checkins: Checkins | None = None
    temperature: TemperatureRule | None = None
    arrival_rules: list[ArrivalRule] = Field(default_factory=list)
    contact_rules: list[ContactRule] = Field(default_factory=list)
    gathering_rules: list[GatheringRule] = Field(default_factory=list)
    travel_rules: list[TravelRule] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    reports: list[Report] = Field(default_factory=list)
    approvals: list[ApprovalChain] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    venue_limits: list[VenueLimit] = Field(default_factory=list)
    test_groups: list[TestGroup] = Field(default_factory=list)
    environment_sampling: list[EnvironmentSampling] = Field(default_factory=list)
    duties: list[Duty] = Field(default_factory=list)
    roster: Roster | None = None
    contact_window_minutes: int = Field(default=CONTACT_WINDOW_MINUTES, ge=1, le=24 * 60)
    vaccination: Vaccination | None = None
    playbooks: list[Playbook] = Field(default_factory=list)
    supplies: list[SupplyTarget] = Field(default_factory=list)
    disinfection: list[DisinfectionRule] = Field(default_factory=list)
    disinfection_after_case: AfterCaseDisinfection | None = None
    out_of_scope: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def consistent(self) -> Pack:
        for rule in self.arrival_rules:
            for level in rule.when.stayed_in_risk_area + rule.when.stayed_in_city_of_risk_area:
                if level not in self.risk_levels:
                    raise ValueError(f"rule {rule.id}: risk level {level!r} is not in risk_levels")
        ids = [r.id for r in self.arrival_rules]
        ids += [r.id for r in self.contact_rules] + [r.id for r in self.gathering_rules]
        ids += [g.id for g in self.test_groups] + [e.id for e in self.environment_sampling]
        ids += [d.id for d in self.duties] + [v.id for v in self.venue_limits]
        ids += [p.id for p in self.playbooks]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"rule ids must be unique: {', '.join(sorted(duplicates))}")
        contact_ids = {r.id for r in self.contact_rules}
        for contact in self.contact_rules:
            condition = contact.conditional_release
            if condition and condition.otherwise not in contact_ids:
                raise ValueError(
                    f"rule {contact.id}: otherwise {condition.otherwise!r} "
                    "is not a contact rule of this pack"
                )
        return self

    @model_validator(mode="after")
    def travel_rules_consistent(self) -> Pack:
        for rule in self.travel_rules:
            for place in (rule.when.leaving, rule.when.going_to):
                unknown = (
                    [lv for lv in place.levels() if lv not in self.risk_levels] if place else []
                )
                if unknown:
                    raise ValueError(
                        f"rule {rule.id}: risk level {unknown[0]!r} is not in risk_levels"
                    )
        ids = [r.id for r in self.travel_rules]
        if len(set(ids)) != len(ids):
            raise ValueError(f"travel rule ids must be unique: {', '.join(sorted(ids))}")
        return self

    def rule(self, rule_id: str) -> Rule:
        rules: list[Rule] = [*self.arrival_rules, *self.contact_rules]
        for rule in rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


class PackError(ValueError):
    """A pack that does not load; the message names the file, the line and the field."""


def _line_of(node: yaml.Node, loc: tuple[int | str, ...], data: Any = None) -> int:
    """The line of the field at ``loc``. ``data`` is the validated (merged) data: a rule found by
    its index there is found by its ``id`` in this file, where inheritance may order rules
    otherwise."""
    for key in loc:
        item = data[key] if isinstance(data, list) and isinstance(key, int) else None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == key:
                    node = value_node
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            rule_id = item.get("id") if isinstance(item, dict) else None
            by_id = [
                child
                for child in node.value
                if rule_id is not None
                and isinstance(child, yaml.MappingNode)
                and any(k.value == "id" and v.value == rule_id for k, v in child.value)
            ]
            if by_id:
                node = by_id[0]
            elif key < len(node.value):
                node = node.value[key]
            else:
                break
        else:
            break
        data = data.get(key) if isinstance(data, dict) else item
    return node.start_mark.line + 1


def _merge(base: Any, override: Any) -> Any:
    """A child pack's values over its parent's: mappings merge key by key, lists of rules merge by
    ``id`` (same id overrides, new ids append), anything else is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if (
        isinstance(base, list)
        and isinstance(override, list)
        and all(isinstance(item, dict) and "id" in item for item in base + override)
    ):
        by_id = {item["id"]: item for item in base}
        for item in override:
            by_id[item["id"]] = _merge(by_id[item["id"]], item) if item["id"] in by_id else item
        return list(by_id.values())
    return override


def _read(path: Path) -> tuple[yaml.Node, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PackError(f"{path.name}:0: cannot read: {error.strerror}") from error
    try:
        node = yaml.compose(text)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise PackError(f"{path.name}:{line}: not valid YAML: {error}") from error
    if node is None or not isinstance(data, dict):
        raise PackError(f"{path.name}:1: a pack is a mapping of fields")
    return node, data


def _resolved(path: Path, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """The pack's data with its ``extends`` chain applied (parents live in the same folder)."""
    node, data = _read(path)
    parent_id = data.get("extends")
    if parent_id is None:
        return data
    line = _line_of(node, ("extends",))
    if not isinstance(parent_id, str) or not (path.parent / f"{parent_id}.yaml").is_file():
        raise PackError(f"{path.name}:{line}: extends: no pack {parent_id!r} beside this one")
    if parent_id in seen or parent_id == path.stem:
        raise PackError(f"{path.name}:{line}: extends: a cycle through {parent_id}")
    parent = _resolved(path.parent / f"{parent_id}.yaml", (*seen, path.stem))
    return _merge(parent, data)


def pack_load(path: Path) -> Pack:
    node, _ = _read(path)
    data = _resolved(path)
    try:
        pack = Pack.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(pack)"
        line = _line_of(node, tuple(first["loc"]), data)
        message = first["msg"].removeprefix("Value error, ")
        raise PackError(f"{path.name}:{line}: {field}: {message}") from error
    if pack.id != path.stem:
        raise PackError(
            f"{path.name}:{_line_of(node, ('id',))}: id: must be the file name, {path.stem}"
        )
    return pack


@lru_cache(maxsize=1)
def packs_all() -> dict[str, Pack]:
    return {path.stem: pack_load(path) for path in sorted(POLICIES_DIR.glob("*.yaml"))}


@lru_cache(maxsize=1)
def symptoms_known() -> tuple[str, ...]:
    """Every symptom some pack asks about (E-20), in the order the packs name them."""
    return tuple(dict.fromkeys(code for pack in packs_all().values() for code in pack.symptoms))


def pack_derive(base_id: str, text: str, overrides: dict[str, Any] | None = None) -> Pack:
    """A changed copy of a shipped pack: ``overrides`` (the what-if form's fields), then the YAML
    ``text``, merged onto it as ``extends`` would (the what-if of the plan pages). Errors name the
    line of the changes and the field."""
    base_path = POLICIES_DIR / f"{base_id}.yaml"
    if not base_path.is_file():
        raise PackError(f"extends: no pack {base_id!r}")
    try:
        node = yaml.compose(text)
        changes: Any = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise PackError(f"changes:{mark.line + 1 if mark else 0}: not valid YAML") from error
    if not isinstance(changes, dict):
        raise PackError("changes:1: the changes are a mapping of fields")
    data = _merge(_merge(_resolved(base_path), overrides or {}), {**changes, "id": base_id})
    try:
        return Pack.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(pack)"
        line = _line_of(node, tuple(first["loc"]), data) if node is not None else 1
        message = first["msg"].removeprefix("Value error, ")
        raise PackError(f"changes:{line}: {field}: {message}") from error

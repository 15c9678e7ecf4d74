"""The classification engine: which measures, tests, proofs and deadlines a pack gives a person.

Pure functions of a pack and the facts: ``fangkong plan evaluate`` calls them without a database,
and the measure services call the same functions with facts read from the register.
Day 0 is the anchor date in the installation's time zone (the arrival date for arrivals, the last
exposure for contacts); day N is N calendar days later.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from fangkong.people.reference_data import categories_held
from fangkong.policy.geography import city_of, province_of, significant_prefix
from fangkong.policy.models import MeasureKind
from fangkong.policy.packs import (
    ArrivalCondition,
    ArrivalRule,
    ContactRule,
    GatheringRule,
    GatheringType,
    Organiser,
    Pack,
    Place,
    Purpose,
    Rule,
    TravelRule,
)


@dataclass(frozen=True)
class RiskArea:
    region: str
    level: str
    start: dt.date
    end: dt.date


class RiskAreas:
    """Risk areas indexed by code prefix, so a stay is matched against thousands in O(1).

    Under each prefix only one area is kept per (level, from, to): the rules ask whether such an
    area exists, and the explanation names one of them.
    """

    def __init__(self, areas: Iterable[RiskArea] = ()) -> None:
        self.areas = tuple(areas)
        inside: dict[str, dict[tuple[str, dt.date, dt.date], RiskArea]] = defaultdict(dict)
        city: dict[str, dict[tuple[str, dt.date, dt.date], RiskArea]] = defaultdict(dict)
        for area in self.areas:
            key = (area.level, area.start, area.end)
            inside[significant_prefix(area.region)].setdefault(key, area)
            city[significant_prefix(city_of(area.region))].setdefault(key, area)
        self._inside = {prefix: list(found.values()) for prefix, found in inside.items()}
        self._city = {prefix: list(found.values()) for prefix, found in city.items()}

    def containing(self, code: str) -> list[RiskArea]:
        """Areas the region lies in (an area published at any level)."""
        found: list[RiskArea] = []
        for prefix in dict.fromkeys((code[:2], code[:4], code[:6], code[:9], code)):
            found.extend(self._inside.get(prefix, ()))
        return found

    def in_city_of(self, code: str) -> list[RiskArea]:
        """Areas in the same prefecture city as the region (所在地级市)."""
        found = list(self._city.get(code[:4], ()))
        found.extend(self._city.get(code[:2], ()))
        return found

    def __len__(self) -> int:
        return len(self.areas)


@dataclass(frozen=True)
class Stay:
    start: dt.date
    end: dt.date
    region: str = ""
    country: str = ""


@dataclass(frozen=True)
class Arrival:
    at: dt.datetime
    region: str
    categories: tuple[str, ...] = ()
    travel: tuple[Stay, ...] = ()
    risk_areas: RiskAreas = field(default_factory=RiskAreas)
    local_case_cities: frozenset[str] = frozenset()
    days_off_post: int | None = None  # C-07: days since a high-risk post worker left the post


@dataclass(frozen=True)
class TestResult:
    date: dt.date
    positive: bool


@dataclass(frozen=True)
class Contact:
    kind: str  # close_contact | secondary_contact
    last_at: dt.datetime  # the last exposure
    identified_at: dt.datetime
    categories: tuple[str, ...] = ()
    results: tuple[TestResult, ...] = ()  # one's own
    contact_results: tuple[TestResult, ...] = ()  # the close contact's (for a secondary contact)


@dataclass(frozen=True)
class Reading:
    at: dt.datetime
    celsius: float


@dataclass(frozen=True)
class Gathering:
    type: GatheringType
    people: int | None
    tables: int | None = None
    categories: tuple[str, ...] = ()
    organiser: Organiser | None = None
    purpose: Purpose | None = None
    classes: int | None = None


@dataclass
class Decision:
    """What the plan says: the JSON of ``plan evaluate`` and what the services store."""

    measures: list[dict[str, Any]] = field(default_factory=list)
    tests: list[dict[str, Any]] = field(default_factory=list)
    proofs: list[dict[str, Any]] = field(default_factory=list)
    status: str | None = None
    actions: list[str] = field(default_factory=list)
    obligations: list[dict[str, Any]] = field(default_factory=list)
    allowed: bool | None = None
    approval_required: bool | None = None
    filing_required: bool | None = None
    # A gathering's or a trip's answer in one word: forbidden, restricted, approval_required,
    # filing_required, advised_against or allowed (the most demanding that applies).
    verdict: str | None = None
    release: list[str] = field(default_factory=list)
    # The release judged from the facts given (release.release_answer's JSON), when asked.
    release_answer: dict[str, Any] | None = None
    # The proofs no negative result given shows (D-17, release.proofs_unmet), when asked.
    proofs_missing: list[dict[str, Any]] = field(default_factory=list)
    after_release: list[dict[str, Any]] = field(default_factory=list)
    # Gathering limits not judged because their count was not given: kept, the answer stands.
    limits: list[dict[str, Any]] = field(default_factory=list)
    explanation: list[dict[str, str]] = field(default_factory=list)
    rule: str = ""  # the rule whose measures these are

    def explain(self, pack: Pack, rule_id: str, clause: str, because: str) -> None:
        self.explanation.append(
            {
                "rule": rule_id,
                "clause": clause,
                "because": because,
                "plan": f"{pack.source.plan} {pack.source.title}",
            }
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "measures": self.measures,
            "tests": self.tests,
            "proofs": self.proofs,
            "status": self.status,
            "actions": self.actions,
            "obligations": self.obligations,
            "allowed": self.allowed,
            "approval_required": self.approval_required,
            "filing_required": self.filing_required,
            "verdict": self.verdict,
            "proofs_missing": self.proofs_missing,
            "release": self.release_answer
            or {"conditions": self.release, "allowed": None, "missing": [], "not_before": None},
            "after_release": self.after_release,
            "limits": self.limits,
            "explanation": self.explanation,
        }


@dataclass
class _StayFacts:
    """What one stay inside a travel window says, worked out once for all the rules."""

    stay: Stay
    start: dt.date  # the part of the stay inside the window
    end: dt.date
    areas: list[RiskArea]  # areas containing the stay, classed during that part
    city_areas: list[RiskArea]  # areas in the stay's city, classed during that part


def _window(arrival: Arrival, day0: dt.date, within_days: int) -> list[_StayFacts]:
    window_start = day0 - dt.timedelta(days=within_days)
    facts = []
    for s in arrival.travel:
        if s.start > day0 or s.end < window_start:
            continue
        lo = s.start if s.start > window_start else window_start
        hi = s.end if s.end < day0 else day0
        areas: list[RiskArea] = []
        city_areas: list[RiskArea] = []
        if s.region and arrival.risk_areas:
            areas = [
                a for a in arrival.risk_areas.containing(s.region) if a.start <= hi and lo <= a.end
            ]
            city_areas = [
                a for a in arrival.risk_areas.in_city_of(s.region) if a.start <= hi and lo <= a.end
            ]
        facts.append(_StayFacts(s, lo, hi, areas, city_areas))
    return facts


def _matched_stay(
    condition: ArrivalCondition,
    arrival: Arrival,
    held: frozenset[str],
    day0: dt.date,
    windows: dict[int, list[_StayFacts]],
) -> str | None:
    """A sentence naming what made the condition hold, or None when it does not.

    ``windows`` caches the facts of the stays inside each travel window, shared by the rules of
    one arrival; ``held`` are the person's categories with the wider ones that include them.
    """
    if condition.categories and held.isdisjoint(condition.categories):
        return None
    stays = windows.get(condition.within_days)
    if stays is None:
        stays = windows[condition.within_days] = _window(arrival, day0, condition.within_days)
    reasons: list[str] = []
    if condition.categories:
        reasons.append(f"is a {' / '.join(condition.categories)}")
    if condition.stayed_abroad:
        abroad = next((f.stay for f in stays if f.stay.country and f.stay.country != "CHN"), None)
        if abroad is None:
            return None
        reasons.append(f"stayed abroad ({abroad.country}) within {condition.within_days} days")
    for levels, in_city in (
        (condition.stayed_in_risk_area, False),
        (condition.stayed_in_city_of_risk_area, True),
    ):
        if not levels:
            continue
        hit = next(
            (
                (f, a)
                for f in stays
                for a in (f.city_areas if in_city else f.areas)
                if a.level in levels
            ),
            None,
        )
        if hit is None:
            return None
        found, area = hit
        where = "the city of" if in_city else "the"
        reasons.append(
            f"stayed in {found.stay.region}, in {where} {area.level} risk area {area.region}, "
            f"between {max(found.start, area.start)} and {min(found.end, area.end)}"
        )
    if condition.stayed_in_local_case_city:
        hit_city = next(
            (
                f.stay
                for f in stays
                if f.stay.region and city_of(f.stay.region) in arrival.local_case_cities
            ),
            None,
        )
        if hit_city is None:
            return None
        reasons.append(f"stayed in {hit_city.region}, a city with local cases")
    if condition.from_other_province:
        home = province_of(arrival.region)
        other = next(
            (f.stay for f in stays if f.stay.region and province_of(f.stay.region) != home),
            None,
        )
        if other is None:
            return None
        reasons.append(f"came from {other.region}, another province")
    return "; ".join(reasons) or "applies to every arrival"


def _phases(rule: Rule, day0: dt.date) -> list[dict[str, Any]]:
    """The rule's measure phases from day 0, each starting where the previous one ended."""
    measures: list[dict[str, Any]] = []
    day = 0
    for phase in rule.measures:
        start = day0 + dt.timedelta(days=day)
        if phase.open:
            measures.append({"kind": phase.kind, "start": start.isoformat(), "end": None})
            break
        end_day = phase.until_day if phase.until_day is not None else day + (phase.days or 0)
        measures.append(
            {
                "kind": phase.kind,
                "start": start.isoformat(),
                "end": (day0 + dt.timedelta(days=end_day)).isoformat(),
            }
        )
        day = end_day
    return measures


# The measure kinds, the most demanding first (MeasureKind lists them so).
_DEMAND_ORDER = tuple(MeasureKind.values)


def _demand(rule: Rule) -> tuple[float, ...]:
    """How demanding a rule's measures are: the days under each kind, the most demanding kind
    first (central quarantine, home quarantine, home health monitoring); an open phase lasts until
    released, longer than any count of days."""
    days = dict.fromkeys(_DEMAND_ORDER, 0.0)
    day = 0
    for phase in rule.measures:
        if phase.open:
            days[phase.kind] = math.inf
            break
        end_day = phase.until_day if phase.until_day is not None else day + (phase.days or 0)
        days[phase.kind] += end_day - day
        day = end_day
    return tuple(days.values())


@dataclass
class _Test:
    """A test a rule asks for: on a day (due by the midnight that ends it) or due at a time."""

    due: dt.datetime
    day: dt.date | None = None
    double_sample: bool = False

    def as_json(self) -> dict[str, Any]:
        if self.day is None:
            return {"due_by": self.due.isoformat()}
        if self.double_sample:
            return {"date": self.day.isoformat(), "double_sample": True}
        return {"date": self.day.isoformat()}


def _tests(rule: Rule, day0: dt.date, at: dt.datetime, tz: dt.tzinfo) -> list[_Test]:
    """The rule's tests: on fixed days after day 0, or each due within hours of ``at``."""
    tests: list[_Test] = []
    schedule = rule.tests
    if schedule is None:
        return tests
    last = len(schedule.days) - 1
    for index, test_day in enumerate(schedule.days):
        day = day0 + dt.timedelta(days=test_day)
        double = schedule.double_sample_last and index == last
        tests.append(_Test(_day_end(day, tz), day, double))
    if schedule.count and schedule.within_hours:
        # The latest each test may be taken and still leave room for the next one.
        for index in range(schedule.count):
            hours = schedule.within_hours - (schedule.count - 1 - index) * schedule.min_gap_hours
            tests.append(_Test(at + dt.timedelta(hours=hours)))
    return tests


@lru_cache(maxsize=4096)
def _day_end(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    # The same few days recur across a population: each is worked out once.
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)


def _add_tests(tests: list[_Test], more: list[_Test]) -> None:
    """Another rule's tests, each unless one already asked for serves it: a test of the same day,
    or for a test due within hours, one due no later (a test serves each rule once).

    ``tests`` are in the order they are due and stay so; ``more`` are one rule's, in that order,
    so the earliest tests not yet serving this rule are the ones to try, in turn.
    """
    by_day = {test.day: test for test in tests if test.day is not None}
    earlier = len(tests)
    serving = 0  # the next of the tests asked for before that may serve this rule
    added = False
    for test in more:
        if test.day is not None:
            same = by_day.get(test.day)
            if same is None:
                tests.append(test)
                added = True
            elif test.double_sample:
                same.double_sample = True
        elif serving < earlier and tests[serving].due <= test.due:
            serving += 1
        else:
            tests.append(test)
            added = True
    if added:
        tests.sort(key=lambda test: test.due)


def _compose(
    rules: Sequence[Rule], day0: dt.date, at: dt.datetime, tz: dt.tzinfo, decision: Decision
) -> Rule:
    """Every rule given acts (X-01: where measures conflict, the most demanding wins); returns the
    rule whose measures these are.

    The measures, release conditions and after-release phases are those of the rule with the most
    demanding measures (the first such rule on a tie); the tests, proofs and deadlines of every
    rule are all required, a test or proof serving several rules where it can.
    """
    measured = [rule for rule in rules if rule.measures]
    if len(measured) > 1:
        leading = max(measured, key=_demand)
    else:
        leading = measured[0] if measured else rules[0]
    decision.rule = leading.id
    decision.measures = _phases(leading, day0)
    decision.release = list(leading.release)
    decision.after_release = [
        {"kind": phase.kind, "days": phase.days, "until_day": phase.until_day}
        for phase in leading.after_release
    ]
    tests: list[_Test] = []
    for rule in (
        [leading, *(rule for rule in rules if rule is not leading)] if len(rules) > 1 else rules
    ):
        more = _tests(rule, day0, at, tz)
        if tests and more:
            _add_tests(tests, more)
        elif more:
            tests = more
        for proof in rule.proofs:
            held = next((p for p in decision.proofs if p["kind"] == proof.kind), None)
            if held is None:
                decision.proofs.append({"kind": proof.kind, "within_hours": proof.within_hours})
            else:
                # A proof within the shorter window also meets the longer one (D-17, X-02).
                held["within_hours"] = min(held["within_hours"], proof.within_hours)
        for template in rule.obligations:
            obligation = {
                "kind": template.kind,
                "due_by": (at + dt.timedelta(minutes=template.within_minutes)).isoformat(),
            }
            if obligation not in decision.obligations:
                decision.obligations.append(obligation)
    decision.tests = [test.as_json() for test in tests]
    return leading


def evaluate_arrival(pack: Pack, arrival: Arrival, tz: ZoneInfo) -> Decision:
    """Every rule of the pack whose condition holds applies (``_compose``); the explanation names
    the rule whose measures these are first, then every other rule that fired."""
    local_at = arrival.at.astimezone(tz)
    day0 = local_at.date()
    decision = Decision()
    windows: dict[int, list[_StayFacts]] = {}
    held = categories_held(arrival.categories)
    rules: list[ArrivalRule] = []
    reasons: list[str] = []
    for rule in pack.arrival_rules:
        reason = _matched_stay(rule.when, arrival, held, day0, windows)
        if reason is not None:
            rules.append(rule)
            reasons.append(reason)
    if not rules:
        travel_rules_at_arrival(pack, arrival, decision, tz)
        return decision
    leading = _compose(rules, day0, local_at, tz, decision)
    first = next(reason for rule, reason in zip(rules, reasons, strict=True) if rule is leading)
    decision.explain(pack, leading.id, leading.clause, first)
    for rule, reason in zip(rules, reasons, strict=True):
        if rule is leading:
            continue
        if rule.measures:
            reason += f"; its measures give way to the more demanding ones of rule {leading.id}"
        decision.explain(pack, rule.id, rule.clause, reason)
    travel_rules_at_arrival(pack, arrival, decision, tz)
    return decision


def _contact_rule(pack: Pack, contact: Contact) -> ContactRule | None:
    held = categories_held(contact.categories)
    for rule in pack.contact_rules:
        if rule.exposure != contact.kind:
            continue
        if rule.categories and held.isdisjoint(rule.categories):
            continue
        return rule
    return None


def evaluate_contact(pack: Pack, contact: Contact, tz: ZoneInfo) -> Decision:
    """A close or secondary contact's measures from the last exposure (day 0).

    A secondary contact under a conditional release (P14, D-12) is released on its day if the close
    contact's first tests and one's own tests on the given days are all negative, and is managed as
    a close contact as soon as one of the close contact's first tests is positive.
    """
    decision = Decision()
    rule = _contact_rule(pack, contact)
    if rule is None:
        return decision
    day0 = contact.last_at.astimezone(tz).date()
    identified = contact.identified_at.astimezone(tz)
    condition = rule.conditional_release
    if condition is None:
        _compose([rule], day0, identified, tz, decision)
        decision.explain(pack, rule.id, rule.clause, f"a {contact.kind}, last exposed {day0}")
        return decision
    first = sorted(contact.contact_results, key=lambda r: r.date)[: condition.contact_first_tests]
    positive = next((r for r in first if r.positive), None)
    if positive is not None:
        upgraded = pack.rule(condition.otherwise)
        _compose([upgraded], day0, identified, tz, decision)
        decision.actions.append("manage_as_close_contact")
        decision.explain(
            pack,
            upgraded.id,
            condition.clause,
            f"the close contact tested positive on {positive.date}, "
            f"within their first {condition.contact_first_tests} tests",
        )
        return decision
    _compose([rule], day0, identified, tz, decision)
    own_days = [day0 + dt.timedelta(days=d) for d in condition.own_test_days]
    own = {r.date: r.positive for r in contact.results}
    if any(own.values()):
        decision.actions.append("isolate")
        decision.explain(pack, rule.id, rule.clause, "one's own test is positive")
        return decision
    waiting: list[str] = []
    if len(first) < condition.contact_first_tests:
        waiting.append(
            f"{condition.contact_first_tests - len(first)} more of the close contact's first "
            f"{condition.contact_first_tests} tests"
        )
    missing = [d.isoformat() for d in own_days if d not in own]
    if missing:
        waiting.append(f"one's own tests on {', '.join(missing)}")
    release_on = day0 + dt.timedelta(days=condition.release_day)
    if waiting:
        decision.actions.append("await_results")
        because = f"release on {release_on} needs {'; and '.join(waiting)} negative"
    else:
        decision.actions.append("release")
        because = f"all required tests negative: released on {release_on}"
    decision.explain(pack, rule.id, condition.clause, because)
    return decision


def symptoms_counted(pack: Pack, symptoms: Iterable[str]) -> list[str]:
    """The symptoms the plan asks about (E-20: its list; a pack without one counts any)."""
    return [s for s in symptoms if not pack.symptoms or s in pack.symptoms]


def evaluate_temperature(
    pack: Pack,
    readings: Iterable[Reading],
    categories: tuple[str, ...],
    symptoms: tuple[str, ...],
    tz: ZoneInfo,
    noticed_at: dt.datetime | None = None,
) -> Decision:
    """Normal, re-measure, fever, or symptoms: the consecutive latest readings over the threshold
    count, and the symptoms on the plan's list (E-20) where the plan makes them count (D-06: a
    fever isolates only with them; P09, D-08: they alone are enough). ``noticed_at`` is when
    symptoms given without a reading were seen."""
    decision = Decision()
    rule = pack.temperature
    ordered = sorted(readings, key=lambda r: r.at)
    counted = symptoms_counted(pack, symptoms)
    if rule is None or not (ordered or (counted and rule.symptoms_alone and noticed_at)):
        decision.status = "normal"
        return decision
    run: list[Reading] = []
    for reading in ordered:
        run = [*run, reading] if rule.is_over(reading.celsius) else []
    needed = rule.confirmations_for(categories_held(categories))
    bound = f"{'≥' if rule.inclusive else '>'} {rule.above} °C"
    listed = f"the plan's symptoms ({', '.join(pack.symptoms) or 'any'})"
    if len(run) >= needed and not (rule.requires_symptoms and not counted):
        decision.status = "fever"
        onset = run[needed - 1].at.astimezone(tz)
        because = f"{needed} consecutive readings {bound} by {onset}"
        if rule.requires_symptoms:
            because += f", with {', '.join(counted)}"
    elif counted and rule.symptoms_alone:
        decision.status = "symptoms"
        seen = ordered[-1].at if ordered else noticed_at
        assert seen is not None
        onset = seen.astimezone(tz)
        because = f"{', '.join(counted)}: one of {listed} is enough"
    elif not run:
        decision.status = "normal"
        decision.explain(pack, "temperature", rule.clause, f"latest reading not {bound}")
        return decision
    elif len(run) < needed:
        decision.status = "recheck"
        decision.actions.append("retest")
        decision.explain(
            pack,
            "temperature",
            rule.clause,
            f"{len(run)} of {needed} consecutive readings {bound}: measure again",
        )
        return decision
    else:
        decision.status = "fever"
        decision.actions.append("monitor")
        decision.explain(pack, "temperature", rule.clause, f"{bound} without {listed}")
        return decision
    decision.actions.extend(rule.on_fever.actions)
    for template in rule.on_fever.obligations:
        decision.obligations.append(
            {
                "kind": template.kind,
                "due_by": (onset + dt.timedelta(minutes=template.within_minutes)).isoformat(),
            }
        )
    decision.explain(pack, "temperature", rule.clause, because)
    return decision


def _unknown_holder(rule: GatheringRule, gathering: Gathering) -> dict[str, list[str]] | None:
    """The organisers or purposes a rule is limited to that the gathering did not give: the rule is
    then answered as a limit (it applies if the gathering is so held)."""
    unknown: dict[str, list[str]] = {}
    if rule.organisers and gathering.organiser is None:
        unknown["organisers"] = list(rule.organisers)
    if rule.purposes and gathering.purpose is None:
        unknown["purposes"] = list(rule.purposes)
    return unknown or None


def _held_otherwise(rule: GatheringRule, gathering: Gathering) -> bool:
    """The gathering is held by someone else or for another purpose than the rule's."""
    return bool(
        (rule.organisers and gathering.organiser and gathering.organiser not in rule.organisers)
        or (rule.purposes and gathering.purpose and gathering.purpose not in rule.purposes)
    )


def evaluate_gathering(pack: Pack, gathering: Gathering) -> Decision:
    """Whether a gathering may be held and what it needs; every limit that bites is explained.

    Who holds it and what for decide some rules (P11: school-held events; P09: teaching); a rule
    limited to an organiser or purpose not given is answered in ``limits``, like a count not given.
    """
    decision = Decision(allowed=True, approval_required=False, filing_required=False)
    held = categories_held(gathering.categories)
    counts = {"people": gathering.people, "tables": gathering.tables, "classes": gathering.classes}
    for rule in pack.gathering_rules:
        if gathering.type not in rule.applies_to:
            continue
        if rule.categories and held.isdisjoint(rule.categories):
            continue
        if _held_otherwise(rule, gathering):
            continue
        unknown = _unknown_holder(rule, gathering)
        if unknown is not None:
            decision.limits.append({"rule": rule.id, **unknown, "effect": rule.effect})
            given = " / ".join(f"{key}: {', '.join(values)}" for key, values in unknown.items())
            decision.explain(
                pack, rule.id, rule.clause, f"not given whether {given}: {rule.effect} if so"
            )
            continue
        if rule.when is not None:
            value = counts[rule.when.of]
            bound = (
                f"at least {rule.when.at_least}"
                if rule.when.at_least is not None
                else f"more than {rule.when.more_than}"
            )
            if value is None:
                # Not given (a banquet by its people, a gathering by its tables): the answer holds
                # while the gathering keeps within the limit, which it names.
                limit = rule.when.model_dump(exclude_none=True)
                decision.limits.append({"rule": rule.id, **limit, "effect": rule.effect})
                decision.explain(
                    pack,
                    rule.id,
                    rule.clause,
                    f"{rule.when.of} not given: {rule.effect} at {bound} {rule.when.of}",
                )
                continue
            if not rule.when.holds(value):
                continue
            because = f"{value} {rule.when.of}: {bound}"
        else:
            because = f"every {gathering.type}"
        if rule.effect == "forbidden":
            decision.allowed = False
        elif rule.effect == "approval_required":
            decision.approval_required = True
        elif rule.effect == "filing_required":
            decision.filing_required = True
        elif "advise_against" not in decision.actions:
            decision.actions.append("advise_against")
        for proof in rule.proofs:
            entry = {"kind": proof.kind, "within_hours": proof.within_hours}
            if entry not in decision.proofs:
                decision.proofs.append(entry)
        decision.explain(pack, rule.id, rule.clause, f"{because} → {rule.effect}")
    if not decision.explanation:
        decision.explain(pack, "-", "", f"no rule of this plan limits this {gathering.type}")
    decision.verdict = _verdict(decision)
    return decision


def _verdict(decision: Decision, *, only_restricted: bool = False) -> str:
    """The most demanding answer of a gathering or a trip (forbidden … allowed);
    ``only_restricted``: what stops it is a strict restriction (严格限制), not a ban."""
    if decision.allowed is False:
        return "restricted" if only_restricted else "forbidden"
    if decision.approval_required:
        return "approval_required"
    if decision.filing_required:
        return "filing_required"
    if "advise_against" in decision.actions:
        return "advised_against"
    return "allowed"


def schedule_from(pack: Pack, decision: Decision, day0: dt.date, at: dt.datetime) -> Decision:
    """The same rules counted again from a new day 0 (D-04: a cross-infection at the site restarts
    the quarantine of everyone there): the decision's rule and every other its explanation names.
    ``at`` is the new day 0's start in the installation's zone."""
    again = Decision(actions=list(decision.actions))
    known = {rule.id: rule for rule in [*pack.arrival_rules, *pack.contact_rules]}
    named = dict.fromkeys([decision.rule, *(e["rule"] for e in decision.explanation)])
    assert at.tzinfo is not None
    _compose([known[i] for i in named if i in known], day0, at, at.tzinfo, again)
    again.explanation = [*decision.explanation]
    again.explain(
        pack,
        decision.rule,
        "D-04: 对所有风险人员重新计算和延长隔离时间",
        f"count restarted on {day0} after a cross-infection at the site",
    )
    return again


# Travel out of the area (出行): departures, and the same rules checked again on arrival.


@dataclass(frozen=True)
class Trip:
    """A trip from ``region`` to ``to_region`` or abroad (``to_country``), leaving at ``at``."""

    at: dt.datetime
    region: str
    to_region: str = ""
    to_country: str = ""
    categories: tuple[str, ...] = ()
    days_off_post: int | None = None
    health_code: str = ""
    symptoms: tuple[str, ...] = ()
    risk_areas: RiskAreas = field(default_factory=RiskAreas)


def _areas_on(areas: RiskAreas, code: str, day: dt.date) -> tuple[list[RiskArea], list[RiskArea]]:
    """The areas classed on the day that contain the region, and those in its city."""
    inside = [a for a in areas.containing(code) if a.start <= day <= a.end]
    city = [a for a in areas.in_city_of(code) if a.start <= day <= a.end]
    return inside, city


def _in_county_of(area: RiskArea, code: str) -> bool:
    """The region lies in the county of the area (所在县): inside the area, or the area inside
    the region's county."""
    prefix = significant_prefix(area.region)
    return code.startswith(prefix) or prefix.startswith(code[:6])


def _place_holds(
    place: Place, region: str, country: str, areas: RiskAreas, day: dt.date
) -> str | None:
    """A phrase naming why the place is one the rule means, or None. All given parts must hold."""
    if country and country != "CHN":
        if place.abroad and country not in place.except_countries:
            return f"abroad ({country})"
        return None
    if not region or place.abroad:
        return None
    if any(region.startswith(significant_prefix(code)) for code in place.except_regions):
        return None
    inside, city = _areas_on(areas, region, day)
    county = [a for a in city if _in_county_of(a, region)]
    other = place.in_other_county_of_city_of
    found: list[str] = []
    for levels, candidates, where in (
        (place.in_area, inside, "in the {level} area {area}"),
        (place.in_county_of, county, "in the county of the {level} area {area}"),
        (
            other,
            [] if any(a.level in other for a in county) else city,
            "in another county of the city of the {level} area {area}",
        ),
    ):
        if not levels:
            continue
        area = next((a for a in candidates if a.level in levels), None)
        if area is None:
            return None
        found.append(where.format(level=area.level, area=area.region))
    return f"{region}, " + ", ".join(found) if found else None


def _trip_holds(rule: TravelRule, trip: Trip, held: frozenset[str], day: dt.date) -> str | None:
    """A sentence naming what makes the rule apply to the trip, or None."""
    when = rule.when
    if when.categories and held.isdisjoint(when.categories):
        return None
    if when.health_codes and trip.health_code not in when.health_codes:
        return None
    if when.symptoms and not set(when.symptoms) & set(trip.symptoms):
        return None
    reasons: list[str] = []
    if when.categories:
        reasons.append(f"is a {' / '.join(when.categories)}")
    if when.health_codes:
        reasons.append(f"holds a {trip.health_code} health code")
    if when.symptoms:
        reasons.append(f"has {', '.join(sorted(set(when.symptoms) & set(trip.symptoms)))}")
    if when.cross_province:
        abroad = bool(trip.to_country) and trip.to_country != "CHN"
        if not abroad and province_of(trip.to_region) == province_of(trip.region):
            return None
        reasons.append("leaves the province")
    for place, region, country, what in (
        (when.leaving, trip.region, "", "leaves from"),
        (when.going_to, trip.to_region, trip.to_country, "goes to"),
    ):
        if place is None:
            continue
        found = _place_holds(place, region, country, trip.risk_areas, day)
        if found is None:
            return None
        reasons.append(f"{what} {found}")
    return "; ".join(reasons) or "every trip"


def _approval_holds(request: str, trip: Trip) -> bool:
    """Whether the trip is a request of this kind (J-01 … J-05: leaving the county, city …)."""
    if trip.to_country and trip.to_country != "CHN":
        return request != "gathering"
    if request == "travel":  # any trip (J-05, J-06, J-08: 出行, 出差)
        return True
    digits = {"leave_county": 6, "leave_city": 4, "leave_province": 2}.get(request)
    return digits is not None and trip.to_region[:digits] != trip.region[:digits]


def evaluate_departure(pack: Pack, trip: Trip, tz: ZoneInfo) -> Decision:
    """Whether a person may leave, and what they need: the proofs to hold, a filing, an approval
    (the pack's approval chains for leaving the county, city or province), the days off a
    high-risk post. A rule's day is the day of leaving; a limit not judged because a fact was not
    given (the days off post) is answered in ``limits``."""
    decision = Decision(allowed=True, approval_required=False, filing_required=False)
    day = trip.at.astimezone(tz).date()
    held = categories_held(trip.categories)
    banned = False
    for rule in pack.travel_rules:
        reason = _trip_holds(rule, trip, held, day)
        if reason is None:
            continue
        if rule.effect in ("forbidden", "restricted"):
            decision.allowed = False
            banned = banned or rule.effect == "forbidden"
        elif rule.effect == "advised_against" and "advise_against" not in decision.actions:
            decision.actions.append("advise_against")
        if rule.min_days_off_post is not None:
            days = rule.min_days_off_post
            if trip.days_off_post is None:
                limit = {"of": "days_off_post", "at_least": days, "effect": "forbidden"}
                decision.limits.append({"rule": rule.id, **limit})
                reason += f"; days off post not given: forbidden under {days} days"
            elif trip.days_off_post < days:
                decision.allowed = False
                banned = True
                reason += f"; off post {trip.days_off_post} days, fewer than {days}"
        _hold_proofs(rule, decision)
        if rule.filing_with:
            decision.filing_required = True
        decision.explain(pack, rule.id, rule.clause, reason)
    for approval in pack.approvals:
        if approval.categories and held.isdisjoint(approval.categories):
            continue
        if _approval_holds(approval.request, trip):
            decision.approval_required = True
            decision.explain(pack, approval.id, approval.clause, " → ".join(approval.steps))
    if not decision.explanation:
        decision.explain(pack, "-", "", "no rule of this plan limits this trip")
    decision.verdict = _verdict(decision, only_restricted=not banned)
    return decision


def _hold_proofs(rule: TravelRule, decision: Decision) -> None:
    for proof in rule.proofs:
        held = next((p for p in decision.proofs if p["kind"] == proof.kind), None)
        if held is None:
            decision.proofs.append({"kind": proof.kind, "within_hours": proof.within_hours})
        else:
            # A proof within the shorter window also meets the longer one (D-17, X-02).
            held["within_hours"] = min(held["within_hours"], proof.within_hours)


def travel_rules_at_arrival(pack: Pack, arrival: Arrival, decision: Decision, tz: ZoneInfo) -> None:
    """The proofs a trip needed to leave, checked again on arrival: the trip is the last stay
    before arrival, left on the day it ended. Bans are a departure's answer, not an arrival's, and
    an arrival from abroad is under the plan's entry rules."""
    rules = [rule for rule in pack.travel_rules if rule.proofs]
    if not rules or not arrival.travel:
        return
    last = max(arrival.travel, key=lambda s: (s.end, s.start))
    if not last.region:
        return
    trip = Trip(
        at=dt.datetime.combine(last.end, dt.time(), tz),
        region=last.region,
        to_region=arrival.region,
        categories=arrival.categories,
        days_off_post=arrival.days_off_post,
        risk_areas=arrival.risk_areas,
    )
    held = categories_held(arrival.categories)
    for rule in rules:
        reason = _trip_holds(rule, trip, held, last.end)
        if reason is None:
            continue
        days = rule.min_days_off_post
        if days is not None and arrival.days_off_post is not None and arrival.days_off_post < days:
            reason += f"; off post {arrival.days_off_post} days when leaving, fewer than {days}"
        _hold_proofs(rule, decision)
        decision.explain(pack, rule.id, rule.clause, f"left {last.region} on {last.end}: {reason}")

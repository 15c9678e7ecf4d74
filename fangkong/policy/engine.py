"""The classification engine: which measures, tests and proofs a pack gives a person.

Pure functions of a pack and a scenario: ``fangkong plan evaluate`` calls them without a database,
and the register's services will call the same functions with facts read from it.
Day 0 is the arrival date in the installation's time zone; day N is N calendar days later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from fangkong.policy.geography import city_of, province_of, region_contains
from fangkong.policy.packs import ArrivalCondition, ArrivalRule, Pack


@dataclass(frozen=True)
class RiskArea:
    region: str
    level: str
    start: dt.date
    end: dt.date


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
    risk_areas: tuple[RiskArea, ...] = ()
    local_case_cities: tuple[str, ...] = ()


@dataclass
class Decision:
    measures: list[dict[str, str]] = field(default_factory=list)
    tests: list[dict[str, str | bool]] = field(default_factory=list)
    proofs: list[dict[str, str | int]] = field(default_factory=list)
    explanation: list[dict[str, str]] = field(default_factory=list)


def _overlaps(a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date) -> bool:
    return a_start <= b_end and b_start <= a_end


def _matched_stay(condition: ArrivalCondition, arrival: Arrival, day0: dt.date) -> str | None:
    """A sentence naming what made the condition hold, or None when it does not."""
    window_start = day0 - dt.timedelta(days=condition.within_days)
    stays = [s for s in arrival.travel if _overlaps(s.start, s.end, window_start, day0)]
    reasons: list[str] = []
    if condition.stayed_abroad:
        abroad = [s for s in stays if s.country and s.country != "CHN"]
        if not abroad:
            return None
        reasons.append(f"stayed abroad ({abroad[0].country}) within {condition.within_days} days")
    for levels, in_city in (
        (condition.stayed_in_risk_area, False),
        (condition.stayed_in_city_of_risk_area, True),
    ):
        if not levels:
            continue
        hit = next(
            (
                (s, a)
                for s in stays
                if s.region
                for a in arrival.risk_areas
                if a.level in levels
                and (
                    region_contains(city_of(a.region), s.region)
                    if in_city
                    else region_contains(a.region, s.region)
                )
                and _overlaps(max(s.start, window_start), min(s.end, day0), a.start, a.end)
            ),
            None,
        )
        if hit is None:
            return None
        stay, area = hit
        where = "the city of" if in_city else "the"
        reasons.append(
            f"stayed in {stay.region}, in {where} {area.level} risk area {area.region}, "
            f"between {max(stay.start, area.start)} and {min(stay.end, area.end)}"
        )
    if condition.stayed_in_local_case_city:
        hit_city = next(
            (
                s
                for s in stays
                if s.region and city_of(s.region) in {city_of(c) for c in arrival.local_case_cities}
            ),
            None,
        )
        if hit_city is None:
            return None
        reasons.append(f"stayed in {hit_city.region}, a city with local cases")
    if condition.from_other_province:
        other = next(
            (s for s in stays if s.region and province_of(s.region) != province_of(arrival.region)),
            None,
        )
        if other is None:
            return None
        reasons.append(f"came from {other.region}, another province")
    return "; ".join(reasons) or "applies to every arrival"


def _apply(rule: ArrivalRule, arrival: Arrival, day0: dt.date, decision: Decision) -> None:
    day = 0
    for phase in rule.measures:
        end_day = phase.until_day if phase.until_day is not None else day + (phase.days or 0)
        decision.measures.append(
            {
                "kind": phase.kind,
                "start": (day0 + dt.timedelta(days=day)).isoformat(),
                "end": (day0 + dt.timedelta(days=end_day)).isoformat(),
            }
        )
        day = end_day
    if rule.tests is not None:
        schedule = rule.tests
        for index, test_day in enumerate(schedule.days):
            test: dict[str, str | bool] = {"date": (day0 + dt.timedelta(days=test_day)).isoformat()}
            if schedule.double_sample_last and index == len(schedule.days) - 1:
                test["double_sample"] = True
            decision.tests.append(test)
        if schedule.count and schedule.within_hours:
            # The latest each test may be taken and still leave room for the next one.
            for index in range(schedule.count):
                hours = (
                    schedule.within_hours - (schedule.count - 1 - index) * schedule.min_gap_hours
                )
                decision.tests.append(
                    {"due_by": (arrival.at + dt.timedelta(hours=hours)).isoformat()}
                )
    for proof in rule.proofs:
        decision.proofs.append({"kind": proof.kind, "within_hours": proof.within_hours})


def evaluate_arrival(pack: Pack, arrival: Arrival, tz: ZoneInfo) -> Decision:
    """The first rule of the pack whose condition holds decides; its reason is explained."""
    local_at = arrival.at.astimezone(tz)
    day0 = local_at.date()
    decision = Decision()
    for rule in pack.arrival_rules:
        reason = _matched_stay(rule.when, arrival, day0)
        if reason is None:
            continue
        _apply(rule, arrival.__class__(**{**arrival.__dict__, "at": local_at}), day0, decision)
        decision.explanation.append(
            {
                "rule": rule.id,
                "clause": rule.clause,
                "because": reason,
                "plan": f"{pack.source.plan} {pack.source.title}",
            }
        )
        break
    return decision

"""The JSON scenario of ``fangkong plan evaluate``: parsed strictly, errors naming the field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fangkong.core import clock
from fangkong.policy.engine import (
    Arrival,
    Contact,
    Decision,
    Gathering,
    Reading,
    RiskArea,
    RiskAreas,
    Stay,
    TestResult,
    Trip,
    evaluate_arrival,
    evaluate_contact,
    evaluate_departure,
    evaluate_gathering,
    evaluate_temperature,
    symptoms_counted,
)
from fangkong.policy.geography import city_of, known_region_codes
from fangkong.policy.models import ExposureKind
from fangkong.policy.packs import (
    ContactRule,
    GatheringType,
    HealthCode,
    Organiser,
    Pack,
    Purpose,
    symptoms_known,
)
from fangkong.policy.release import (
    Consent,
    ReleaseFacts,
    Sample,
    proofs_unmet,
    release_answer,
)


class ScenarioError(ValueError):
    """One line for the policy officer: which field is wrong and why."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=True)


def _region(code: str) -> str:
    if code not in known_region_codes():
        raise ValueError(f"unknown region code {code}")
    return code


def _in_zone(value: dt.datetime) -> dt.datetime:
    """A time without a zone is in the installation's (Asia/Shanghai unless configured otherwise);
    a date alone is the start of that day there."""
    return value if value.tzinfo is not None else value.replace(tzinfo=clock.tz())


class RiskAreaIn(_Model):
    region: str
    level: str
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")

    _check_region = field_validator("region")(_region)


class StayIn(_Model):
    region: str = ""
    country: str = ""
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")

    @field_validator("region")
    @classmethod
    def known(cls, value: str) -> str:
        return _region(value) if value else value

    @model_validator(mode="after")
    def place_and_order(self) -> StayIn:
        if not self.region and not self.country:
            raise ValueError("a stay needs a region or a country")
        if self.start > self.end:
            raise ValueError("a stay ends before it starts")
        return self


class ArrivalIn(_Model):
    at: dt.datetime
    region: str

    _check_region = field_validator("region")(_region)

    _check_at = field_validator("at")(_in_zone)


class PersonIn(_Model):
    categories: list[str] = Field(default_factory=list)
    symptoms: list[str] = Field(default_factory=list)  # codes of the packs' lists (E-20)
    days_off_post: int | None = Field(default=None, ge=0)  # C-07: a high-risk post worker's
    health_code: HealthCode | None = None  # C-09: 黄码 does not travel

    @field_validator("symptoms")
    @classmethod
    def symptoms_known(cls, value: list[str]) -> list[str]:
        known = symptoms_known()
        unknown = [code for code in value if code not in known]
        if unknown:
            raise ValueError(f"unknown symptoms {', '.join(unknown)}; known: {', '.join(known)}")
        return value


class ExposureIn(_Model):
    kind: ExposureKind
    last_at: dt.datetime
    identified_at: dt.datetime | None = None

    _check_last = field_validator("last_at")(_in_zone)

    @field_validator("identified_at")
    @classmethod
    def identified_in_zone(cls, value: dt.datetime | None) -> dt.datetime | None:
        return _in_zone(value) if value is not None else None


class ResultIn(_Model):
    """A result: the person's (default), or a sample of an object or the environment (D-05)."""

    date: dt.date
    result: Literal["positive", "negative"]
    kind: Literal["person", "object", "environment"] = "person"

    def as_sample(self) -> Sample:
        return Sample(self.date, self.result == "positive", self.kind)


class ConsentIn(_Model):
    """D-06: the consent to release, given by a named person on a day."""

    by: str = Field(min_length=1, max_length=100)
    on: dt.date


class ReadingIn(_Model):
    at: dt.datetime
    celsius: float = Field(ge=34, le=43)

    _check_at = field_validator("at")(_in_zone)


class GatheringIn(_Model):
    """A gathering by its people, its tables or both: a rule limiting a count not given is
    answered as a limit to keep."""

    type: GatheringType
    people: int | None = Field(default=None, ge=1)
    tables: int | None = Field(default=None, ge=1)
    classes: int | None = Field(default=None, ge=1)  # a school's teaching by its classes (P09)
    organiser: Organiser | None = None
    purpose: Purpose | None = None

    @model_validator(mode="after")
    def counted(self) -> GatheringIn:
        if self.people is None and self.tables is None and self.classes is None:
            raise ValueError("give people, tables or classes")
        return self


class DepartureIn(_Model):
    """A trip out of the area: leaving ``region`` at ``at`` for ``to_region`` or abroad."""

    at: dt.datetime
    region: str
    to_region: str = ""
    to_country: str = ""

    _check_region = field_validator("region")(_region)
    _check_at = field_validator("at")(_in_zone)

    @field_validator("to_region")
    @classmethod
    def destination_known(cls, value: str) -> str:
        return _region(value) if value else value

    @model_validator(mode="after")
    def has_destination(self) -> DepartureIn:
        if not self.to_region and not self.to_country:
            raise ValueError("give to_region or to_country")
        return self


NEEDS = {
    "arrival": "arrival",
    "contact": "exposure",
    "temperature": "readings",
    "gathering": "gathering",
    "departure": "departure",
}


class Scenario(_Model):
    kind: Literal["arrival", "contact", "temperature", "gathering", "departure"]
    plan: str
    as_of: dt.datetime
    person: PersonIn = Field(default_factory=PersonIn)
    risk_areas: list[RiskAreaIn] = Field(default_factory=list)
    local_case_cities: list[str] = Field(default_factory=list)
    travel: list[StayIn] = Field(default_factory=list)
    arrival: ArrivalIn | None = None
    exposure: ExposureIn | None = None
    results: list[ResultIn] = Field(default_factory=list)
    contact_results: list[ResultIn] = Field(default_factory=list)
    readings: list[ReadingIn] = Field(default_factory=list)
    gathering: GatheringIn | None = None
    departure: DepartureIn | None = None
    consent: ConsentIn | None = None

    _check_as_of = field_validator("as_of")(_in_zone)

    @field_validator("local_case_cities")
    @classmethod
    def cities_known(cls, value: list[str]) -> list[str]:
        return [_region(code) for code in value]

    @model_validator(mode="after")
    def has_its_facts(self) -> Scenario:
        needed = NEEDS[self.kind]
        # Symptoms alone may be the facts of a temperature scenario (P09, D-08).
        if self.kind == "temperature" and self.person.symptoms:
            return self
        if not getattr(self, needed):
            raise ValueError(f"{needed}: a {self.kind} scenario needs {needed}")
        return self

    def to_arrival(self) -> Arrival:
        assert self.arrival is not None
        return Arrival(
            at=self.arrival.at,
            region=self.arrival.region,
            categories=tuple(self.person.categories),
            travel=tuple(Stay(s.start, s.end, s.region, s.country.upper()) for s in self.travel),
            risk_areas=RiskAreas(
                RiskArea(a.region, a.level, a.start, a.end) for a in self.risk_areas
            ),
            local_case_cities=frozenset(city_of(code) for code in self.local_case_cities),
            days_off_post=self.person.days_off_post,
        )

    def to_contact(self) -> Contact:
        assert self.exposure is not None
        return Contact(
            kind=self.exposure.kind,
            last_at=self.exposure.last_at,
            identified_at=self.exposure.identified_at or self.as_of,
            categories=tuple(self.person.categories),
            results=tuple(
                TestResult(r.date, r.result == "positive")
                for r in self.results
                if r.kind == "person"
            ),
            contact_results=tuple(
                TestResult(r.date, r.result == "positive") for r in self.contact_results
            ),
        )

    def evaluate(self, pack: Pack, tz: ZoneInfo) -> Decision:
        """The same engine as the register's services, on the scenario's facts; the release and
        the proofs are judged from the results and the consent given."""
        decision = self._decide(pack, tz)
        samples = tuple(r.as_sample() for r in self.results)
        checked_at = self.arrival.at if self.kind == "arrival" and self.arrival else self.as_of
        decision.proofs_missing = proofs_unmet(decision.proofs, samples, checked_at)
        if decision.measures:
            decision.release_answer = self.release(pack, decision, samples, tz)
        return decision

    def release(
        self, pack: Pack, decision: Decision, samples: tuple[Sample, ...], tz: ZoneInfo
    ) -> dict[str, Any]:
        """Whether the decision's measures may be released on the day of ``as_of``."""
        rule = pack.rule(decision.rule)
        day0 = dt.date.fromisoformat(decision.measures[0]["start"])
        released_on = None
        if (
            isinstance(rule, ContactRule)
            and rule.conditional_release
            and "release" in decision.actions
        ):
            released_on = day0 + dt.timedelta(days=rule.conditional_release.release_day)
        facts = ReleaseFacts(
            samples,
            Consent(self.consent.by, self.consent.on) if self.consent else None,
            tuple(symptoms_counted(pack, self.person.symptoms)),
        )
        phases = [
            (
                dt.date.fromisoformat(m["start"]),
                dt.date.fromisoformat(m["end"]) if m["end"] else None,
            )
            for m in decision.measures
        ]
        on = self.as_of.astimezone(tz).date()
        return release_answer(rule, day0, phases, on, facts, released_on).as_json()

    def _decide(self, pack: Pack, tz: ZoneInfo) -> Decision:
        if self.kind == "arrival":
            return evaluate_arrival(pack, self.to_arrival(), tz)
        if self.kind == "contact":
            return evaluate_contact(pack, self.to_contact(), tz)
        if self.kind == "temperature":
            readings = [Reading(r.at, r.celsius) for r in self.readings]
            return evaluate_temperature(
                pack,
                readings,
                tuple(self.person.categories),
                tuple(self.person.symptoms),
                tz,
                noticed_at=self.as_of,
            )
        if self.kind == "departure":
            return evaluate_departure(pack, self.to_trip(), tz)
        assert self.gathering is not None
        gathering = Gathering(
            self.gathering.type,
            self.gathering.people,
            self.gathering.tables,
            tuple(self.person.categories),
            self.gathering.organiser,
            self.gathering.purpose,
            self.gathering.classes,
        )
        return evaluate_gathering(pack, gathering)

    def to_trip(self) -> Trip:
        assert self.departure is not None
        return Trip(
            at=self.departure.at,
            region=self.departure.region,
            to_region=self.departure.to_region,
            to_country=self.departure.to_country.upper(),
            categories=tuple(self.person.categories),
            days_off_post=self.person.days_off_post,
            health_code=self.person.health_code or "",
            symptoms=tuple(self.person.symptoms),
            risk_areas=RiskAreas(
                RiskArea(a.region, a.level, a.start, a.end) for a in self.risk_areas
            ),
        )


def scenario_parse(text: str) -> Scenario:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(f"not valid JSON: {error.msg} at line {error.lineno}") from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        field, message = scenario_problems(error)[0]
        raise ScenarioError(f"{field}: {message}") from None


def scenario_problems(error: ValidationError, whole: str = "(scenario)") -> list[tuple[str, str]]:
    """Each problem of a scenario as (field path, reason), for the CLI, the form and the API;
    ``whole`` names a problem of the scenario as a whole."""
    return [
        (
            ".".join(str(part) for part in problem["loc"]) or whole,
            problem["msg"].removeprefix("Value error, "),
        )
        for problem in error.errors()
    ]

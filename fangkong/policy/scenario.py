"""The JSON scenario of ``fangkong plan evaluate``: parsed strictly, errors naming the field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fangkong.policy.engine import Arrival, RiskArea, Stay
from fangkong.policy.geography import known_region_codes


class ScenarioError(ValueError):
    """One line for the policy officer: which field is wrong and why."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _region(code: str) -> str:
    if code not in known_region_codes():
        raise ValueError(f"unknown region code {code}")
    return code


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

    @field_validator("at")
    @classmethod
    def aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("give the time zone, e.g. 2022-02-01T10:00:00+08:00")
        return value


class PersonIn(_Model):
    categories: list[str] = Field(default_factory=list)


class Scenario(_Model):
    kind: Literal["arrival"]
    plan: str
    as_of: dt.datetime
    person: PersonIn = Field(default_factory=PersonIn)
    risk_areas: list[RiskAreaIn] = Field(default_factory=list)
    local_case_cities: list[str] = Field(default_factory=list)
    travel: list[StayIn] = Field(default_factory=list)
    arrival: ArrivalIn

    @field_validator("local_case_cities")
    @classmethod
    def cities_known(cls, value: list[str]) -> list[str]:
        return [_region(code) for code in value]

    def to_arrival(self) -> Arrival:
        return Arrival(
            at=self.arrival.at,
            region=self.arrival.region,
            categories=tuple(self.person.categories),
            travel=tuple(Stay(s.start, s.end, s.region, s.country.upper()) for s in self.travel),
            risk_areas=tuple(RiskArea(a.region, a.level, a.start, a.end) for a in self.risk_areas),
            local_case_cities=tuple(self.local_case_cities),
        )


def scenario_parse(text: str) -> Scenario:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(f"not valid JSON: {error.msg} at line {error.lineno}") from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(scenario)"
        message = first["msg"].removeprefix("Value error, ")
        raise ScenarioError(f"{field}: {message}") from None

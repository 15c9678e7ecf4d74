"""Policy packs: the rules of a work plan (方案) as validated YAML (policies/*.yaml).

A pack is data the engine applies; nothing disease-specific or plan-specific is in the code. An
error in a pack names the file, the line and the field.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

POLICIES_DIR = Path(__file__).resolve().parent.parent.parent / "policies"
MeasureKind = Literal["central_quarantine", "home_quarantine", "home_health_monitoring"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    plan: str  # P01 … P17 of PLANS.md
    line: int  # the plan's first line in the seed file
    title: str


class Phase(Strict):
    """A measure lasting ``days`` days, starting where the previous phase ended (day 0 first).

    ``until_day`` instead ends it on that day ("满7天": until 7 full days after arrival).
    """

    kind: MeasureKind
    days: int | None = Field(default=None, ge=1)
    until_day: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def one_length(self) -> Phase:
        if (self.days is None) == (self.until_day is None):
            raise ValueError("give either days or until_day")
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


class ArrivalRule(Strict):
    id: str
    clause: str  # the plan's words or the requirement id it implements
    when: ArrivalCondition
    measures: list[Phase] = Field(default_factory=list)
    tests: SamplingSchedule | None = None
    proofs: list[Proof] = Field(default_factory=list)


class Pack(Strict):
    id: str
    source: Source
    risk_levels: list[str]
    arrival_rules: list[ArrivalRule] = Field(default_factory=list)
    out_of_scope: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def levels_declared(self) -> Pack:
        for rule in self.arrival_rules:
            for level in rule.when.stayed_in_risk_area + rule.when.stayed_in_city_of_risk_area:
                if level not in self.risk_levels:
                    raise ValueError(f"rule {rule.id}: risk level {level!r} is not in risk_levels")
        return self


class PackError(ValueError):
    """A pack that does not load; the message names the file, the line and the field."""


def _line_of(node: yaml.Node, loc: tuple[int | str, ...]) -> int:
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == key:
                    node = value_node
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1


def pack_load(path: Path) -> Pack:
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise PackError(f"{path.name}:{line}: not valid YAML: {error}") from error
    if node is None or not isinstance(data, dict):
        raise PackError(f"{path.name}:1: a pack is a mapping of fields")
    try:
        pack = Pack.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(pack)"
        line = _line_of(node, tuple(first["loc"]))
        raise PackError(f"{path.name}:{line}: {field}: {first['msg']}") from error
    if pack.id != path.stem:
        raise PackError(
            f"{path.name}:{_line_of(node, ('id',))}: id: must be the file name, {path.stem}"
        )
    return pack


@lru_cache(maxsize=1)
def packs_all() -> dict[str, Pack]:
    return {path.stem: pack_load(path) for path in sorted(POLICIES_DIR.glob("*.yaml"))}

"""Release (解除隔离) and proofs as decisions from recorded facts, not labels.

Pure functions, like the engine: ``fangkong plan evaluate`` gives the facts in the scenario, the
register reads them (results, object and environment samples, the consent given by a named
person). A release is allowed when every condition of the rule is met and the measures begun by
the release day are over (or a conditional release decided that day, D-12).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fangkong.policy.packs import Rule

# 人、物、环境三样本 (D-05, F-12): whose sample a result is.
SAMPLE_KINDS = ("person", "object", "environment")
# What a release can be missing, beside each kind's negative sample (``<kind>_sample_negative``).
PERIOD_OVER = "period_over"  # the measures begun by the release day have not ended
LAST_TEST = "last_test_negative"  # D-14: the rule's last test, negative
LAST_TEST_DOUBLE = "last_test_double_sample_negative"  # D-14: 双采双检, both samples negative
CONSENT = "headquarters_consent"  # D-06: consent given by a named person
SYMPTOMS_RESOLVED = "symptoms_resolved"  # D-08


@dataclass(frozen=True)
class Sample:
    """A result: of the person, or of an object or the environment around them (D-05)."""

    date: dt.date
    positive: bool
    kind: str = "person"


@dataclass(frozen=True)
class Consent:
    """D-06: 区疫情防控指挥部同意 — who gave it (a named person) and on which day."""

    by: str
    on: dt.date


@dataclass(frozen=True)
class ReleaseFacts:
    samples: tuple[Sample, ...] = ()
    consent: Consent | None = None
    symptoms: tuple[str, ...] = ()  # the person's current symptoms on the plan's list


@dataclass
class ReleaseAnswer:
    """可以解除：是 / 否，缺少：… — ``missing`` in the order the conditions are listed."""

    conditions: list[str]
    allowed: bool
    missing: list[str] = field(default_factory=list)
    not_before: dt.date | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "conditions": self.conditions,
            "allowed": self.allowed,
            "missing": self.missing,
            "not_before": self.not_before.isoformat() if self.not_before else None,
        }


def _latest_negative(samples: Sequence[Sample]) -> bool:
    """The latest sample is negative (a positive one on the same day counts against)."""
    if not samples:
        return False
    last = max(s.date for s in samples)
    return not any(s.positive for s in samples if s.date == last)


def release_answer(
    rule: Rule,
    day0: dt.date,
    phases: Iterable[tuple[dt.date, dt.date | None]],
    on: dt.date,
    facts: ReleaseFacts,
    released_on: dt.date | None = None,
) -> ReleaseAnswer:
    """Whether the rule's measures, begun on ``day0`` in ``phases`` (start, end or None when
    open), may be released on ``on`` from the facts; ``released_on`` is the day a conditional
    release (D-12) decided, which replaces the phases' end."""
    missing: list[str] = []
    if released_on is not None:
        not_before = released_on if on < released_on else None
    else:
        ends = [end for start, end in phases if start <= on and end is not None]
        not_before = max(ends) if ends and on < max(ends) else None
    if not_before is not None:
        missing.append(PERIOD_OVER)
    during = [s for s in facts.samples if day0 <= s.date <= on]
    person = [s for s in during if s.kind == "person"]
    for condition in rule.release:
        if condition == "person_object_environment_negative":
            for kind in SAMPLE_KINDS:
                if not _latest_negative([s for s in during if s.kind == kind]):
                    missing.append(f"{kind}_sample_negative")
        elif condition == "last_test_negative":
            days = rule.tests.days if rule.tests else []
            last_day = day0 + dt.timedelta(days=days[-1]) if days else day0
            double = bool(rule.tests and rule.tests.double_sample_last)
            since = [s for s in person if s.date >= last_day]
            by_day: dict[dt.date, list[Sample]] = {}
            for sample in since:
                by_day.setdefault(sample.date, []).append(sample)
            met = not any(s.positive for s in since) and any(
                len(found) >= (2 if double else 1) for found in by_day.values()
            )
            if not met:
                missing.append(LAST_TEST_DOUBLE if double else LAST_TEST)
        elif condition == "headquarters_consent":
            consent = facts.consent
            if consent is None or not consent.by.strip() or consent.on > on:
                missing.append(CONSENT)
        elif condition == "symptoms_resolved":
            if facts.symptoms:
                missing.append(SYMPTOMS_RESOLVED)
            if not _latest_negative(person) and "person_sample_negative" not in missing:
                missing.append("person_sample_negative")
        else:  # hospital_certificate: checked on the illness absence's return (D-10)
            missing.append(condition)
    return ReleaseAnswer(list(rule.release), not missing, missing, not_before)


def proofs_unmet(
    proofs: Iterable[dict[str, Any]], samples: Iterable[Sample], at: dt.datetime
) -> list[dict[str, Any]]:
    """The proofs (D-17) no negative result of the person shows at ``at``: a valid proof was
    sampled at least ``at`` − its window; a result known by its date counts from that day's start
    (in ``at``'s zone), the reading that never accepts a proof too old."""
    assert at.tzinfo is not None
    negatives = [s.date for s in samples if s.kind == "person" and not s.positive]
    unmet = []
    for proof in proofs:
        earliest = at - dt.timedelta(hours=proof["within_hours"])
        if not any(
            earliest <= dt.datetime.combine(day, dt.time(), at.tzinfo) <= at for day in negatives
        ):
            unmet.append(proof)
    return unmet

"""Recurring testing from the pack in force: the weekly test-all groups (F-01 应检尽检) and the
environment samples of clinics, markets and other places (F-03).

Each period's obligations are opened by the tick on any day of the period (the tick runs every
minute; a unique constraint per period makes it idempotent, and the people or places already
holding this period's obligation are left out of the read). A sample taken within the period
meets it; past the period it is missed like any deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from django.db.models import Exists, OuterRef, QuerySet

from fangkong.obligations.models import Obligation, ObligationKind, ObligationSource
from fangkong.obligations.services import obligations_open
from fangkong.obligations.specs import Owner, Periodic, period_of
from fangkong.org.models import Unit
from fangkong.people.models import Person
from fangkong.people.reference_data import categories_covered
from fangkong.policy.packs import EnvironmentSampling, Pack, TestGroup
from fangkong.policy.resolver import PackResolver

Schedule = TypeVar("Schedule", TestGroup, EnvironmentSampling)
# (person or None, unit, unit path) of whoever may owe a schedule's obligation this period.
Candidates = Iterable[tuple[int | None, int, str]]


def _open(
    day: dt.date,
    kind: str,
    schedules_of: Callable[[Pack], Sequence[Schedule]],
    candidates: Callable[[Schedule, QuerySet[Obligation]], Candidates],
) -> int:
    """Open this period's obligation of each schedule for the candidates without one whose pack in
    force has that schedule."""
    resolver = PackResolver.of_day(day)
    schedules = {s.model_dump_json(): s for pack in resolver.packs for s in schedules_of(pack)}
    specs = []
    for schedule in schedules.values():
        start, _end = period_of(day, schedule.every_days)
        held = Obligation.objects.scheduled(
            schedule.id, Periodic.due_for(start, schedule.every_days)
        )
        for person_id, unit_id, path in candidates(schedule, held):
            pack = resolver.pack(path)
            if pack is None or schedule not in schedules_of(pack):
                continue
            owner = Owner(
                unit_id, ObligationSource.SCHEDULE, person_id, pack_id=pack.id,
                rule_id=schedule.id, clause=schedule.clause,
            )  # fmt: skip
            specs.append(Periodic(owner, kind, start, schedule.every_days))
    return obligations_open(specs, once=True)


def scheduled_tests_open(day: dt.date) -> int:
    """Everyone in a test-all group of the pack in force for their unit owes a test this period."""

    def people(group: TestGroup, held: QuerySet[Obligation]) -> Candidates:
        return (
            Person.objects.filter(categories__code__in=categories_covered(group.categories))
            .filter(~Exists(held.filter(person=OuterRef("pk"))))
            .values_list("pk", "unit_id", "unit__path")
            .distinct()
        )

    return _open(day, ObligationKind.TEST, lambda pack: pack.test_groups, people)


def environment_samples_open(day: dt.date) -> int:
    """Every place of the kinds the pack in force names owes an environment sample this period."""

    def places(schedule: EnvironmentSampling, held: QuerySet[Obligation]) -> Candidates:
        units = Unit.objects.filter(kind__in=schedule.unit_kinds).filter(
            ~Exists(held.filter(unit=OuterRef("pk"), person=None))
        )
        return ((None, pk, path) for pk, path in units.values_list("pk", "path"))

    return _open(
        day, ObligationKind.ENVIRONMENT_SAMPLE, lambda pack: pack.environment_sampling, places
    )

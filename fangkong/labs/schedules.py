"""Recurring testing from the pack in force: the weekly test-all groups (F-01 应检尽检) and the
environment samples of clinics, markets and other places (F-03).

Each period's obligations are opened by the tick on any day of the period (the tick runs every
minute; a unique constraint per period makes it idempotent, and the people or places already
holding this period's obligation are left out of the read). A sample taken within the period
meets it; past the period it is missed like any deadline.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from fangkong.core import clock
from fangkong.org.models import Unit
from fangkong.people.models import Person
from fangkong.policy.classify import PackResolver, tz
from fangkong.policy.models import Obligation, ObligationKind, ObligationSource

# Periods are counted from a Monday, so a weekly period runs Monday to Sunday.
ANCHOR = dt.date(2020, 1, 6)


def period_of(day: dt.date, every_days: int) -> tuple[dt.date, dt.date]:
    """The period of ``every_days`` days holding ``day``: its first day and the day after it."""
    start = ANCHOR + dt.timedelta(days=(day - ANCHOR).days // every_days * every_days)
    return start, start + dt.timedelta(days=every_days)


def _due(end: dt.date) -> dt.datetime:
    return dt.datetime.combine(end, dt.time(), tz())


def scheduled_tests_open(day: dt.date) -> int:
    """Everyone in a test-all group of the pack in force for their unit owes a test this period."""
    resolver = PackResolver.of_day(day)
    groups = {g.model_dump_json(): g for pack in resolver.packs for g in pack.test_groups}
    now = clock.now()
    rows = []
    for group in groups.values():
        start, end = period_of(day, group.every_days)
        held = Obligation.objects.filter(
            person=OuterRef("pk"), source=ObligationSource.SCHEDULE, rule_id=group.id,
            due_at=_due(end),
        )  # fmt: skip
        people = (
            Person.objects.filter(categories__code__in=group.categories)
            .filter(~Exists(held))
            .values_list("pk", "unit_id", "unit__path")
            .distinct()
        )
        for person_id, unit_id, path in people:
            pack = resolver.pack(path)
            if pack is None or group not in pack.test_groups:
                continue
            rows.append(
                Obligation(
                    kind=ObligationKind.TEST, person_id=person_id, unit_id=unit_id,
                    due_at=_due(end), source=ObligationSource.SCHEDULE, pack_id=pack.id,
                    rule_id=group.id, clause=group.clause, created_at=now,
                    detail={"since": start.isoformat(), "every_days": group.every_days},
                )
            )  # fmt: skip
    Obligation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)
    return len(rows)


def environment_samples_open(day: dt.date) -> int:
    """Every place of the kinds the pack in force names owes an environment sample this period."""
    resolver = PackResolver.of_day(day)
    schedules = {
        e.model_dump_json(): e for pack in resolver.packs for e in pack.environment_sampling
    }
    now = clock.now()
    rows = []
    for schedule in schedules.values():
        start, end = period_of(day, schedule.every_days)
        held = Obligation.objects.filter(
            unit=OuterRef("pk"), person=None, source=ObligationSource.SCHEDULE,
            rule_id=schedule.id, due_at=_due(end),
        )  # fmt: skip
        places = Unit.objects.filter(kind__in=schedule.unit_kinds).filter(~Exists(held))
        for unit_id, path in places.values_list("pk", "path"):
            pack = resolver.pack(path)
            if pack is None or schedule not in pack.environment_sampling:
                continue
            rows.append(
                Obligation(
                    kind=ObligationKind.ENVIRONMENT_SAMPLE, unit_id=unit_id, due_at=_due(end),
                    source=ObligationSource.SCHEDULE, pack_id=pack.id, rule_id=schedule.id,
                    clause=schedule.clause, created_at=now,
                    detail={"since": start.isoformat(), "every_days": schedule.every_days},
                )
            )  # fmt: skip
    Obligation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)
    return len(rows)

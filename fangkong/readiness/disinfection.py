"""Disinfection (消毒): the places a unit disinfects on a schedule (L-02 每日消毒两次) or once after
a case was there (L-12, H-07), and the log of each disinfection (agent, concentration, duration,
who; L-08 500 mg/L 含氯消毒液).

Each time a schedule asks for is an obligation of kind ``disinfection`` (the deadline lists show
it, the tick marks it missed); a log entry meets the earliest one still owed that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.inputs import date_problem
from fangkong.obligations.models import Obligation, ObligationKind, ObligationSource
from fangkong.obligations.services import obligations_cancel, obligations_meet, obligations_open
from fangkong.obligations.specs import AfterEvent, Due, Owner, Spec
from fangkong.org.access import AnyUser, acting_user, any_role_scope, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.policy.packs import DisinfectionRule
from fangkong.policy.resolver import PackResolver
from fangkong.readiness.models import DisinfectionLog, DisinfectionSchedule
from fangkong.tracing.models import Case, Scan, Venue

TIMES_PER_DAY_MAX = 12
CONCENTRATION_MAX = 100_000  # mg/L: a tenth of the solution
DURATION_MAX = 24 * 60
# A disinfection is logged at most this long afterwards.
BACKDATE_DAYS = 2
# The case's places: the venues the person scanned in these days before the report.
CASE_PLACES_DAYS = 14


def slots(times_per_day: int, day: dt.date) -> list[dt.datetime]:
    """When each time of the day is due: the day split in equal parts, each due at the end of its
    part (twice a day: by noon and by midnight)."""
    start = clock.local_midnight(day)
    length = clock.day_end(day) - start
    return [start + length * (n + 1) / times_per_day for n in range(times_per_day)]


def _daily_specs(schedule: DisinfectionSchedule, day: dt.date, after: dt.datetime) -> list[Spec]:
    owner = Owner(
        schedule.unit_id,
        ObligationSource.SCHEDULE,
        pack_id=schedule.pack_id,
        rule_id=schedule.rule_id,
        clause=schedule.clause,
    )
    assert schedule.times_per_day is not None  # noqa: S101 - a daily schedule
    return [
        Due(owner, ObligationKind.DISINFECTION, due_at)
        for due_at in slots(schedule.times_per_day, day)
        if due_at > after
    ]


def rule_for(unit: Unit, resolver: PackResolver) -> tuple[str, DisinfectionRule] | None:
    """The plan (its id) and its disinfection rule when the plan in force sets one for the unit."""
    pack = resolver.pack(unit.path)
    if pack is None:
        return None
    for rule in pack.disinfection:
        if unit.kind in rule.unit_kinds:
            return pack.id, rule
    return None


def _may_keep(actor: AnyUser, unit: Unit) -> None:
    if not user_can(actor, Capability.KEEP_SUPPLIES, unit):
        raise PermissionDenied(_("You may not keep this unit's disinfection log."))


@transaction.atomic
def schedule_add(
    *, actor: AnyUser, unit: Unit, place: str, times_per_day: int
) -> DisinfectionSchedule:
    """A place the unit disinfects ``times_per_day`` times a day from now on: at least as often
    as the plan in force asks (L-02)."""
    _may_keep(actor, unit)
    place = place.strip()
    problems: dict[str, str] = {}
    if not place:
        problems["place"] = _("Name the place to disinfect.")
    rule = rule_for(unit, PackResolver.of_day(clock.localdate()))
    if not 1 <= times_per_day <= TIMES_PER_DAY_MAX:
        problems["times_per_day"] = _("Disinfect 1 to 12 times a day.")
    elif rule is not None and times_per_day < rule[1].times_per_day:
        problems["times_per_day"] = _("The plan in force asks %(n)d times a day.") % {
            "n": rule[1].times_per_day
        }
    if problems:
        raise ValidationError(problems)
    schedule = DisinfectionSchedule.objects.create(
        unit=unit,
        place=place[:100],
        times_per_day=times_per_day,
        pack_id=rule[0] if rule else "",
        clause=rule[1].clause if rule else "",
        created_at=clock.now(),
        created_by=acting_user(actor),
    )
    obligations_open(_daily_specs(schedule, clock.localdate(), clock.now()), once=True)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="disinfection_schedule",
        object_id=schedule.pk,
        unit_id=unit.pk,
        summary=f"{schedule.place} ×{times_per_day}",
    )
    return schedule


@transaction.atomic
def schedule_stop(*, actor: AnyUser, schedule: DisinfectionSchedule) -> DisinfectionSchedule:
    """The place is no longer disinfected on schedule: the times still to come are cancelled, the
    missed ones stay on record."""
    _may_keep(actor, schedule.unit)
    DisinfectionSchedule.objects.filter(pk=schedule.pk).update(active=False)
    obligations_cancel(
        Obligation.objects.filter(rule_id=schedule.rule_id, due_at__gt=clock.now()).open()
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="disinfection_schedule",
        object_id=schedule.pk,
        unit_id=schedule.unit_id,
        summary=_("stopped"),
    )
    schedule.active = False
    return schedule


@dataclass(frozen=True)
class LogInput:
    agent: str
    concentration_mg_l: int
    duration_minutes: int
    done_by: str
    done_at: dt.datetime


def _log_problems(data: LogInput, now: dt.datetime) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not data.agent.strip():
        problems["agent"] = _("Name the disinfectant used.")
    if not 1 <= data.concentration_mg_l <= CONCENTRATION_MAX:
        problems["concentration_mg_l"] = _("The concentration is 1 to 100,000 mg/L.")
    if not 1 <= data.duration_minutes <= DURATION_MAX:
        problems["duration_minutes"] = _("The duration is 1 to 1,440 minutes.")
    if not data.done_by.strip():
        problems["done_by"] = _("Name who disinfected.")
    if problem := date_problem(data.done_at):
        problems["done_at"] = problem
    elif data.done_at > now:
        problems["done_at"] = _("A disinfection is logged once done.")
    elif data.done_at < now - dt.timedelta(days=BACKDATE_DAYS):
        problems["done_at"] = _("A disinfection is logged within two days.")
    return problems


@transaction.atomic
def disinfection_log(
    *, actor: AnyUser, schedule: DisinfectionSchedule, data: LogInput
) -> DisinfectionLog:
    """A disinfection done at the place: it meets the earliest time still owed on its day (a
    missed one late), or the one-off disinfection after a case."""
    _may_keep(actor, schedule.unit)
    problems = _log_problems(data, clock.now())
    if problems:
        raise ValidationError(problems)
    log = DisinfectionLog.objects.create(
        schedule=schedule,
        unit_id=schedule.unit_id,
        agent=data.agent.strip()[:50],
        concentration_mg_l=data.concentration_mg_l,
        duration_minutes=data.duration_minutes,
        done_by=data.done_by.strip()[:50],
        done_at=data.done_at,
        recorded_by=acting_user(actor),
    )
    owed = Obligation.objects.filter(rule_id=schedule.rule_id).pending()
    if schedule.times_per_day:  # a time of the day it was done: after its midnight, by the next
        day = data.done_at.astimezone(clock.tz()).date()
        owed = owed.filter(due_at__gt=clock.local_midnight(day), due_at__lte=clock.day_end(day))
    first = owed.order_by("due_at", "id").values_list("pk", flat=True).first()
    summary = f"{schedule.place}: {log.agent} {log.concentration_mg_l} mg/L {log.duration_minutes}'"
    if first is not None:
        obligations_meet(
            Obligation.objects.filter(pk=first),
            actor=actor,
            unit_id=schedule.unit_id,
            summary=summary,
            object_id=first,
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="disinfection_log",
        object_id=log.pk,
        unit_id=schedule.unit_id,
        summary=summary,
    )
    return log


def disinfection_open(day: dt.date) -> int:
    """The tick's part: the day's times of every standing schedule (the table's unique
    constraint keeps one row per schedule and due time)."""
    specs: list[Spec] = []
    start = clock.local_midnight(day)
    for schedule in DisinfectionSchedule.objects.filter(active=True, times_per_day__isnull=False):
        specs += _daily_specs(schedule, day, start)
    return obligations_open(specs, once=True)


def disinfect_case_places(case: Case, actor: AnyUser) -> int:
    """L-12, H-07: each venue the case scanned in the CASE_PLACES_DAYS before the report is
    disinfected once by the unit keeping it, within the hours its plan sets (none where the plan
    in force sets none); returns how many places."""
    since = case.reported_at - dt.timedelta(days=CASE_PLACES_DAYS)
    venues = Venue.objects.filter(
        pk__in=Scan.objects.filter(
            person_id=case.person_id, scanned_at__gte=since, scanned_at__lte=case.reported_at
        ).values("venue_id")
    ).select_related("unit")
    resolver = PackResolver.of_day(case.reported_at.astimezone(clock.tz()).date())
    schedules: list[DisinfectionSchedule] = []
    for venue in venues:
        pack = resolver.pack(venue.unit.path)
        if pack is None or pack.disinfection_after_case is None:
            continue
        rule = pack.disinfection_after_case
        schedules.append(
            DisinfectionSchedule(
                unit=venue.unit,
                place=venue.name[:100],
                once_by=case.reported_at + dt.timedelta(hours=rule.within_hours),
                case=case,
                pack_id=pack.id,
                clause=rule.clause,
                created_at=clock.now(),
                created_by=acting_user(actor),
            )
        )
    if not schedules:
        return 0
    created = DisinfectionSchedule.objects.bulk_create(schedules)
    obligations_open(
        [
            AfterEvent(
                Owner(
                    schedule.unit_id,
                    ObligationSource.EVENT,
                    pack_id=schedule.pack_id,
                    rule_id=schedule.rule_id,
                    clause=schedule.clause,
                ),
                ObligationKind.DISINFECTION,
                schedule.once_by,  # type: ignore[arg-type]
                case=case.pk,
            )
            for schedule in created
        ]
    )
    return len(created)


# --- reads -------------------------------------------------------------------------------


def schedules_visible(user: AnyUser) -> QuerySet[DisinfectionSchedule]:
    return DisinfectionSchedule.objects.filter(
        any_role_scope(user).units("unit__path")
    ).select_related("unit")


def logs_visible(user: AnyUser) -> QuerySet[DisinfectionLog]:
    return DisinfectionLog.objects.filter(any_role_scope(user).units("unit__path")).select_related(
        "schedule", "unit"
    )


def owed_visible(user: AnyUser) -> QuerySet[Obligation]:
    """The disinfections still owed in the user's units, in due order."""
    return (
        Obligation.objects.filter(any_role_scope(user).units("unit__path"))
        .filter(kind=ObligationKind.DISINFECTION)
        .pending()
        .select_related("unit")
        .order_by("due_at", "id")
    )


def due_counts(user: AnyUser, now: dt.datetime) -> dict[str, int]:
    """The command view's panel: the disinfections owed by the end of today, and those overdue;
    one aggregate query."""
    return owed_visible(user).aggregate(
        due=Count("pk", filter=Q(due_at__gte=now, due_at__lte=clock.day_end(clock.localdate()))),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
    )

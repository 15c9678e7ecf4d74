"""Work injuries (工伤事故, P07 G-13, O-06): the social-security office's register of the
accidents employers tell it of by phone. Each opens what the plan in force for the office attaches
to ``work_injury`` (P07: the written report, 《工伤事故报告表》 with the inpatient photos, within 24
hours of the accident, the employer answering); marking the report received meets it, late if
past due (docs/adr/0028-work-injuries.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.inputs import moment_problem
from fangkong.obligations.models import Obligation
from fangkong.obligations.services import obligations_meet
from fangkong.org.access import AnyUser, acting_user, scope, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.policy.models import PlanAssignment
from fangkong.policy.packs import Pack, packs_all
from fangkong.policy.resolver import PackResolver
from fangkong.policy.services import deadlines_open
from fangkong.readiness.models import WorkInjury

TRIGGER = "work_injury"
# An accident is entered at most this long afterwards: the report it opens is owed within a day.
BACKDATE_DAYS = 30
# The time may run ahead of the office's clock by a device's skew, not more.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class InjuryInput:
    unit: Unit  # the office keeping the register
    employer: str
    name: str
    occurred_at: dt.datetime
    phone: str = ""
    hospital: str = ""
    description: str = ""


def _reports(pack: Pack | None) -> bool:
    return pack is not None and any(d.trigger == TRIGGER for d in pack.deadlines)


def injury_offices(user: AnyUser) -> QuerySet[Unit]:
    """The units where the user keeps the register of work injuries: those in the user's scope
    under a plan that owes a report on a work injury today (P07 at the social-security office)."""
    today = clock.localdate()
    packs = [pack.id for pack in packs_all().values() if _reports(pack)]
    assigned = PlanAssignment.objects.filter(pack_id__in=packs, start_date__lte=today).exclude(
        end_date__lt=today
    )
    units = Unit.objects.filter(
        scope(user, Capability.RECORD_INJURIES).units("path"), pk__in=assigned.values("unit")
    ).order_by("path")
    resolver = PackResolver.of_day(today)
    return units.filter(pk__in=[u.pk for u in units if _reports(resolver.pack(u.path))])


def injuries_visible(user: AnyUser) -> QuerySet[WorkInjury]:
    """The injuries in the registers of the units where the user keeps them, the latest first."""
    return WorkInjury.objects.filter(
        scope(user, Capability.RECORD_INJURIES).units("unit__path")
    ).select_related("unit")


def _require(actor: AnyUser, unit: Unit) -> None:
    if not user_can(actor, Capability.RECORD_INJURIES, unit):
        raise PermissionDenied(_("You may not keep this unit's register of work injuries."))


def _problems(data: InjuryInput, now: dt.datetime) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not data.employer.strip():
        problems["employer"] = _("Name the employer.")
    if not data.name.strip():
        problems["name"] = _("Give the name of the injured worker.")
    problem = moment_problem(data.occurred_at, now + CLOCK_SKEW)
    if problem is None and data.occurred_at < now - dt.timedelta(days=BACKDATE_DAYS):
        problem = _("An accident is entered at most %(days)d days afterwards.") % {
            "days": BACKDATE_DAYS
        }
    if problem:
        problems["occurred_at"] = problem
    pack = PackResolver.of_day(clock.localdate()).pack(data.unit.path)
    if not _reports(pack):
        problems["unit"] = _("The plan in force for this unit asks no report of a work injury.")
    return problems


@transaction.atomic
def injury_record(*, actor: AnyUser, data: InjuryInput) -> WorkInjury:
    """An employer told the office of a work injury (G-13): recorded, and the written report the
    plan in force asks opened, due 24 hours after the accident. Refused whole, naming each bad
    field; the same accident entered twice is refused on ``occurred_at``."""
    _require(actor, data.unit)
    problems = _problems(data, clock.now())
    if problems:
        raise ValidationError(problems)
    employer, name = data.employer.strip()[:100], data.name.strip()[:50]
    if WorkInjury.objects.filter(
        unit=data.unit, employer=employer, name=name, occurred_at=data.occurred_at
    ).exists():
        raise ValidationError({"occurred_at": _("This accident is already in the register.")})
    injury = WorkInjury.objects.create(
        unit=data.unit,
        employer=employer,
        name=name,
        phone=data.phone.strip()[:20],
        occurred_at=data.occurred_at,
        hospital=data.hospital.strip()[:100],
        description=data.description.strip()[:500],
        created_by=acting_user(actor),
    )
    deadlines_open(
        trigger=TRIGGER, unit=data.unit, at=data.occurred_at, actor=actor, work_injury=injury.pk
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="work_injury",
        object_id=injury.pk,
        unit_id=data.unit.pk,
        summary=f"{employer} {data.occurred_at.astimezone(clock.tz()):%Y-%m-%d %H:%M}",
    )
    return injury


@transaction.atomic
def injury_mark_reported(*, actor: AnyUser, injury: WorkInjury) -> WorkInjury:
    """The office received the employer's written report (G-13): the report owed is met, late
    if past due."""
    _require(actor, injury.unit)
    if injury.reported_at is not None:
        raise ValidationError({"reported_at": _("The written report is already received.")})
    injury.reported_at = clock.now()
    injury.save(update_fields=["reported_at"])
    obligations_meet(
        Obligation.objects.of_work_injury(injury.pk).filter(unit=injury.unit),
        actor=actor,
        unit_id=injury.unit_id,
        summary=_("work-injury report received: %(employer)s") % {"employer": injury.employer},
        object_id=injury.pk,
    )
    return injury


def report_of(injuries: list[WorkInjury]) -> dict[int, Obligation]:
    """The written report each injury opened (its due time and status): one query."""
    owed = Obligation.objects.filter(
        detail__work_injury__in=[injury.pk for injury in injuries]
    ).only("id", "due_at", "status", "met_at", "detail")
    return {int(o.detail["work_injury"]): o for o in owed}

"""Writes of the duty roster: shifts added (one or the same hours on several days), the handover
a shift leaves, a future shift removed. Each is one transaction with its audit row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.org.access import AnyUser, acting_user, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.readiness.models import Shift

# A shift lasts at most a day; the same hours repeat on at most a month of days.
SHIFT_HOURS_MAX = 24
REPEAT_DAYS_MAX = 31
# A shift may be entered afterwards for the day just gone, not further back.
BACKDATE_HOURS = 24


@dataclass(frozen=True)
class ShiftInput:
    unit: Unit
    name: str
    phone: str
    leader: bool
    starts_at: dt.datetime
    ends_at: dt.datetime
    days: int = 1


def _problems(data: ShiftInput, now: dt.datetime) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not data.name.strip():
        problems["name"] = _("Give the name of the person on duty.")
    if data.ends_at <= data.starts_at:
        problems["ends_at"] = _("The shift must end after it begins.")
    elif data.ends_at - data.starts_at > dt.timedelta(hours=SHIFT_HOURS_MAX):
        problems["ends_at"] = _("A shift lasts at most 24 hours.")
    if data.starts_at < now - dt.timedelta(hours=BACKDATE_HOURS):
        problems["starts_at"] = _("A shift may begin at most a day ago.")
    if not 1 <= data.days <= REPEAT_DAYS_MAX:
        problems["days"] = _("Repeat on 1 to 31 days.")
    return problems


@transaction.atomic
def shifts_add(*, actor: AnyUser, data: ShiftInput) -> list[Shift]:
    """The shift, and the same hours on the following days when ``days`` > 1 (a week of nights
    in one entry); refused whole, naming the field, when anything is wrong."""
    if not user_can(actor, Capability.KEEP_ROSTER, data.unit):
        raise PermissionDenied(_("You may not keep this unit's duty roster."))
    problems = _problems(data, clock.now())
    if problems:
        raise ValidationError(problems)
    recorder = acting_user(actor)
    shifts = Shift.objects.bulk_create(
        [
            Shift(
                unit=data.unit,
                name=data.name.strip(),
                phone=data.phone,
                leader=data.leader,
                starts_at=data.starts_at + dt.timedelta(days=day),
                ends_at=data.ends_at + dt.timedelta(days=day),
                created_by=recorder,
            )
            for day in range(data.days)
        ]
    )
    local = data.starts_at.astimezone(clock.tz())
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="shift",
        object_id=shifts[0].pk,
        unit_id=data.unit.pk,
        summary=f"{data.name.strip()} {local:%Y-%m-%d %H:%M} ×{data.days}",
    )
    return shifts


def _locked(actor: AnyUser, shift_id: int) -> Shift:
    shift = Shift.objects.select_for_update(of=("self",)).select_related("unit").get(pk=shift_id)
    if not user_can(actor, Capability.KEEP_ROSTER, shift.unit):
        raise PermissionDenied(_("You may not keep this unit's duty roster."))
    return shift


@transaction.atomic
def shift_handover(*, actor: AnyUser, shift_id: int, note: str) -> Shift:
    """The handover (交接班) the shift leaves the next one: what is open, who to call."""
    shift = _locked(actor, shift_id)
    note = note.strip()
    if not note:
        raise ValidationError({"handover": _("Write what the next shift must know.")})
    if shift.starts_at > clock.now():
        raise ValidationError({"handover": _("A shift hands over once it has begun.")})
    shift.handover = note[:500]
    shift.save(update_fields=["handover"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="shift",
        object_id=shift.pk,
        unit_id=shift.unit_id,
        summary=_("handover"),
    )
    return shift


@transaction.atomic
def shift_remove(*, actor: AnyUser, shift_id: int) -> None:
    """Take a shift that has not begun off the roster; one that has begun stays on record."""
    shift = _locked(actor, shift_id)
    if shift.starts_at <= clock.now():
        raise ValidationError({"starts_at": _("A shift that has begun stays on the record.")})
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type="shift",
        object_id=shift.pk,
        unit_id=shift.unit_id,
        summary=f"{shift.name} {shift.starts_at.astimezone(clock.tz()):%Y-%m-%d %H:%M}",
    )
    shift.delete()

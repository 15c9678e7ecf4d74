"""Gathering applications: judged at once by the plan in force for the unit they are filed with
(I-01, I-08, I-09, I-12, I-14, I-15), filed, or queued for the unit above to approve."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.movement.models import ApplicationStatus, GatheringApplication, Verdict
from fangkong.obligations.models import Notification, NotificationTopic
from fangkong.obligations.services import notifications_post
from fangkong.org.access import AnyUser, acting_user, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.policy.describe import plan_name
from fangkong.policy.engine import Decision, Gathering, evaluate_gathering
from fangkong.policy.resolver import pack_in_force

# What each answer of the plan makes of an application.
STATUS_OF = {
    Verdict.APPROVAL_REQUIRED: ApplicationStatus.PENDING,
    Verdict.FILING_REQUIRED: ApplicationStatus.FILED,
    Verdict.ADVISED_AGAINST: ApplicationStatus.NOTED,
    Verdict.ALLOWED: ApplicationStatus.NOTED,
}


@dataclass(frozen=True)
class GatheringInput:
    unit: Unit
    type: str
    organiser: str
    purpose: str
    people: int
    held_on: dt.date
    place: str
    organiser_name: str
    organiser_phone: str
    tables: int | None = None
    classes: int | None = None


def _applied(decision: Decision, effect: str) -> list[dict[str, str]]:
    """The explanations of the rules that applied with this effect (not the limits of counts
    not given, which end otherwise)."""
    return [e for e in decision.explanation if e["because"].endswith(f"→ {effect}")]


def _clauses(decision: Decision, effect: str) -> str:
    """The clauses of the rules that gave the answer (I-01: 有防控方案并向属地…报批)."""
    return "；".join(dict.fromkeys(e["clause"] for e in _applied(decision, effect)))[:500]


@transaction.atomic
def gathering_apply(*, actor: AnyUser, data: GatheringInput) -> GatheringApplication:
    """Judge and record an application; a forbidden gathering is refused with the plan's clause
    (ValidationError on ``verdict``) and nothing is stored."""
    if not user_can(actor, Capability.EDIT_PEOPLE, data.unit):
        raise PermissionDenied(_("You may not file for this unit."))
    now = clock.now()
    if data.held_on < clock.localdate():
        raise ValidationError({"held_on": _("The gathering cannot be held in the past.")})
    pack = pack_in_force(data.unit, data.held_on)
    if pack is None:
        raise ValidationError({"unit": _("No work plan is in force for this unit on that day.")})
    decision = evaluate_gathering(
        pack,
        Gathering(
            data.type,  # type: ignore[arg-type]  # checked by the form and the serializer
            data.people,
            data.tables,
            organiser=data.organiser,  # type: ignore[arg-type]
            purpose=data.purpose,  # type: ignore[arg-type]
            classes=data.classes,
        ),
    )
    if decision.verdict == "forbidden":
        raise ValidationError(
            {
                "verdict": _("Forbidden by %(plan)s: %(clause)s")
                % {"plan": plan_name(pack.id), "clause": _clauses(decision, "forbidden")}
            }
        )
    verdict = Verdict(decision.verdict or Verdict.ALLOWED)
    approvers = {rule.id: rule.approver for rule in pack.gathering_rules}
    approver = "、".join(
        dict.fromkeys(
            approvers[e["rule"]]
            for e in _applied(decision, "approval_required")
            if approvers.get(e["rule"])
        )
    )
    application = GatheringApplication.objects.create(
        unit=data.unit,
        approver_unit_id=data.unit.parent_id or data.unit.pk,
        approver=approver[:100],
        type=data.type,
        organiser=data.organiser,
        purpose=data.purpose,
        people=data.people,
        tables=data.tables,
        classes=data.classes,
        place=data.place,
        held_on=data.held_on,
        organiser_name=data.organiser_name,
        organiser_phone=data.organiser_phone,
        pack_id=pack.id,
        verdict=verdict,
        clause=_clauses(decision, verdict.value) if verdict != Verdict.ALLOWED else "",
        status=STATUS_OF[verdict],
        created_at=now,
        created_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="gathering",
        object_id=application.pk,
        unit_id=data.unit.pk,
        summary=f"{application.get_type_display()} {data.held_on} {data.place}: "
        f"{application.get_verdict_display()}",
    )
    return application


@transaction.atomic
def gathering_decide(
    *, actor: AnyUser, application_id: int, approve: bool, reason: str = ""
) -> GatheringApplication:
    """Approve or refuse a pending application (a refusal gives its reason); the applicant is
    told in their inbox, and by e-mail and SMS after the commit."""
    application = (
        GatheringApplication.objects.select_for_update(of=("self",))
        .select_related("approver_unit")
        .get(pk=application_id)
    )
    if application.approver_unit is None or not user_can(
        actor, Capability.APPROVE_GATHERINGS, application.approver_unit
    ):
        raise PermissionDenied(_("You may not decide this application."))
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError({"status": _("This application is already decided.")})
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give the reason for the refusal.")})
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REFUSED
    application.reason = reason[:300]
    application.decided_at = clock.now()
    application.decided_by = acting_user(actor)
    application.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="gathering",
        object_id=application.pk,
        unit_id=application.unit_id,
        summary=f"{application.get_status_display()} {reason}".strip(),
    )
    if application.created_by_id is not None:
        with translation.override(None):  # the message id: the reader's inbox translates it
            label = str(ApplicationStatus(application.status).label)
        notifications_post(
            [
                Notification(
                    user_id=application.created_by_id,
                    unit_id=application.unit_id,
                    topic=NotificationTopic.GATHERING,
                    params={
                        "place": application.place,
                        "day": application.held_on.isoformat(),
                        "status": label,
                    },
                    link=f"/gatherings/?status={application.status}",
                    created_at=application.decided_at,
                )
            ]
        )
    return application

"""Gathering applications: judged at once by the plan in force for the unit they are filed with
(I-01, I-08, I-09, I-12, I-14, I-15), filed, or queued for the unit above to approve. Leave and
travel requests: judged at once by the plan's departure rules, then walked along the pack's
approval chain step by step (J-01 … J-08); the approved trip owes a report on return, and the
return is the arrival that the plan classifies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.inputs import date_problem
from fangkong.core.links import link_target, link_token
from fangkong.movement.models import (
    ApplicationStatus,
    ApprovalStep,
    GatheringApplication,
    ReportVia,
    RequestStatus,
    ReturneeReport,
    StepStatus,
    TravelRequest,
    Verdict,
)
from fangkong.obligations.models import (
    Notification,
    NotificationTopic,
    Obligation,
    ObligationKind,
    ObligationSource,
)
from fangkong.obligations.services import notifications_post, obligations_meet, obligations_open
from fangkong.obligations.specs import OfTravelRequest, Owner
from fangkong.org.access import AnyUser, acting_user, may_act_on, role_scope, scope, user_can
from fangkong.org.models import Region, Unit, UnitKind
from fangkong.org.roles import Capability, Role
from fangkong.org.selectors import region_get
from fangkong.people.models import Person, PersonCategory, PersonUnit
from fangkong.people.services import PersonInput, TravelInput, returnee_register, travel_add
from fangkong.policy.classify import risk_facts
from fangkong.policy.describe import plan_name
from fangkong.policy.engine import Decision, Gathering, Trip, evaluate_departure, evaluate_gathering
from fangkong.policy.packs import ApprovalChain, Pack
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


# Who decides a step, for the pack's words (J-01 … J-08): the role, and the kind of the unit it
# sits in, the nearest of that kind above the traveller (None: the unit above the traveller's).
# 德育处 (the moral-education office) has no role of its own here: the school health officer keeps
# the school's student register and answers for it; 分管领导, 校长室 and 主要领导 are the school's
# leadership, the principal's role; the education bureau (局) is the command above the school.
STEP_APPROVERS: dict[str, tuple[Role, str | None]] = {
    "班主任": (Role.CLASS_TEACHER, UnitKind.CLASS),
    "德育处": (Role.SCHOOL_HEALTH_OFFICER, UnitKind.SCHOOL),
    "分管领导": (Role.PRINCIPAL, UnitKind.SCHOOL),
    "校长室": (Role.PRINCIPAL, UnitKind.SCHOOL),
    "校长办公室": (Role.PRINCIPAL, UnitKind.SCHOOL),
    "主要领导": (Role.PRINCIPAL, UnitKind.SCHOOL),
    "校长": (Role.PRINCIPAL, UnitKind.SCHOOL),
    "局联系领导": (Role.COMMANDER, UnitKind.HEADQUARTERS),
    "局分管领导": (Role.COMMANDER, UnitKind.HEADQUARTERS),
    "局主要领导": (Role.COMMANDER, UnitKind.HEADQUARTERS),
    "部门负责人": (Role.COMMANDER, UnitKind.DEPARTMENT),
    "所在单位负责人": (Role.COMMANDER, None),
    "本单位": (Role.COMMANDER, None),
    "属地村（社区）": (Role.GRID_WORKER, UnitKind.VILLAGE),
}
# A trip strictly restricted (严格限制) by a plan with no chain for it is decided by the unit above.
RESTRICTED_STEP = "本单位"


def _is_filing(label: str) -> bool:
    """A step the pack only files with (备案, 报备): reached, it is done."""
    return "备案" in label or "报备" in label


@dataclass(frozen=True)
class TravelRequestInput:
    person: Person
    leave_on: dt.date
    return_on: dt.date
    reason: str
    to_region_code: str = ""
    to_country: str = ""


def _approver_unit(home: Unit, kind: str | None) -> Unit:
    """The nearest unit of the kind at or above the traveller's unit; else the unit above."""
    ids = [int(part) for part in home.path.strip("/").split("/")]
    above = {unit.pk: unit for unit in Unit.objects.filter(pk__in=ids)}
    if kind is not None:
        for unit_id in reversed(ids):
            if above[unit_id].kind == kind:
                return above[unit_id]
    return above.get(home.parent_id or home.pk, home)


def _request_unit(actor: AnyUser, person: Person) -> Unit:
    """The unit a request is filed with: the person's school class or department the actor acts
    for (the school or employer grants leave, under its plan: J-01 … J-04), else the home unit."""
    acting = scope(actor, Capability.EDIT_PEOPLE)
    for tie in PersonUnit.objects.filter(person=person).select_related("unit").order_by("pk"):
        if acting.covers(tie.unit):
            return tie.unit
    return Unit.objects.get(pk=person.unit_id)


def _chain(pack: Pack, decision: Decision) -> ApprovalChain | None:
    """The pack's approval chain the engine found for this traveller and trip (the first)."""
    explained = {e["rule"] for e in decision.explanation}
    return next((chain for chain in pack.approvals if chain.id in explained), None)


def _trip_checked(data: TravelRequestInput, home: Unit) -> tuple[Pack, Decision, Region | None]:
    """The plan in force and its answer for the trip; ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    region = None
    if data.to_region_code.strip():
        region = region_get(data.to_region_code.strip())
        if region is None:
            errors["to_region"] = [
                _("No region has the code %(code)s.") % {"code": data.to_region_code}
            ]
    country = data.to_country.strip().upper()
    if country and (len(country) != 3 or not country.isalpha()):
        errors["to_country"] = [_("A country is its three-letter ISO code, such as USA or JPN.")]
    if not data.to_region_code.strip() and not country:
        errors["to_region"] = [_("Give a region code of China or a country.")]
    if data.leave_on < clock.localdate():
        errors["leave_on"] = [_("The trip cannot start in the past.")]
    elif problem := date_problem(data.leave_on):
        errors["leave_on"] = [problem]
    if data.return_on < data.leave_on:
        errors["return_on"] = [_("The trip ends before it starts.")]
    elif problem := date_problem(data.return_on):
        errors["return_on"] = [problem]
    if not data.reason.strip() or len(data.reason) > 300:
        errors["reason"] = [_("Give the reason, in at most 300 characters.")]
    if errors:
        raise ValidationError(errors)
    pack = pack_in_force(home, data.leave_on)
    if pack is None:
        raise ValidationError({"person": _("No work plan is in force for this unit on that day.")})
    categories = tuple(
        PersonCategory.objects.filter(person=data.person).values_list("category_id", flat=True)
    )
    decision = evaluate_departure(
        pack,
        Trip(
            at=clock.local_midnight(data.leave_on),
            region=home.region_id,
            to_region=region.code if region else "",
            to_country=country if country and country != "CHN" else "",
            categories=categories,
            risk_areas=risk_facts(data.leave_on, data.return_on)[0],
        ),
        clock.tz(),
    )
    return pack, decision, region


@transaction.atomic
def travel_request_file(*, actor: AnyUser, data: TravelRequestInput) -> TravelRequest:
    """File a request for a person of the actor's units and judge it at once: a forbidden trip
    (C-29, C-30) or one asked too late (G-20) is refused with the plan's clause and nothing is
    stored; otherwise its steps are laid out and the first one waits for its approver."""
    person = data.person
    if not may_act_on(actor, Capability.EDIT_PEOPLE, person):
        raise PermissionDenied(_("You may not act for this person."))
    home = _request_unit(actor, person)
    pack, decision, region = _trip_checked(data, home)
    rules = {rule.id: rule for rule in pack.travel_rules}
    if decision.verdict == "forbidden":
        clauses = [
            e["clause"]
            for e in decision.explanation
            if e["rule"] in rules
            # a ban (不得), or too few days off a high-risk post (C-07)
            and (rules[e["rule"]].effect == "forbidden" or rules[e["rule"]].min_days_off_post)
        ]
        raise ValidationError(
            {
                "to_region": _("Forbidden by %(plan)s: %(clause)s")
                % {"plan": plan_name(pack.id), "clause": "；".join(dict.fromkeys(clauses))}
            }
        )
    chain = _chain(pack, decision)
    if chain is not None and chain.advance_days:
        ahead = (data.leave_on - clock.localdate()).days
        if ahead < chain.advance_days:
            raise ValidationError(
                {
                    "leave_on": _("Apply at least %(days)d days before leaving (%(clause)s).")
                    % {"days": chain.advance_days, "clause": chain.clause}
                }
            )
    labels = list(chain.steps) if chain else []
    if not labels and decision.verdict == "restricted":
        labels = [RESTRICTED_STEP]
    clauses = [e["clause"] for e in decision.explanation if e["clause"]]
    request = TravelRequest.objects.create(
        person=person,
        unit=home,
        to_region=region,
        to_country=data.to_country.strip().upper() if region is None else "",
        leave_on=data.leave_on,
        return_on=data.return_on,
        reason=data.reason.strip(),
        pack_id=pack.id,
        chain_id=chain.id if chain else "",
        verdict=decision.verdict or "allowed",
        clause="；".join(dict.fromkeys(clauses))[:500],
        status=RequestStatus.PENDING,
        created_at=clock.now(),
        created_by=acting_user(actor),
    )
    steps = []
    for position, label in enumerate(labels, start=1):
        role, kind = STEP_APPROVERS.get(label, (Role.COMMANDER, None))
        steps.append(
            ApprovalStep(
                request=request,
                position=position,
                label=label,
                role=role,
                approver_unit=_approver_unit(home, kind),
                status=StepStatus.QUEUED,
            )
        )
    ApprovalStep.objects.bulk_create(steps)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="travel_request",
        object_id=request.pk,
        unit_id=home.pk,
        summary=f"{request.destination} {data.leave_on} – {data.return_on}: "
        + " → ".join(labels or [str(RequestStatus.NOTED.label)]),
    )
    _advance(request, steps)
    return request


def _advance(request: TravelRequest, steps: list[ApprovalStep]) -> None:
    """Pass the filing steps, and let the next step to decide wait, with its deadline (the day the
    trip starts); when none is left the trip stands and owes its report on return (J-06)."""
    deciding = False
    for step in steps:
        if step.status != StepStatus.QUEUED:
            deciding = deciding or step.status == StepStatus.APPROVED
            continue
        if _is_filing(step.label):
            step.status = StepStatus.FILED
            step.save(update_fields=["status"])
            continue
        step.status = StepStatus.WAITING
        step.save(update_fields=["status"])
        obligations_open(
            [
                OfTravelRequest(
                    Owner(
                        step.approver_unit_id,
                        ObligationSource.EVENT,
                        person_id=request.person_id,
                        pack_id=request.pack_id,
                        rule_id=request.chain_id,
                        clause=step.label,
                    ),
                    ObligationKind.APPROVAL,
                    max(clock.now(), clock.local_midnight(request.leave_on)),
                    request.pk,
                )
            ]
        )
        return
    request.status = RequestStatus.APPROVED if deciding else RequestStatus.NOTED
    request.decided_at = clock.now()
    request.save(update_fields=["status", "decided_at"])
    obligations_open(
        [
            OfTravelRequest(
                Owner(
                    request.unit_id,
                    ObligationSource.EVENT,
                    person_id=request.person_id,
                    pack_id=request.pack_id,
                    rule_id=request.chain_id,
                    clause=str(_("report on return")),
                ),
                ObligationKind.FILING,
                clock.day_end(request.return_on),
                request.pk,
            )
        ]
    )
    if deciding:
        _tell(request)


def _tell(request: TravelRequest) -> None:
    """The requester learns the answer in their inbox, and by e-mail and SMS after the commit."""
    if request.created_by_id is None:
        return
    with translation.override(None):  # the message id: the reader's inbox translates it
        label = str(RequestStatus(request.status).label)
    notifications_post(
        [
            Notification(
                user_id=request.created_by_id,
                unit_id=request.unit_id,
                topic=NotificationTopic.TRAVEL,
                params={
                    "place": request.destination,
                    "day": request.leave_on.isoformat(),
                    "status": label,
                },
                link=f"/travel/?status={request.status}",
                created_at=request.decided_at or clock.now(),
            )
        ]
    )


def may_decide_step(user: AnyUser, step: ApprovalStep) -> bool:
    """The step's role over its unit (a commander over it stands in for any role)."""
    return user_can(user, Capability.APPROVE_REQUESTS, step.approver_unit) and (
        role_scope(user, step.role).covers(step.approver_unit)
        or role_scope(user, Role.COMMANDER).covers(step.approver_unit)
    )


@transaction.atomic
def travel_step_decide(
    *, actor: AnyUser, step_id: int, approve: bool, reason: str = ""
) -> TravelRequest:
    """Approve or refuse (with its reason) the step waiting for the actor; a refusal ends the
    request, an approval passes it to the next step, the last one approves the trip."""
    step = (
        ApprovalStep.objects.select_for_update(of=("self",))
        .select_related("approver_unit")
        .get(pk=step_id)
    )
    if not may_decide_step(actor, step):
        raise PermissionDenied(_("You may not decide this step."))
    if step.status != StepStatus.WAITING:
        raise ValidationError({"status": _("This step is not waiting for a decision.")})
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give the reason for the refusal.")})
    request = TravelRequest.objects.select_for_update().get(pk=step.request_id)
    step.status = StepStatus.APPROVED if approve else StepStatus.REFUSED
    step.reason = reason[:300]
    step.decided_at = clock.now()
    step.decided_by = acting_user(actor)
    step.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    obligations_meet(
        Obligation.objects.of_travel_request(request.pk).filter(kind=ObligationKind.APPROVAL),
        actor=actor,
        unit_id=step.approver_unit_id,
        summary=step.label,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="travel_request",
        object_id=request.pk,
        unit_id=request.unit_id,
        summary=f"{step.label}: {step.get_status_display()} {reason}".strip(),
    )
    if approve:
        _advance(request, list(request.steps.order_by("position")))
    else:
        request.status = RequestStatus.REFUSED
        request.refusal = reason[:300]
        request.decided_at = step.decided_at
        request.save(update_fields=["status", "refusal", "decided_at"])
        _tell(request)
    return request


@transaction.atomic
def travel_request_return(*, actor: User, request_id: int, returned_on: dt.date) -> TravelRequest:
    """The traveller is back (J-06: 返回时报备): the trip becomes a stay of their travel history,
    which is the arrival the plan in force classifies (with the proofs its rules ask for), and
    the report owed on return is met."""
    request = (
        TravelRequest.objects.select_for_update(of=("self",))
        .select_related("person", "to_region")
        .get(pk=request_id)
    )
    if not may_act_on(actor, Capability.EDIT_PEOPLE, request.person):
        raise PermissionDenied(_("You may not act for this person."))
    if request.status not in (RequestStatus.APPROVED, RequestStatus.NOTED):
        raise ValidationError({"status": _("Only an approved trip can be reported back.")})
    if not request.leave_on <= returned_on <= clock.localdate():
        raise ValidationError(
            {"returned_on": _("The return is between the day of leaving and today.")}
        )
    travel_add(
        actor=actor,
        person=request.person,
        data=TravelInput(
            start_date=request.leave_on,
            end_date=returned_on,
            region_code=request.to_region_id or "",
            country=request.to_country,
            place=request.reason[:200],
        ),
    )
    request.status = RequestStatus.RETURNED
    request.returned_on = returned_on
    request.save(update_fields=["status", "returned_on"])
    obligations_meet(
        Obligation.objects.of_travel_request(request.pk).filter(kind=ObligationKind.FILING),
        actor=actor,
        unit_id=request.unit_id,
        summary=_("back from %(place)s") % {"place": request.destination},
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="travel_request",
        object_id=request.pk,
        unit_id=request.unit_id,
        summary=_("back on %(day)s") % {"day": returned_on},
    )
    return request


LINK_SALT = "fangkong.movement.returnee-link"
# How far from today an arrival may be reported: ahead (G-19 asks for 3 days; a month bounds a
# typing slip) and after (the 14 days of travel history the plans read).
REPORT_AHEAD = dt.timedelta(days=31)
REPORT_AFTER = dt.timedelta(days=14)
# The travel history's words for the report's fields.
_REPORT_FIELDS = {"region": "from_region", "country": "from_country"}


def returnee_link_token(unit: Unit) -> str:
    """The signed token of a unit's self-registration link (a QR code on a poster, at a hotel's
    desk): it names the unit and nothing else, so no ID number ever travels in a URL."""
    return link_token(LINK_SALT, unit.pk)


def returnee_link_unit(token: str) -> Unit | None:
    """The unit a link reports to, or None for a forged or unknown one."""
    unit_id = link_target(token, LINK_SALT)
    return None if unit_id is None else Unit.objects.filter(pk=unit_id).first()


@dataclass(frozen=True)
class ReturneeInput:
    name: str
    id_number: str
    phone: str
    arrival_on: dt.date
    destination: str
    from_region_code: str = ""
    from_country: str = ""


@transaction.atomic
def returnee_report_record(
    *, actor: User | None, unit: Unit, data: ReturneeInput
) -> ReturneeReport:
    """A returnee's report received by a unit (G-19, P04 guest reports): through the unit's link
    (``actor`` None) or entered by its staff. The person is matched in the register by ID number
    or registered as a returnee of the unit; the stay (from where, left on the arrival day) joins
    their travel history and the plan classifies the arrival."""
    today = clock.localdate()
    errors: dict[str, list[str]] = {}
    if not today - REPORT_AFTER <= data.arrival_on <= today + REPORT_AHEAD:
        errors["arrival_on"] = [_("The arrival is within 14 days before or a month after today.")]
    destination = data.destination.strip()
    if not destination or len(destination) > 100:
        errors["destination"] = [_("Give where you are going, in at most 100 characters.")]
    if errors:
        raise ValidationError(errors)
    try:
        person, created, _stay = returnee_register(
            actor=actor,
            data=PersonInput(
                name=data.name,
                id_type="resident",
                id_number=data.id_number,
                unit=unit,
                phone=data.phone,
                categories=["returnee"],
            ),
            stay=TravelInput(
                start_date=data.arrival_on,
                end_date=data.arrival_on,
                region_code=data.from_region_code,
                country=data.from_country,
            ),
        )
    except ValidationError as error:
        raise ValidationError(
            {_REPORT_FIELDS.get(key, key): value for key, value in error.message_dict.items()}
        ) from None
    report = ReturneeReport.objects.create(
        unit=unit,
        person=person,
        from_region_id=data.from_region_code.strip() or None,
        from_country=data.from_country.strip().upper(),
        arrival_on=data.arrival_on,
        destination=destination,
        via=ReportVia.SELF if actor is None else ReportVia.UNIT,
        new_person=created,
        created_at=clock.now(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="returnee_report",
        object_id=report.pk,
        unit_id=unit.pk,
        summary=f"{report.origin} → {destination} {data.arrival_on}",
    )
    return report

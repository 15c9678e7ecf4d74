"""A gathering's guest list (参加人员登记: I-01 the village registers the participants; I-15 every
guest shows a 24 h negative proof), each guest checked on the day of the gathering: under an
active measure, or without the negative-test proof the plan asks of guests (D-17)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.movement.models import ApplicationStatus, GatheringApplication, GatheringGuest
from fangkong.org.access import acting_user, may_act_on, user_can
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.people.services import PersonInput, person_find_or_register
from fangkong.policy import facts
from fangkong.policy.models import Measure, MeasureStatus
from fangkong.policy.packs import GatheringRule, packs_all
from fangkong.policy.release import Sample, proofs_unmet

GUESTS_MAX = 500  # a guest list longer than the largest gathering any plan allows to be asked for


def _guest_proof_rules(application: GatheringApplication) -> list[GatheringRule]:
    """The pack's gathering rules that ask guests of this gathering for proofs."""
    pack = packs_all().get(application.pack_id)
    if pack is None:
        return []
    return [
        rule
        for rule in pack.gathering_rules
        if rule.proofs
        and application.type in rule.applies_to
        and (not rule.organisers or application.organiser in rule.organisers)
        and (not rule.purposes or application.purpose in rule.purposes)
    ]


@dataclass(frozen=True)
class CheckedGuest:
    """A guest and why they may not attend (empty: nothing found against them)."""

    guest: GatheringGuest
    reasons: list[str]


def guests_checked(application: GatheringApplication) -> list[CheckedGuest]:
    """The guest list, each guest checked for the day of the gathering, in three statements."""
    guests = list(application.guests.select_related("person").order_by("added_at", "id"))
    ids = [guest.person_id for guest in guests]
    held_on = application.held_on
    measured: dict[int, list[str]] = {}
    for measure in Measure.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=held_on),
        person_id__in=ids,
        status=MeasureStatus.ACTIVE,
        start_date__lte=held_on,
    ).order_by("start_date", "phase"):
        measured.setdefault(measure.person_id, []).append(measure.get_kind_display())
    rules = _guest_proof_rules(application)
    at = clock.local_midnight(held_on)
    tz = clock.tz()
    results = facts.results_of(ids) if rules else {}
    checked = []
    for guest in guests:
        reasons = [
            _("Under a measure on the day: %(measure)s.")
            % {"measure": "、".join(measured[guest.person_id])}
        ] if guest.person_id in measured else []  # fmt: skip
        samples = [
            Sample(sampled.astimezone(tz).date(), positive)
            for sampled, positive in results.get(guest.person_id, [])
        ]
        for rule in rules:
            for proof in proofs_unmet([p.model_dump() for p in rule.proofs], samples, at):
                reasons.append(
                    _("No negative test within %(hours)d hours before the gathering (%(clause)s).")
                    % {"hours": proof["within_hours"], "clause": rule.clause}
                )
        checked.append(CheckedGuest(guest, reasons))
    return checked


@dataclass(frozen=True)
class GuestInput:
    """A guest: a person of the register by number, or by name and ID number (registered in the
    unit filed with when the register has nobody with that ID number)."""

    person: Person | None = None
    name: str = ""
    id_type: str = "resident"
    id_number: str = ""


@transaction.atomic
def gathering_guest_add(
    *, actor: User, application: GatheringApplication, data: GuestInput
) -> GatheringGuest:
    """Put a person on the application's guest list; refused for a gathering refused or past,
    a person outside the actor's units, or a guest already listed."""
    if not user_can(actor, Capability.EDIT_PEOPLE, application.unit):
        raise PermissionDenied(_("You may not change this application."))
    if application.status == ApplicationStatus.REFUSED:
        raise ValidationError({"application": _("This gathering was refused.")})
    if application.held_on < clock.localdate():
        raise ValidationError({"application": _("This gathering is over.")})
    if application.guests.count() >= GUESTS_MAX:
        raise ValidationError(
            {"person": _("A guest list holds at most %(max)d people.") % {"max": GUESTS_MAX}}
        )
    person = data.person
    if person is not None:
        if not may_act_on(actor, Capability.VIEW_PEOPLE, person):
            raise PermissionDenied(_("You may not change this person."))
    else:
        if not data.name.strip():
            raise ValidationError({"name": _("Give the guest's name and ID number.")})
        person = person_find_or_register(
            actor=actor,
            data=PersonInput(
                name=data.name.strip(),
                id_type=data.id_type,
                id_number=data.id_number.strip(),
                unit=application.unit,
            ),
        )
    try:
        with transaction.atomic():
            guest = GatheringGuest.objects.create(
                application=application,
                person=person,
                added_at=clock.now(),
                added_by=acting_user(actor),
            )
    except IntegrityError:
        raise ValidationError({"person": _("This person is on the guest list already.")}) from None
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="gathering_guest",
        object_id=guest.pk,
        unit_id=application.unit_id,
        summary=f"{application.get_type_display()} {application.held_on} {application.place}",
        changes={"person": [None, person.pk]},
    )
    return guest

"""Writes of testing: individual results, screening rounds, sampling points, environment
samples, transport boxes sent and received. Sampling and lab results in sets: ``sampling`` and
``results``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.inputs import date_problem
from fangkong.labs.models import (
    POOL_SIZES,
    Box,
    LabResult,
    SamplingPoint,
    ScreeningRound,
    Tube,
    TubeKind,
)
from fangkong.labs.sampling import BARCODE
from fangkong.obligations.models import Obligation, ObligationKind
from fangkong.obligations.services import obligations_meet, obligations_meet_tests
from fangkong.org.access import AnyUser, acting_user, may_act_on, user_can
from fangkong.org.models import Unit, UnitKind
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.policy.classify import people_classify
from fangkong.policy.models import Trigger
from fangkong.policy.services import deadlines_open
from fangkong.tracing.models import Exposure, VenueKind
from fangkong.tracing.venues import venue_create


@transaction.atomic
def result_record(
    *, actor: AnyUser, person: Person, sampled_at: dt.datetime, positive: bool, source: str = ""
) -> LabResult:
    if not may_act_on(actor, Capability.EDIT_PEOPLE, person):
        raise PermissionDenied(_("You may not change this person."))
    if sampled_at > clock.now():
        raise ValidationError({"sampled_at": _("The sample cannot be taken in the future.")})
    result = LabResult.objects.create(
        person=person,
        sampled_at=sampled_at,
        positive=positive,
        source=source,
        recorded_by=acting_user(actor),
    )
    obligations_meet_tests([(person.pk, sampled_at)], actor=actor, unit_id=person.unit_id)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="lab_result",
        object_id=result.pk,
        unit_id=person.unit_id,
        summary=_("%(outcome)s, sampled %(at)s")
        % {
            "outcome": _("positive") if positive else _("negative"),
            "at": f"{sampled_at:%Y-%m-%d %H:%M}",
        },
    )
    # The person's own rules, and those of the people exposed through them (P14 D-12).
    exposed = Exposure.objects.filter(via=person).values_list("person_id", flat=True)
    people_classify(
        [person.pk, *exposed], trigger=Trigger.RESULT, actor_id=getattr(actor, "pk", None)
    )
    return result


# F-05: a defined area is screened within 24 hours.
ROUND_HOURS = 24
# ScreeningRound.name's length: PostgreSQL refuses a longer text (SQLite would keep it).
ROUND_NAME_MAX = 100


@transaction.atomic
def round_create(
    *,
    actor: AnyUser,
    unit: Unit,
    name: str,
    starts_at: dt.datetime,
    deadline: dt.datetime | None = None,
    pool_size: int = 10,
    lab: Unit | None = None,
) -> ScreeningRound:
    """A screening round of everyone registered in the unit's subtree (F-05)."""
    if not user_can(actor, Capability.MANAGE_PLANS, unit):
        raise PermissionDenied(_("You may not organise a screening round here."))
    for field, when in (("starts_at", starts_at), ("deadline", deadline)):
        if when is not None and (problem := date_problem(when)):
            raise ValidationError({field: problem})
    deadline = deadline or starts_at + dt.timedelta(hours=ROUND_HOURS)
    problems = {}
    if pool_size not in POOL_SIZES:
        problems["pool_size"] = _("The pool size is 1, 5, 10 or 20.")
    if deadline <= starts_at:
        problems["deadline"] = _("The deadline comes after the start.")
    if lab is not None and lab.kind != UnitKind.LAB:
        problems["lab"] = _("%(name)s is not a lab.") % {"name": lab.name}
    if not name.strip():
        problems["name"] = _("Give the round a name.")
    elif len(name.strip()) > ROUND_NAME_MAX:
        problems["name"] = _("At most %(n)d characters.") % {"n": ROUND_NAME_MAX}
    if problems:
        raise ValidationError(problems)
    screening = ScreeningRound.objects.create(
        name=name.strip(), unit=unit, lab=lab, pool_size=pool_size, starts_at=starts_at,
        deadline=deadline, created_by=acting_user(actor),
    )  # fmt: skip
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="screening_round",
        object_id=screening.pk,
        unit_id=unit.pk,
        summary=_("%(name)s: %(pool)d in 1, by %(at)s")
        % {"name": screening.name, "pool": pool_size, "at": f"{deadline:%Y-%m-%d %H:%M}"},
    )
    return screening


@transaction.atomic
def point_create(
    *, actor: AnyUser, unit: Unit, name: str, address: str = "", slots: str = ""
) -> SamplingPoint:
    if not user_can(actor, Capability.SAMPLE, unit):
        raise PermissionDenied(_("You may not run sampling here."))
    if not name.strip():
        raise ValidationError({"name": _("Give the sampling point a name.")})
    venue = venue_create(actor=actor, unit=unit, kind=VenueKind.SAMPLING_POINT, name=name)
    point = SamplingPoint.objects.create(
        unit=unit, name=name.strip(), address=address, slots=slots, venue=venue
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, object_type="sampling_point",
        object_id=point.pk, unit_id=unit.pk, summary=point.name,
    )  # fmt: skip
    return point


@transaction.atomic
def environment_sample_record(
    *, actor: AnyUser, unit: Unit, barcode: str, place: str, sampled_at: dt.datetime | None = None
) -> Tube:
    """F-03: a swab of a place (a market stall, a clinic, a public toilet) in its own tube."""
    if not user_can(actor, Capability.SAMPLE, unit):
        raise PermissionDenied(_("You may not run sampling here."))
    problems = {}
    if not BARCODE.match(barcode):
        problems["barcode"] = _("Not a tube barcode: %(value)s (4-32 letters, digits or -).") % {
            "value": barcode
        }
    elif Tube.objects.filter(barcode=barcode).exists():
        problems["barcode"] = _("Tube %(code)s is already used elsewhere; take a new tube.") % {
            "code": barcode
        }
    if not place.strip():
        problems["place"] = _("Name the place sampled.")
    at = sampled_at or clock.now()
    if at > clock.now():
        problems["sampled_at"] = _("The sample cannot be taken in the future.")
    if problems:
        raise ValidationError(problems)
    tube = Tube.objects.create(
        barcode=barcode, kind=TubeKind.ENVIRONMENT, capacity=1, unit=unit, place=place.strip(),
        sampled_at=at, recorded_by=acting_user(actor),
    )  # fmt: skip
    # It meets the place's scheduled environment sample of the period it was taken in.
    obligations_meet(
        Obligation.objects.filter(unit=unit, kind=ObligationKind.ENVIRONMENT_SAMPLE)
        .periodic()
        .periodic_holding(at),
        actor=actor,
        unit_id=unit.pk,
        summary=_("environment sample by tube %(barcode)s") % {"barcode": barcode},
    )
    summary = _("environment sample %(barcode)s: %(place)s") % {"barcode": barcode, "place": place}
    audit_record(
        actor=actor, action=AuditAction.CREATE, object_type="tube", object_id=tube.pk,
        unit_id=unit.pk, summary=summary,
    )  # fmt: skip
    return tube


def box_send(
    *, actor: AnyUser, unit: Unit, lab: Unit, code: str, barcodes: list[str], fever: bool = False
) -> Box:
    """Tubes packed into a transport box for the lab (乡采样、县检测): the tubes are sealed and
    sent to that lab."""
    if not user_can(actor, Capability.SAMPLE, unit):
        raise PermissionDenied(_("You may not send samples from here."))
    problems = {}
    if lab.kind != UnitKind.LAB:
        problems["lab"] = _("%(name)s is not a lab.") % {"name": lab.name}
    if not BARCODE.match(code) or Box.objects.filter(code=code).exists():
        problems["code"] = _("Box code %(code)s is not valid or already used.") % {"code": code}
    # Only tubes sampled in the sender's units: another unit's tubes are as unknown.
    tubes = {
        t.barcode: t
        for t in Tube.objects.filter(barcode__in=barcodes).select_related("unit")
        if user_can(actor, Capability.SAMPLE, t.unit)
    }
    unknown = [b for b in barcodes if b not in tubes]
    taken = [b for b, t in tubes.items() if t.box_id is not None]
    if unknown:
        problems["barcodes"] = _("Unknown tubes: %(codes)s") % {"codes": ", ".join(unknown)}
    elif taken:
        problems["barcodes"] = _("Already in a box: %(codes)s") % {"codes": ", ".join(taken)}
    if not barcodes:
        problems["barcodes"] = _("A box holds at least one tube.")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        box = Box.objects.create(code=code, unit=unit, lab=lab, fever=fever, sent_at=clock.now())
        Tube.objects.filter(barcode__in=barcodes).update(box=box, lab=lab, sealed=True)
        summary = _("box %(code)s: %(count)d tubes to %(lab)s") % {
            "code": code, "count": len(barcodes), "lab": lab.name,
        }  # fmt: skip
        audit_record(
            actor=actor, action=AuditAction.CREATE, object_type="box", object_id=box.pk,
            unit_id=unit.pk, summary=summary,
        )  # fmt: skip
    return box


@transaction.atomic
def box_receive(*, actor: AnyUser, box: Box) -> Box:
    """The lab receives the box: the turnaround clock starts (F-04: 12 hours; F-06: 4-6 hours
    for fever-clinic samples), as the pack in force for the lab sets it."""
    if not user_can(actor, Capability.RUN_LAB, box.lab):
        raise PermissionDenied(_("Only the lab receives its boxes."))
    if box.received_at is not None:
        raise ValidationError(
            {
                "box": _("Box %(code)s was received at %(at)s.")
                % {"code": box.code, "at": box.received_at}
            }
        )
    box.received_at = clock.now()
    box.received_by = acting_user(actor)
    box.save(update_fields=["received_at", "received_by", "updated_at"])
    deadlines_open(
        trigger="fever_clinic_sample" if box.fever else "sample_received",
        unit=box.lab,
        at=box.received_at,
        actor=actor,
        box=box.code,
    )
    audit_record(
        actor=actor, action=AuditAction.UPDATE, object_type="box", object_id=box.pk,
        unit_id=box.lab_id, summary=_("box %(code)s received") % {"code": box.code},
    )  # fmt: skip
    return box

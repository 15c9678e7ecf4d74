"""Recording contacts; the contact rules of the pack in force then decide their measures."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.org.access import AnyUser, acting_user, may_act_on
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.policy.models import ExposureKind, Trigger
from fangkong.policy.services import person_recompute
from fangkong.tracing.models import Exposure


@transaction.atomic
def exposure_record(
    *,
    actor: AnyUser,
    person: Person,
    kind: str,
    last_exposed_at: dt.datetime,
    via: Person | None = None,
    note: str = "",
) -> Exposure:
    if not may_act_on(actor, Capability.EDIT_PEOPLE, person):
        raise PermissionDenied(_("You may not change this person."))
    now = clock.now()
    if kind not in ExposureKind.values:
        raise ValidationError({"kind": _("Unknown contact kind.")})
    if last_exposed_at > now:
        raise ValidationError({"last_exposed_at": _("The last exposure cannot be in the future.")})
    if via is not None and via.pk == person.pk:
        raise ValidationError({"via": _("A person cannot be their own contact.")})
    exposure = Exposure.objects.create(
        person=person,
        kind=kind,
        last_exposed_at=last_exposed_at,
        identified_at=now,
        via=via,
        note=note,
        created_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="exposure",
        object_id=exposure.pk,
        unit_id=person.unit_id,
        summary=_("%(kind)s, last exposed %(at)s")
        % {"kind": ExposureKind(kind).label, "at": f"{last_exposed_at:%Y-%m-%d %H:%M}"},
    )
    person_recompute(person, trigger=Trigger.CONTACT, actor=actor)
    return exposure

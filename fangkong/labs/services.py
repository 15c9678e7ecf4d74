"""Recording individual results: a result meets the test due and may change measures (D-12)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.labs.models import LabResult
from fangkong.org.roles import Capability
from fangkong.org.selectors import AnyUser, acting_user, user_can
from fangkong.people.models import Person
from fangkong.policy.classify import people_classify
from fangkong.policy.models import Trigger
from fangkong.policy.services import obligation_meet_test
from fangkong.tracing.models import Exposure


def result_record(
    *, actor: AnyUser, person: Person, sampled_at: dt.datetime, positive: bool, source: str = ""
) -> LabResult:
    if not user_can(actor, Capability.EDIT_PEOPLE, person.unit):
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
    obligation_meet_test(person=person, sampled_at=sampled_at, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="lab_result",
        object_id=result.pk,
        unit_id=person.unit_id,
        summary=f"{'positive' if positive else 'negative'}, sampled {sampled_at:%Y-%m-%d %H:%M}",
    )
    # The person's own rules, and those of the people exposed through them (P14 D-12).
    exposed = Exposure.objects.filter(via=person).values_list("person_id", flat=True)
    people_classify(
        [person.pk, *exposed], trigger=Trigger.RESULT, actor_id=getattr(actor, "pk", None)
    )
    return result

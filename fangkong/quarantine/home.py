"""Home quarantine (居家隔离, D-02): the people of the user's units under an active home quarantine
with today's visit; the notice served, the door sealed or monitored, and the grid worker's daily
visit (每日上门), each one transaction with its audit row."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.inputs import ID_MAX
from fangkong.org.access import AnyUser, acting_user, may_act_on, scope
from fangkong.org.roles import Capability
from fangkong.policy.models import Measure, MeasureKind, MeasureStatus
from fangkong.quarantine.models import DoorWatch, HomeQuarantine, HomeVisit

MAX_NOTE = 200


def home_quarantines(user: AnyUser | None) -> QuerySet[Measure]:
    """The active home quarantines of the people of the user's units, by unit and name, with the
    notice, the door and today's visit."""
    today = clock.localdate()
    record = HomeQuarantine.objects.filter(measure=OuterRef("pk"))
    visit = HomeVisit.objects.filter(measure=OuterRef("pk"), day=today)
    return (
        Measure.objects.filter(
            scope(user, Capability.EDIT_PEOPLE).people("person__"),
            status=MeasureStatus.ACTIVE,
            kind=MeasureKind.HOME_QUARANTINE,
        )
        .annotate(
            notice_served_at=Subquery(record.values("notice_served_at")),
            door=Subquery(record.values("door")),
            visited=Exists(visit),
            visit_note=Subquery(visit.values("note")),
        )
        .select_related("person", "person__unit", "unit")
        .order_by("person__unit__path", "person__name", "pk")
    )


def home_quarantine_of(user: AnyUser | None, person_id: int) -> Measure | None:
    """The person's active home quarantine, when the user may act on them."""
    if not 1 <= person_id <= ID_MAX:  # a tampered id the database cannot hold
        return None
    return home_quarantines(user).filter(person_id=person_id).first()


def _require(actor: AnyUser, measure: Measure) -> None:
    if not may_act_on(actor, Capability.EDIT_PEOPLE, measure.person):
        raise PermissionDenied(_("You may not act on this person."))


@transaction.atomic
def home_quarantine_record(
    *, actor: AnyUser, measure: Measure, notice_served: bool, door: str
) -> HomeQuarantine:
    """The notice served (its first serving is kept) and the door sealed or monitored."""
    _require(actor, measure)
    if door not in ["", *DoorWatch.values]:
        raise ValidationError({"door": _("Choose a door seal or a door monitor.")})
    if not notice_served and not door:
        raise ValidationError({"notice": _("Record the notice served or the door.")})
    record, _created = HomeQuarantine.objects.select_for_update().get_or_create(measure=measure)
    now = clock.now()
    done = []
    if notice_served and record.notice_served_at is None:
        record.notice_served_at, record.notice_served_by = now, acting_user(actor)
        done.append(_("notice served"))
    if door and door != record.door:
        record.door, record.door_recorded_at = door, now
        done.append(str(DoorWatch(door).label))
    if not done:
        return record
    record.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="home_quarantine",
        object_id=measure.pk,
        unit_id=measure.unit_id,
        summary=f"{measure.person.name}: {'、'.join(done)}",
    )
    return record


def home_visit_record(*, actor: AnyUser, measure: Measure, note: str) -> HomeVisit:
    """Today's visit to the person (one a day)."""
    _require(actor, measure)
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("At most %(max)d characters.") % {"max": MAX_NOTE}})
    try:
        with transaction.atomic():
            visit = HomeVisit.objects.create(
                measure=measure,
                day=clock.localdate(),
                visited_at=clock.now(),
                visited_by=acting_user(actor),
                note=note.strip(),
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="home_visit",
                object_id=measure.pk,
                unit_id=measure.unit_id,
                summary=f"{measure.person.name}: {visit.note or _('visited')}",
            )
    except IntegrityError:
        raise ValidationError({"day": _("Visited already today.")}) from None
    return visit

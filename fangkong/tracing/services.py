"""Recording cases and contacts: a case sets off its plan's events (the deadlines and a message up
the tree), the contact rules of the pack in force decide the contacts' measures."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record, audit_record_many
from fangkong.core import clock
from fangkong.core.inputs import date_problem
from fangkong.obligations.models import (
    CancelReason,
    Notification,
    NotificationTopic,
    Obligation,
    ObligationKind,
    ObligationSource,
)
from fangkong.obligations.services import (
    notifications_post,
    obligations_meet,
    obligations_resume,
    obligations_suspend,
)
from fangkong.org.access import AnyUser, acting_user, may_act_on, scope
from fangkong.org.models import Membership, Unit
from fangkong.org.roles import Capability, Role
from fangkong.people.importing import RowProblem
from fangkong.people.models import Person
from fangkong.policy.classify import people_classify
from fangkong.policy.models import ExposureKind, Trigger
from fangkong.policy.services import deadlines_open
from fangkong.tracing.models import (
    CASE_NEXT,
    CASE_TRIGGERS,
    OUTBREAK_TRIGGER,
    CandidateStatus,
    Case,
    CaseKind,
    CaseStatus,
    ContactCandidate,
    Exposure,
    Investigation,
    InvestigationStatus,
    Outbreak,
)
from fangkong.tracing.signals import case_confirmed
from fangkong.tracing.venues import contact_candidates_propose


@dataclass(frozen=True)
class ExposureInput:
    """One contact named: who, how close, when last exposed and through whom."""

    person_id: int
    kind: str
    last_exposed_at: dt.datetime
    via: Person | None = None
    note: str = ""


def exposure_check(
    *, person: Person, kind: str, last_exposed_at: dt.datetime, via: Person | None, now: dt.datetime
) -> None:
    """Refuse (ValidationError naming the field) an exposure no one can have had; ``person``
    and ``via`` may be people a line list registers with its rows, not saved yet."""
    if kind not in ExposureKind.values:
        raise ValidationError({"kind": _("Unknown contact kind.")})
    if last_exposed_at > now:
        raise ValidationError({"last_exposed_at": _("The last exposure cannot be in the future.")})
    if via is not None and (via is person or (via.pk is not None and via.pk == person.pk)):
        raise ValidationError({"via": _("A person cannot be their own contact.")})


def _exposure_audit(exposure: Exposure) -> tuple[int, int, str]:
    """The exposure's audit row: its id, the person's unit, what and when."""
    summary = _("%(kind)s, last exposed %(at)s") % {
        "kind": ExposureKind(exposure.kind).label,
        "at": f"{exposure.last_exposed_at:%Y-%m-%d %H:%M}",
    }
    return exposure.pk, exposure.person.unit_id, summary


@transaction.atomic
def exposure_record(
    *,
    actor: AnyUser,
    person: Person,
    kind: str,
    last_exposed_at: dt.datetime,
    via: Person | None = None,
    note: str = "",
    investigation: Investigation | None = None,
) -> Exposure:
    """Record that the person was exposed (audited) and recompute their measures."""
    (exposure,) = exposures_record(
        actor=actor,
        rows=[ExposureInput(person.pk, kind, last_exposed_at, via, note)],
        investigation=investigation,
    )
    return exposure


@transaction.atomic
def exposures_record(
    *,
    actor: AnyUser,
    rows: Sequence[ExposureInput],
    investigation: Investigation | None = None,
) -> list[Exposure]:
    """Record the contacts an investigation names, in one set: each checked (the investigator
    may act on the person, ``exposure_check``), then written by ``exposures_insert``."""
    people = Person.objects.filter(
        scope(actor, Capability.INVESTIGATE).people(), pk__in={row.person_id for row in rows}
    ).in_bulk()
    if any(row.person_id not in people for row in rows):
        raise PermissionDenied(_("You may not change this person."))
    now = clock.now()
    for row in rows:
        exposure_check(
            person=people[row.person_id],
            kind=row.kind,
            last_exposed_at=row.last_exposed_at,
            via=row.via,
            now=now,
        )
    return exposures_insert(
        actor=acting_user(actor),
        exposures=[
            Exposure(
                person=people[row.person_id],
                kind=row.kind,
                last_exposed_at=row.last_exposed_at,
                identified_at=now,
                via=row.via,
                note=row.note,
                investigation=investigation,
                created_by=acting_user(actor),
            )
            for row in rows
        ],
    )


@transaction.atomic
def exposures_insert(*, actor: User | None, exposures: list[Exposure]) -> list[Exposure]:
    """Record exposures of people the actor may act on, each checked by the caller with
    ``exposure_check`` (a line list's rows): one INSERT, one of their audit rows, and the contact
    rules started once for the people exposed (their measures recomputed together)."""
    Exposure.objects.bulk_create(exposures)
    audit_record_many(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="exposure",
        entries=[_exposure_audit(exposure) for exposure in exposures],
    )
    people = sorted({exposure.person_id for exposure in exposures})
    if people:
        people_classify(people, trigger=Trigger.CONTACT, actor_id=getattr(actor, "pk", None))
    return exposures


def _tell_up_the_tree(unit: Unit, topic: str, params: dict[str, object], link: str) -> None:
    """A message to the role holders of the unit and of every unit above it, up to the county."""
    parts = unit.path.strip("/").split("/")
    above = ["/" + "/".join(parts[:depth]) + "/" for depth in range(1, len(parts) + 1)]
    users = set(
        Membership.objects.filter(unit__path__in=above)
        .exclude(role=Role.VIEWER)
        .values_list("user_id", flat=True)
    )
    notifications_post(
        [
            Notification(
                user_id=user_id,
                unit=unit,
                topic=topic,
                params=params,
                link=link,
                created_at=clock.now(),
            )
            for user_id in sorted(users)
        ]
    )


def _case_events(case: Case, actor: AnyUser) -> None:
    """The plan's events of the case's kind: its deadlines for the case's unit, and a message up
    the tree."""
    trigger = CASE_TRIGGERS[CaseKind(case.kind)]
    deadlines_open(
        trigger=trigger,
        unit=case.unit,
        at=case.reported_at,
        person=case.person,
        actor=actor,
        case=case.pk,
    )
    with translation.override(None):  # the message id: the reader's inbox translates it
        label = str(CaseKind(case.kind).label)
    _tell_up_the_tree(case.unit, NotificationTopic.CASE, {"case": label}, f"/cases/{case.pk}/")
    if trigger == CASE_TRIGGERS[CaseKind.CONFIRMED]:
        case_confirmed.send(sender=Case, case=case, actor=actor)


@dataclass(frozen=True)
class CaseInput:
    """One case to report: the person (register id), the kind, when reported (now when None; as
    sent when it is no time, for the check to refuse with its row) and a note."""

    person_id: int
    kind: str
    reported_at: Any = None
    note: str = ""


class CasesRefused(Exception):
    """The rows of cases that cannot be reported, each with its row number (from 1), field and
    reason; nothing was written. ``denied``: a row's person is beyond the reporter's units."""

    def __init__(self, problems: list[RowProblem], *, denied: bool) -> None:
        super().__init__(problems)
        self.problems = problems
        self.denied = denied


CASE_NOTE_MAX = 300
# Cases reported in one request: a screening round's confirmed, well within a request's time.
CASES_BATCH_MAX = 500


def _cases_check(
    actor: AnyUser, rows: Sequence[CaseInput], now: dt.datetime
) -> tuple[dict[int, int], list[RowProblem], bool]:
    """The units of the people the rows name, by person, and each row's problems: a person the
    reporter may not investigate, named twice or with a case in course; an unknown kind; a time
    that is none, without its offset or in the future; a note too long."""
    reached = dict(
        Person.objects.filter(
            scope(actor, Capability.INVESTIGATE).people(), pk__in={row.person_id for row in rows}
        ).values_list("pk", "unit_id")
    )
    in_course = set(
        Case.objects.filter(person__in=reached).in_course().values_list("person_id", flat=True)
    )
    problems: list[RowProblem] = []
    seen: set[int] = set()
    for number, row in enumerate(rows, start=1):

        def refuse(field: str, value: object, message: str, number: int = number) -> None:
            problems.append(RowProblem(number, field, str(value)[:40], message))

        if row.person_id not in reached:
            refuse("person", row.person_id, _("You may not change this person."))
        elif row.person_id in seen:
            refuse("person", row.person_id, _("This person is named twice in the list."))
        elif row.person_id in in_course:
            refuse(
                "person",
                row.person_id,
                _("This person already has a case in course: upgrade it instead."),
            )
        seen.add(row.person_id)
        if row.kind not in CaseKind.values:
            refuse("kind", row.kind, _("Unknown case kind."))
        if row.reported_at is not None and not (
            isinstance(row.reported_at, dt.datetime) and row.reported_at.tzinfo is not None
        ):
            refuse(
                "reported_at",
                row.reported_at,
                _("Not a time (write 2022-02-01T08:00+08:00): %(value)s")
                % {"value": str(row.reported_at)[:40]},
            )
        elif isinstance(row.reported_at, dt.datetime) and row.reported_at > now:
            refuse("reported_at", row.reported_at, _("A case cannot be reported in the future."))
        if len(row.note) > CASE_NOTE_MAX:
            refuse("note", row.note, _("The note has at most 300 characters."))
    denied = any(row.person_id not in reached for row in rows)
    return reached, problems, denied


@transaction.atomic
def case_report(
    *,
    actor: AnyUser,
    person: Person,
    kind: str,
    reported_at: dt.datetime | None = None,
    note: str = "",
) -> Case:
    """Record a case (a clinic, a school doctor, the county): it sets off the plan's events. The
    one-row case of ``cases_report``."""
    try:
        (case,) = cases_report(actor=actor, rows=[CaseInput(person.pk, kind, reported_at, note)])
    except CasesRefused as refused:
        if refused.denied:
            raise PermissionDenied(_("You may not change this person.")) from refused
        raise ValidationError({p.column: p.message for p in refused.problems}) from refused
    return case


@transaction.atomic
def cases_report(*, actor: AnyUser, rows: Sequence[CaseInput]) -> list[Case]:
    """Record many cases at once (确诊一批: after a screening round's re-tests the county
    confirms a list of people): every row is checked first and, if any is refused, nothing is
    written (``CasesRefused`` names every bad row); then the cases are written together and
    audited in one insert, each sets off its plan's events, and the confirmed ones are searched
    for candidate contacts in one set-based search."""
    now = clock.now()
    reached, problems, denied = _cases_check(actor, rows, now)
    if problems:
        raise CasesRefused(problems, denied=denied)
    try:
        with transaction.atomic():
            cases = Case.objects.bulk_create(
                Case(
                    person_id=row.person_id,
                    unit_id=reached[row.person_id],
                    kind=row.kind,
                    reported_at=row.reported_at or now,
                    note=row.note,
                    created_by=acting_user(actor),
                )
                for row in rows
            )
    except IntegrityError as error:  # another clerk reported one of them a moment ago
        raise ValidationError(
            {"person": _("This person already has a case in course: upgrade it instead.")}
        ) from error
    audit_record_many(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="case",
        entries=(
            (
                case.pk,
                case.unit_id,
                _("%(kind)s reported %(at)s")
                % {"kind": CaseKind(case.kind).label, "at": f"{case.reported_at:%Y-%m-%d %H:%M}"},
            )
            for case in cases
        ),
    )
    units = {unit.pk: unit for unit in Unit.objects.filter(pk__in=set(reached.values()))}
    people = Person.objects.in_bulk(list(reached))
    for case in cases:
        case.unit, case.person = units[case.unit_id], people[case.person_id]
        _case_events(case, actor)
    confirmed = [case for case in cases if case.kind == CaseKind.CONFIRMED]
    contact_candidates_propose(actor=actor, cases=confirmed)
    return cases


def _locked(actor: AnyUser, case: Case) -> Case:
    if not may_act_on(actor, Capability.INVESTIGATE, case.person):
        raise PermissionDenied(_("You may not change this person."))
    return Case.objects.select_for_update().select_related("person", "unit").get(pk=case.pk)


def _case_change(
    actor: AnyUser, case: Case, field: str, before: models.TextChoices, after: models.TextChoices
) -> None:
    """One field of the case moved on, with its audit row (in the caller's transaction)."""
    setattr(case, field, after.value)
    case.save(update_fields=[field, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="case",
        object_id=case.pk,
        unit_id=case.unit_id,
        summary=f"{before.label} → {after.label}",
        changes={field: [before.value, after.value]},
    )


@transaction.atomic
def case_upgrade(*, actor: AnyUser, case: Case, kind: str) -> Case:
    """A suspected case confirmed (or found asymptomatic), an asymptomatic one confirmed: the
    events of the new kind are set off, unless the old kind set them off already."""
    case = _locked(actor, case)
    if kind not in case.upgrades:
        raise ValidationError({"kind": _("This case cannot become that kind.")})
    before = CaseKind(case.kind)
    _case_change(actor, case, "kind", before, CaseKind(kind))
    if CASE_TRIGGERS[CaseKind(kind)] != CASE_TRIGGERS[before]:
        _case_events(case, actor)
    if kind == CaseKind.CONFIRMED:
        contact_candidates_propose(actor=actor, cases=[case])
    return case


@transaction.atomic
def case_status_change(*, actor: AnyUser, case: Case, status: str) -> Case:
    """Move the case on its course; reaching "transferred" meets the case's transfer deadlines;
    recovered or ruled out, the person is out of hospital and the tests and check-ins the stay
    suspended resume from now (``hospital_stays_suspend``)."""
    case = _locked(actor, case)
    if status not in case.next_statuses:
        raise ValidationError({"status": _("The case cannot move to that status now.")})
    if not CASE_NEXT[CaseStatus(status)]:
        case.closed_at = clock.now()
        case.save(update_fields=["closed_at"])
    _case_change(actor, case, "status", CaseStatus(case.status), CaseStatus(status))
    if status == CaseStatus.TRANSFERRED:
        obligations_meet(
            Obligation.objects.of_case(case.pk).filter(kind=ObligationKind.TRANSFER),
            actor=actor,
            unit_id=case.unit_id,
            summary=str(ObligationKind.TRANSFER.label),
        )
    if case.closed_at is not None:
        obligations_resume(
            Obligation.objects.filter(SUSPENDED_IN_HOSPITAL, person_id=case.person_id),
            CancelReason.IN_HOSPITAL,
            clock.now(),
        )
    return case


# What a stay in hospital suspends: the register's deadlines of the person (the measure's test
# days, the daily check-in slots), not the case's own (its report, transfer, investigation).
SUSPENDED_IN_HOSPITAL = Q(
    kind__in=[ObligationKind.TEST, ObligationKind.CHECKIN],
    source__in=[ObligationSource.CLASSIFICATION, ObligationSource.MONITORING],
)


def hospital_stays_suspend(day: dt.date) -> int:
    """The tick's part of a stay in hospital (住院): a case in course (reported and isolated,
    transferred to the designated hospital, treated) is a stay from its report until it is
    recovered or ruled out. The person's tests and check-in slots due within a stay, up to the
    end of ``day``, are cancelled as suspended while in hospital, never missed: one statement
    for everyone in hospital, and for the people discharged on the day (the slots of the day
    due before the discharge, opened once they were out). Monitoring opens no check-in slot for
    the people in hospital; ``case_status_change`` resumes the rest at the discharge."""
    ended = [status for status, next_statuses in CASE_NEXT.items() if not next_statuses]
    # The few people in hospital drive the statement (obligation_person_idx), not the backlog
    # of every pending row due by the day.
    stays = Case.objects.filter(~Q(status__in=ended) | Q(closed_at__gte=clock.local_midnight(day)))
    return obligations_suspend(
        Obligation.objects.filter(
            SUSPENDED_IN_HOSPITAL,
            person__in=stays.values("person"),
            due_at__lte=clock.day_end(day),
        ).filter(
            Exists(
                stays.filter(
                    person=OuterRef("person"), reported_at__lte=OuterRef("due_at")
                ).exclude(closed_at__lte=OuterRef("due_at"))
            )
        ),
        CancelReason.IN_HOSPITAL,
    )


@transaction.atomic
def outbreak_declare(
    *,
    actor: AnyUser,
    case_ids: list[int],
    declared_at: dt.datetime | None = None,
    note: str = "",
) -> Outbreak:
    """Group cases into an outbreak (聚集性疫情), counted in the deepest unit holding all of them:
    the plan's ``outbreak`` deadlines open for that unit (G-05 report at once, G-06 transfer in
    2 h, G-07 investigation in 24 h) and the tree above it is told."""
    now = clock.now()
    declared_at = declared_at or now
    wanted = sorted(set(case_ids))
    if len(wanted) < 2:
        raise ValidationError({"cases": _("An outbreak groups at least two cases.")})
    if declared_at > now:
        raise ValidationError({"declared_at": _("An outbreak cannot be declared in the future.")})
    cases = list(
        Case.objects.filter(pk__in=wanted)
        .select_related("unit")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    editable = scope(actor, Capability.INVESTIGATE)
    if len(cases) < len(wanted) or not all(editable.covers(case.unit) for case in cases):
        raise PermissionDenied(_("You may not change these cases."))
    if any(case.outbreak_id is not None for case in cases):
        raise ValidationError({"cases": _("A case already belongs to an outbreak.")})
    if any(case.status == CaseStatus.EXCLUDED for case in cases):
        raise ValidationError({"cases": _("An excluded case belongs to no outbreak.")})
    if declared_at < min(case.reported_at for case in cases):
        raise ValidationError(
            {"declared_at": _("An outbreak cannot be declared before its cases were reported.")}
        )
    common = os.path.commonprefix([case.unit.path.rstrip("/").split("/") for case in cases])
    unit = Unit.objects.get(path="/".join(common) + "/")
    if not editable.covers(unit):
        raise PermissionDenied(_("These cases lie in several of your areas: ask the unit above."))
    outbreak = Outbreak.objects.create(
        unit=unit, declared_at=declared_at, note=note, created_by=acting_user(actor)
    )
    Case.objects.filter(pk__in=wanted).update(outbreak=outbreak, updated_at=now)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="outbreak",
        object_id=outbreak.pk,
        unit_id=unit.pk,
        summary=_("Outbreak of %(cases)s cases declared %(at)s")
        % {"cases": len(cases), "at": f"{declared_at:%Y-%m-%d %H:%M}"},
        changes={"cases": [[], wanted]},
    )
    deadlines_open(
        trigger=OUTBREAK_TRIGGER,
        unit=unit,
        at=declared_at,
        actor=actor,
        outbreak=outbreak.pk,
    )
    _tell_up_the_tree(
        unit,
        NotificationTopic.OUTBREAK,
        {"cases": len(cases)},
        f"/cases/outbreaks/{outbreak.pk}/",
    )
    return outbreak


@transaction.atomic
def investigation_open(*, actor: AnyUser, case: Case) -> Investigation:
    """Open the case's epidemiological investigation (流调); the one already open is returned."""
    case = _locked(actor, case)
    investigation, created = Investigation.objects.get_or_create(
        case=case, defaults={"opened_at": clock.now(), "created_by": acting_user(actor)}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="investigation",
            object_id=investigation.pk,
            unit_id=case.unit_id,
            summary=_("Investigation of %(name)s opened") % {"name": case.person.name},
        )
    return investigation


def _investigation_locked(actor: AnyUser, investigation: Investigation) -> Investigation:
    case = _locked(actor, investigation.case)
    locked = Investigation.objects.select_for_update().get(pk=investigation.pk)
    locked.case = case
    return locked


@transaction.atomic
def investigation_answer(
    *, actor: AnyUser, investigation: Investigation, onset_date: dt.date | None, history: str
) -> Investigation:
    """Record the interview's answers: the onset date and the 14-day history."""
    investigation = _investigation_locked(actor, investigation)
    reported_on = investigation.case.reported_at.astimezone(clock.tz()).date()
    if onset_date is not None and (problem := date_problem(onset_date)):
        raise ValidationError({"onset_date": problem})
    if onset_date is not None and onset_date > reported_on:
        raise ValidationError(
            {"onset_date": _("The onset cannot be later than the day the case was reported.")}
        )
    if len(history) > 4000:
        raise ValidationError({"history": _("The history is longer than 4000 characters.")})
    before = {"onset_date": investigation.onset_date, "history": investigation.history}
    investigation.onset_date, investigation.history = onset_date, history
    investigation.save(update_fields=["onset_date", "history", "updated_at"])
    changed = {
        field: [str(old or ""), str(getattr(investigation, field) or "")]
        for field, old in before.items()
        if old != getattr(investigation, field)
    }
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="investigation",
            object_id=investigation.pk,
            unit_id=investigation.case.unit_id,
            summary=_("Interview answers recorded"),
            changes=changed,
        )
    return investigation


@transaction.atomic
def investigation_determine(*, actor: AnyUser, investigation: Investigation) -> Investigation:
    """The contacts are determined: the case's investigation deadlines are met, and the outbreak's
    (G-07, 24 h) once every case of it in course or recovered is determined."""
    investigation = _investigation_locked(actor, investigation)
    if investigation.status == InvestigationStatus.DETERMINED:
        raise ValidationError({"status": _("The contacts are already determined.")})
    case = investigation.case
    investigation.status = InvestigationStatus.DETERMINED
    investigation.determined_at = clock.now()
    investigation.save(update_fields=["status", "determined_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="investigation",
        object_id=investigation.pk,
        unit_id=case.unit_id,
        summary=_("Contacts determined: %(count)d") % {"count": investigation.contacts.count()},
        changes={"status": [InvestigationStatus.IN_PROGRESS, InvestigationStatus.DETERMINED]},
    )
    label = str(ObligationKind.INVESTIGATION.label)
    obligations_meet(
        Obligation.objects.of_case(case.pk).filter(kind=ObligationKind.INVESTIGATION),
        actor=actor,
        unit_id=case.unit_id,
        summary=label,
    )
    if case.outbreak_id is not None:
        undetermined = (
            Case.objects.filter(outbreak_id=case.outbreak_id)
            .exclude(status=CaseStatus.EXCLUDED)
            .exclude(investigation__status=InvestigationStatus.DETERMINED)
        )
        if not undetermined.exists():
            obligations_meet(
                Obligation.objects.of_outbreak(case.outbreak_id).filter(
                    kind=ObligationKind.INVESTIGATION
                ),
                actor=actor,
                unit_id=case.unit_id,
                summary=label,
            )
    return investigation


@transaction.atomic
def contact_candidate_decide(
    *, actor: AnyUser, candidate: ContactCandidate, accept: bool
) -> ContactCandidate:
    """Accept a candidate as a close contact of the case (last exposed at the shared visit: the
    contact rules start) or reject them; audited either way."""
    candidate = (
        ContactCandidate.objects.select_for_update(of=("self",))
        .select_related("case__person", "person", "venue")
        .get(pk=candidate.pk)
    )
    if not may_act_on(actor, Capability.INVESTIGATE, candidate.person):
        raise PermissionDenied(_("You may not change this person."))
    if candidate.status != CandidateStatus.PROPOSED:
        raise ValidationError({"candidate": _("This candidate was decided already.")})
    after = CandidateStatus.ACCEPTED if accept else CandidateStatus.REJECTED
    candidate.status = after.value
    candidate.decided_at = clock.now()
    candidate.decided_by = acting_user(actor)
    candidate.save(update_fields=["status", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="contact_candidate",
        object_id=candidate.pk,
        unit_id=candidate.case.unit_id,
        summary=f"{candidate.person.name}: {after.label}",
        changes={"status": [CandidateStatus.PROPOSED.value, after.value]},
    )
    if accept:
        exposure_record(
            actor=actor,
            person=candidate.person,
            kind=ExposureKind.CLOSE_CONTACT,
            last_exposed_at=candidate.shared_at,
            via=candidate.case.person,
            note=candidate.venue.name,
        )
    return candidate

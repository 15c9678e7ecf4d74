"""Writes of playbooks: a run started (live: each step a deadline owed by the person named for
its role; a drill: timed on the controlled clock, no deadline opened), a step marked done, a run
finished and scored. Each is one transaction with its audit row."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.obligations.models import Obligation, ObligationSource
from fangkong.obligations.services import obligations_cancel, obligations_meet, obligations_open
from fangkong.obligations.specs import OfPlaybookRun, Owner
from fangkong.org.access import AnyUser, acting_user, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.playbooks.models import PlaybookRun, RunStep
from fangkong.playbooks.selectors import playbooks_at, score

NAME_MAX = 50


def _require(actor: AnyUser, unit: Unit) -> None:
    if not user_can(actor, Capability.KEEP_ROSTER, unit):
        raise PermissionDenied(_("You may not run this unit's playbooks."))


@transaction.atomic
def run_start(
    *, actor: AnyUser, unit: Unit, playbook_id: str, drill: bool, names: dict[str, str]
) -> PlaybookRun:
    """Start the playbook at the unit now: its steps due at their minutes from the start, each
    for the person named for its role (``names``: role → name; a live run needs every role)."""
    _require(actor, unit)
    pack_id, playbooks = playbooks_at(unit)
    playbook = next((p for p in playbooks if p.id == playbook_id), None)
    if playbook is None:
        raise ValidationError({"playbook": _("The plan in force here has no such playbook.")})
    names = {role: name.strip()[:NAME_MAX] for role, name in names.items()}
    missing = [s.role for s in playbook.steps if not names.get(s.role)]
    if missing and not drill:
        raise ValidationError(
            {"names": _("Name who does %(roles)s.") % {"roles": "、".join(dict.fromkeys(missing))}}
        )
    now = clock.now()
    run = PlaybookRun.objects.create(
        unit=unit,
        pack_id=pack_id,
        playbook_id=playbook.id,
        name=playbook.name,
        drill=drill,
        started_at=now,
        started_by=acting_user(actor),
    )
    steps = RunStep.objects.bulk_create(
        RunStep(
            run=run,
            position=position,
            title=step.title,
            role=step.role,
            assignee=names.get(step.role, ""),
            kind=step.kind,
            clause=step.clause[:200],
            due_at=now + dt.timedelta(minutes=step.within_minutes),
        )
        for position, step in enumerate(playbook.steps, start=1)
    )
    if not drill:
        obligations_open(
            OfPlaybookRun(
                owner=Owner(
                    unit_id=unit.pk,
                    source=ObligationSource.EVENT,
                    pack_id=pack_id,
                    rule_id=playbook.id,
                    clause=step.clause,
                ),
                kind=step.kind,
                due_at=step.due_at,
                playbook_run=run.pk,
                step=step.position,
                responsible=step.assignee,
            )
            for step in steps
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="playbook_run",
        object_id=run.pk,
        unit_id=unit.pk,
        summary=f"{playbook.name} {_('drill') if drill else _('live')}",
    )
    return run


def _locked(actor: AnyUser, run_id: int) -> PlaybookRun:
    run = PlaybookRun.objects.select_for_update(of=("self",)).select_related("unit").get(pk=run_id)
    _require(actor, run.unit)
    if run.finished_at is not None:
        raise ValidationError({"run": _("This run is finished.")})
    return run


@transaction.atomic
def step_done(*, actor: AnyUser, run_id: int, position: int) -> RunStep:
    """Mark the step done now; a live run's deadline for it is met (late when past due)."""
    run = _locked(actor, run_id)
    step = run.steps.filter(position=position).first()
    if step is None:
        raise ValidationError({"step": _("The run has no such step.")})
    if step.done_at is not None:
        raise ValidationError({"step": _("This step is done already.")})
    step.done_at = clock.now()
    step.done_by = acting_user(actor)
    step.save(update_fields=["done_at", "done_by"])
    if not run.drill:
        obligations_meet(
            Obligation.objects.of_playbook_step(run.pk, position),
            actor=actor,
            unit_id=run.unit_id,
            summary=step.title,
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="playbook_run",
        object_id=run.pk,
        unit_id=run.unit_id,
        summary=f"{position}. {step.title}",
    )
    return step


@transaction.atomic
def run_finish(*, actor: AnyUser, run_id: int) -> PlaybookRun:
    """End the run and keep its score with the unit's history; a live run's steps not done stay
    on record as not done and their deadlines are cancelled."""
    run = _locked(actor, run_id)
    run.finished_at = clock.now()
    run.score = score(run.steps.all())
    run.save(update_fields=["finished_at", "score"])
    if not run.drill:
        obligations_cancel(Obligation.objects.of_playbook_run(run.pk))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="playbook_run",
        object_id=run.pk,
        unit_id=run.unit_id,
        summary=_("finished, score %(score)d") % {"score": run.score},
    )
    return run

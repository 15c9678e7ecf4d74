"""Writes of deadlines: open them from specs, meet them (audited), and the periodic tick.

Every app opens its obligations with ``obligations_open`` and meets them with ``obligations_meet``;
the plan-specific choice of *which* deadlines a rule or an event asks for stays with the caller.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, Q, When
from django.db.models.fields.json import KT
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.bulk import rows_insert
from fangkong.core.lookups import Ids
from fangkong.core.tasks import enqueue
from fangkong.obligations.models import (
    PENDING,
    CancelReason,
    Notification,
    NotificationTopic,
    Obligation,
    ObligationKind,
    ObligationQuerySet,
    ObligationStatus,
)
from fangkong.obligations.signals import day_opened, day_opening
from fangkong.obligations.specs import Spec
from fangkong.org.access import AnyUser, acting_user, scope, user_can
from fangkong.org.models import Membership, Unit
from fangkong.org.roles import Capability, Role

_FIELDS = (
    "kind",
    "person",
    "unit",
    "due_at",
    "status",
    "source",
    "decision",
    "pack_id",
    "rule_id",
    "clause",
    "detail",
    "created_at",
    "note",
)


def obligations_open(specs: Iterable[Spec], *, once: bool = False) -> int:
    """Open an obligation for each spec; returns how many were handed in.

    ``once``: the tick's openers (routine reports, check-in slots, schedules) run every minute,
    and a unique constraint of the table keeps one row per unit or person and due time, so a row
    already there is skipped. The others write in sets (COPY on PostgreSQL): classification opens
    millions.
    """
    now = clock.now()
    rows = (
        (
            spec.kind,
            spec.owner.person_id,
            spec.owner.unit_id,
            spec.due_at,
            ObligationStatus.OPEN,
            spec.owner.source,
            spec.owner.decision,
            spec.owner.pack_id,
            spec.owner.rule_id,
            spec.owner.clause,
            spec.detail(),
            now,
            "",
        )
        for spec in specs
    )
    if not once:
        return rows_insert(Obligation, _FIELDS, rows)
    objects = [Obligation(**_attributes(row)) for row in rows]
    Obligation.objects.bulk_create(objects, ignore_conflicts=True, batch_size=5000)
    return len(objects)


def _attributes(row: tuple[Any, ...]) -> dict[str, Any]:
    """A row of ``_FIELDS`` as model attributes (the detail as the dict its JSON text encodes)."""
    attributes = dict(zip(_ATTRIBUTES, row, strict=True))
    attributes["detail"] = json.loads(attributes["detail"])
    return attributes


_ATTRIBUTES = tuple(name if name not in ("person", "unit") else f"{name}_id" for name in _FIELDS)


def obligations_meet(
    obligations: ObligationQuerySet,
    *,
    actor: AnyUser | None,
    unit_id: int | None,
    summary: str,
    note: str = "",
    object_id: object = "",
) -> int:
    """Mark the pending ones of ``obligations`` met by the actor (a missed one is met late), and
    audit it in the same transaction; returns how many were met. A met one stays met."""
    changes: dict[str, Any] = {
        "status": ObligationStatus.MET,
        "met_at": clock.now(),
        "met_by": acting_user(actor),
    }
    if note:
        changes["note"] = note
    with transaction.atomic(savepoint=False):
        met = obligations.pending().update(**changes)
        if met:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                object_type="obligation",
                object_id=object_id,
                unit_id=unit_id,
                summary=summary
                if object_id
                else _("%(count)d met: %(what)s") % {"count": met, "what": summary},
            )
    return met


@transaction.atomic
def obligation_meet(*, actor: AnyUser, obligation: Obligation, note: str = "") -> Obligation:
    """Record that the obligation is met (late if it was missed); a met one stays met."""
    if not user_can(actor, Capability.EDIT_PEOPLE, obligation.unit):
        raise PermissionDenied(_("You may not act for this unit."))
    if obligation.status not in PENDING:
        raise ValidationError(_("This obligation is already closed."))
    late = clock.now() > obligation.due_at
    if not obligations_meet(
        Obligation.objects.filter(pk=obligation.pk),
        actor=actor,
        unit_id=obligation.unit_id,
        summary=_("%(kind)s met") % {"kind": ObligationKind(obligation.kind).label}
        + (_(" (late)") if late else ""),
        note=note,
        object_id=obligation.pk,
    ):
        raise ValidationError(_("This obligation is already closed."))
    obligation.refresh_from_db()
    return obligation


# The most deadlines one bulk action meets: a page's selection, not a county's backlog.
SELECTION_MAX = 400


@transaction.atomic
def obligations_meet_selected(*, actor: AnyUser, ids: Sequence[int], note: str = "") -> int:
    """Meet a selection of deadlines with one note, wholly or not at all: every one must be
    pending and answered for by a unit the actor may act for, else nothing changes. One audit
    row per responsible unit, in the same transaction. Returns how many were met."""
    wanted = set(ids)
    if not wanted:
        raise ValidationError({"ids": _("Choose at least one deadline.")})
    if len(wanted) > SELECTION_MAX:
        raise ValidationError(
            {"ids": _("At most %(max)d deadlines at once.") % {"max": SELECTION_MAX}}
        )
    # Locked in id order, so two bulk actions over the same rows wait instead of deadlocking.
    rows = list(
        Obligation.objects.select_for_update()
        .filter(pk__any=Ids(wanted))
        .select_related("unit")
        .order_by("id")
    )
    reach = scope(actor, Capability.EDIT_PEOPLE)
    if len(rows) != len(wanted) or not all(reach.covers(row.unit) for row in rows):
        raise PermissionDenied(_("You may not act for this unit."))
    if any(row.status not in PENDING for row in rows):
        raise ValidationError({"ids": _("This obligation is already closed.")})
    by_unit: dict[int, list[Obligation]] = {}
    for row in rows:
        by_unit.setdefault(row.unit_id, []).append(row)
    return sum(
        obligations_meet(
            Obligation.objects.filter(pk__any=Ids([row.pk for row in chosen])),
            actor=actor,
            unit_id=unit_id,
            summary=_("chosen deadlines: %(kinds)s") % {"kinds": _kinds_counted(chosen)},
            note=note,
        )
        for unit_id, chosen in sorted(by_unit.items())
    )


def _kinds_counted(rows: Sequence[Obligation]) -> str:
    """健康打卡 3、转运 1: what a selection holds, as its audit row says it."""
    counts = Counter(ObligationKind(row.kind).label for row in rows)
    return "、".join(f"{kind} {count}" for kind, count in counts.items())


@transaction.atomic
def obligations_remind(*, actor: AnyUser, unit: Unit) -> int:
    """Remind a unit of its overdue deadlines: one inbox message per kind to the people acting
    for it (sent by e-mail and SMS once the transaction commits), and an audit row. Returns how
    many messages were queued; none when nothing is overdue."""
    if not user_can(actor, Capability.EDIT_PEOPLE, unit):
        raise PermissionDenied(_("You may not act for this unit."))
    counts = Counter(
        Obligation.objects.filter(unit=unit).overdue(clock.now()).values_list("unit_id", "kind")
    )
    sent = _notify_missed(counts, clock.now())
    if sent:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="unit",
            object_id=unit.pk,
            unit_id=unit.pk,
            summary=_("reminded of %(count)d overdue deadlines") % {"count": counts.total()},
        )
    return sent


def obligations_cancel(obligations: ObligationQuerySet) -> int:
    """Cancel the open ones (a decision superseded, a release): no longer owed, never missed."""
    return obligations.open().update(status=ObligationStatus.CANCELLED)


def obligations_suspend(obligations: ObligationQuerySet, reason: CancelReason) -> int:
    """Cancel the pending ones for a while, with the reason the person's page shows beside the
    status: owed no longer and not overdue (a missed one too: its time fell in the while), until
    ``obligations_resume`` opens those still ahead again."""
    return obligations.pending().update(status=ObligationStatus.CANCELLED, cancel_reason=reason)


def obligations_resume(
    obligations: ObligationQuerySet, reason: CancelReason, after: dt.datetime
) -> int:
    """Open again the ones suspended for ``reason`` that fall due after ``after``: the schedule
    resumes from that moment as it was opened."""
    return obligations.filter(
        status=ObligationStatus.CANCELLED, cancel_reason=reason, due_at__gt=after
    ).update(status=ObligationStatus.OPEN, cancel_reason="")


def obligations_meet_tests(
    samples: Sequence[tuple[int, dt.datetime]], *, actor: AnyUser | None, unit_id: int | None = None
) -> int:
    """Each (person, sampled at) meets that person's test due that day, or else the earliest open
    "within N hours" test still ahead of the sample; and any periodic test (F-01: weekly) whose
    period holds it. One read and one write for the set. Returns how many tests were met."""
    people = {person_id for person_id, _at in samples}
    days = sorted({at.astimezone(clock.tz()).date().isoformat() for _person, at in samples})
    # Only the tests a sample can meet: due on a sampled day, "within N hours" ones, periodic
    # ones. The JSON is read in SQL: a screening round meets hundreds of thousands at once.
    open_tests: dict[int, list[tuple[int, dt.datetime, str | None, bool]]] = {}
    periodic: dict[int, list[tuple[int, dt.datetime, str]]] = {}
    for pk, person_id, due_at, day, within, since in (
        Obligation.objects.tests()
        .pending()
        .for_people(people)
        .filter(Q(detail__date__in=days) | Q(detail__has_key="due_by") | Q(detail__has_key="since"))
        .annotate(
            day=KT("detail__date"),
            within=Case(When(detail__has_key="due_by", then=True), default=False),
            since=KT("detail__since"),
        )
        .order_by("due_at", "id")
        .values_list("pk", "person_id", "due_at", "day", "within", "since")
    ):
        if since is not None:
            periodic.setdefault(person_id, []).append((pk, due_at, since))
        else:
            open_tests.setdefault(person_id, []).append((pk, due_at, day, within))
    met: set[int] = set()
    for person_id, sampled_at in sorted(samples, key=lambda s: s[1]):
        tests = open_tests.get(person_id, [])
        day = sampled_at.astimezone(clock.tz()).date().isoformat()
        target = next((t for t in tests if t[2] == day), None) or next(
            (t for t in tests if t[3] and t[1] >= sampled_at), None
        )
        if target is not None:
            tests.remove(target)
            met.add(target[0])
        met.update(
            pk
            for pk, due_at, since in periodic.get(person_id, ())
            if since <= day and sampled_at < due_at
        )
    if not met:
        return 0
    return obligations_meet(
        Obligation.objects.filter(pk__any=Ids(met)),
        actor=actor,
        unit_id=unit_id,
        summary=_("tests met by samples"),
    )


def tests_owed_by_staged(stage: str) -> list[tuple[int, Any]]:
    """(person, sampled at) of the staged samples (a temporary table with ``person_id`` and
    ``sampled_at``) whose person owes a test: one statement for the whole batch."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.person_id, s.sampled_at FROM policy_obligation o"  # noqa: S608
            f" JOIN {stage} s ON s.person_id = o.person_id"
            " WHERE o.kind = %s AND o.status IN (%s, %s)",
            [ObligationKind.TEST, *PENDING],
        )
        return cursor.fetchall()


def checkin_slot_owed_sql(person_column: str) -> tuple[str, list[str]]:
    """A SQL condition, with its parameters: the person owes a pending check-in slot (for the
    one-statement check-in, which is written only when it meets none)."""
    return (
        "EXISTS (SELECT 1 FROM policy_obligation o"  # noqa: S608 - a column name of the caller
        f" WHERE o.person_id = {person_column}"
        " AND o.kind = %s AND o.status IN (%s, %s))",
        [ObligationKind.CHECKIN, *PENDING],
    )


# Past-due obligations claimed per transaction of the tick.
TICK_BATCH = 20_000


@dataclass
class Tick:
    missed: int = 0
    notifications: int = 0
    reports: int = 0


def obligations_tick() -> Tick:
    """The periodic tick: the apps open their deadlines of the day (``day_opening``: the plans'
    routine reports, monitoring's check-in slots, labs' schedules) and close those no longer
    owed (``day_opened``: tracing suspends them in hospital), then the past-due are marked
    missed and the units that answer for them told (one inbox message per unit and kind, not one
    per row)."""
    now = clock.now()
    today = now.astimezone(clock.tz()).date()
    tick = Tick()
    for _receiver, opened in day_opening.send(sender=Obligation, day=today):
        tick.reports += int(opened or 0)
    day_opened.send(sender=Obligation, day=today)
    while True:
        with transaction.atomic():
            ids = list(
                Obligation.objects.select_for_update(skip_locked=True)
                .open()
                .filter(due_at__lt=now)
                .order_by("due_at")
                .values_list("id", flat=True)[:TICK_BATCH]
            )
            if not ids:
                break
            # Claimed by a conditional UPDATE: a row met meanwhile is not marked missed.
            Obligation.objects.filter(pk__in=ids, status=ObligationStatus.OPEN).update(
                status=ObligationStatus.MISSED
            )
            counts = Counter(
                Obligation.objects.filter(pk__in=ids, status=ObligationStatus.MISSED).values_list(
                    "unit_id", "kind"
                )
            )
            tick.missed += sum(counts.values())
            tick.notifications += _notify_missed(counts, now)
    return tick


def _notify_missed(counts: Counter[tuple[int, str]], now: dt.datetime) -> int:
    """Tell the people acting for each unit (its own members, or the nearest unit up with any)."""
    units = {u.pk: u for u in Unit.objects.filter(pk__in={unit for unit, _kind in counts})}
    by_path: dict[str, list[int]] = {}
    for path, user_id in Membership.objects.exclude(role=Role.VIEWER).values_list(
        "unit__path", "user_id"
    ):
        by_path.setdefault(path, []).append(user_id)
    rows = []
    for (unit_id, kind), count in counts.items():
        unit = units[unit_id]
        parts = unit.path.strip("/").split("/")
        recipients: list[int] = []
        for depth in range(len(parts), 0, -1):
            recipients = by_path.get("/" + "/".join(parts[:depth]) + "/", [])
            if recipients:
                break
        for user_id in set(recipients):
            rows.append(
                Notification(
                    user_id=user_id,
                    unit_id=unit_id,
                    topic=NotificationTopic.MISSED,
                    params={"kind": kind, "count": count},
                    link=f"/plans/obligations/?unit={unit_id}&state=overdue",
                    created_at=now,
                )
            )
    return len(notifications_post(rows))


def notifications_post(rows: list[Notification]) -> list[Notification]:
    """Put the messages in their readers' inboxes, and queue sending them by e-mail and SMS once
    the transaction commits: never while it holds locks, never for a change rolled back."""
    created = Notification.objects.bulk_create(rows, batch_size=2000)
    if created:
        from fangkong.obligations.tasks import obligations_notifications_send

        enqueue(obligations_notifications_send, [note.pk for note in created])
    return created

"""Writes of the work-plans app: risk areas, plan assignments, releases, cross-infections,
obligations met and the periodic tick. Views, API and commands call these; none re-implements them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Q, When
from django.db.models.fields.json import KT
from django.dispatch import Signal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.lookups import Ids
from fangkong.core.spreadsheets import Column, TableColumns, read_rows
from fangkong.core.tasks import enqueue
from fangkong.org.access import (
    AnyUser,
    acting_user,
    may_act_on,
    root_unit_id,
    user_can,
    user_can_everywhere,
)
from fangkong.org.models import Membership, Region, Unit
from fangkong.org.roles import Capability, Role
from fangkong.org.selectors import region_get
from fangkong.people.models import Person
from fangkong.policy.classify import (
    LOCAL_CASE_CITY,
    Entry,
    decision_id,
    decisions_write,
    people_classify,
)
from fangkong.policy.describe import event_label, kind_label, level_name, plan_name
from fangkong.policy.engine import Decision, schedule_from
from fangkong.policy.geography import city_of, significant_prefix
from fangkong.policy.models import (
    Classification,
    Measure,
    MeasureStatus,
    Notification,
    NotificationTopic,
    Obligation,
    ObligationSource,
    ObligationStatus,
    PlanAssignment,
    RiskArea,
    Trigger,
)
from fangkong.policy.packs import WEEKDAYS, packs_all
from fangkong.policy.resolver import PackResolver
from fangkong.policy.selectors import measures_release_plan


def _require(user: AnyUser, unit: Unit | None) -> None:
    if not user_can(user, Capability.MANAGE_PLANS, unit):
        raise PermissionDenied(_("You may not change the work plans of this unit."))


def _require_whole_tree(user: AnyUser) -> None:
    if not user_can_everywhere(user, Capability.MANAGE_PLANS):
        raise PermissionDenied(
            _(
                "Risk areas apply everywhere: only a plan manager of the top unit may publish, "
                "change or withdraw them."
            )
        )


def risk_levels_known() -> list[str]:
    """Every level some pack uses, and the local-case city marker (本土病例所在地级市)."""
    levels = {level for pack in packs_all().values() for level in pack.risk_levels}
    return sorted(levels) + [LOCAL_CASE_CITY]


def _recompute_around(region_code: str, actor: AnyUser) -> None:
    from fangkong.policy.tasks import policy_recompute_region

    enqueue(policy_recompute_region, region_code, getattr(actor, "pk", None))


def people_affected_by_region(region_code: str) -> list[int]:
    """People whose recent travel lies in the region's city: a risk area there can change the
    rules that count stays "in the area" and "in the city of the area" (C-01, C-21)."""
    from fangkong.people.models import TravelRecord
    from fangkong.policy.classify import HORIZON_DAYS, WINDOW_DAYS

    since = clock.localdate() - dt.timedelta(days=HORIZON_DAYS + WINDOW_DAYS)
    prefix = significant_prefix(city_of(region_code))
    return list(
        TravelRecord.objects.filter(region__code__startswith=prefix, end_date__gte=since)
        .values_list("person_id", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class RiskAreaInput:
    region: Region
    level: str
    start_date: dt.date
    end_date: dt.date | None
    source: str = ""

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        if self.level not in risk_levels_known():
            problems["level"] = _("Unknown risk level %(level)s; known: %(known)s") % {
                "level": self.level,
                "known": "、".join(risk_levels_known()),
            }
        if self.end_date is not None and self.end_date < self.start_date:
            problems["end_date"] = _("The end date is before the start date.")
        return problems


@transaction.atomic
def risk_area_create(*, actor: AnyUser, data: RiskAreaInput, recompute: bool = True) -> RiskArea:
    _require_whole_tree(actor)
    problems = data.problems()
    if problems:
        raise ValidationError(problems)
    area = RiskArea.objects.create(
        region=data.region,
        level=data.level,
        start_date=data.start_date,
        end_date=data.end_date,
        source=data.source,
        created_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="risk_area",
        object_id=area.pk,
        unit_id=root_unit_id(),  # a risk area concerns every unit
        summary=f"{area.region.full_name} {level_name(area.level)} "
        f"{area.start_date}–{area.end_date or ''}",
    )
    if recompute:
        _recompute_around(area.region_id, actor)
    return area


def risk_area_change(*, actor: AnyUser, area: RiskArea, data: RiskAreaInput) -> RiskArea:
    """A new version of the area; the old row stays, pointing to its successor (history)."""
    _require_whole_tree(actor)
    problems = data.problems()
    if problems:
        raise ValidationError(problems)
    if not area.is_current:
        raise ValidationError(_("This risk area was already changed or withdrawn."))
    with transaction.atomic():
        new = RiskArea.objects.create(
            region=data.region,
            level=data.level,
            start_date=data.start_date,
            end_date=data.end_date,
            source=data.source,
            created_by=acting_user(actor),
        )
        RiskArea.objects.filter(pk=area.pk).update(replaced_by=new, is_current=False)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="risk_area",
            object_id=new.pk,
            unit_id=root_unit_id(),
            summary=f"{area.pk} → {new.pk}",
            changes={
                name: [str(getattr(area, name)), str(getattr(new, name))]
                for name in ("region_id", "level", "start_date", "end_date", "source")
                if getattr(area, name) != getattr(new, name)
            },
        )
    _recompute_around(area.region_id, actor)
    if new.region_id != area.region_id:
        _recompute_around(new.region_id, actor)
    return new


@transaction.atomic
def risk_area_withdraw(*, actor: AnyUser, area: RiskArea) -> None:
    _require_whole_tree(actor)
    if not area.is_current:
        raise ValidationError(_("This risk area was already changed or withdrawn."))
    RiskArea.objects.filter(pk=area.pk).update(is_current=False, withdrawn_at=clock.now())
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type="risk_area",
        object_id=area.pk,
        unit_id=root_unit_id(),
    )
    _recompute_around(area.region_id, actor)


RISK_AREA_COLUMNS = TableColumns(
    Column("region", gettext_lazy("Region code"), ("地区代码", "地区"), required=True),
    Column("level", gettext_lazy("Risk level"), ("等级",), required=True),
    Column("start_date", gettext_lazy("From"), ("start", "起始日期", "自"), required=True),
    Column("end_date", gettext_lazy("To"), ("end", "截止日期", "至")),
    Column("source", gettext_lazy("Source"), ("发布来源",)),
)


@dataclass
class RiskAreaImport:
    created: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def refuse(self, number: int, cells: dict[str, object], problems: dict[str, str]) -> None:
        for key, reason in problems.items():
            self.errors.append(
                {
                    "row": number,
                    "column": key,
                    "label": RISK_AREA_COLUMNS.label(key),
                    "value": cells.get(key),
                    "reason": reason,
                }
            )


def _date_cell(value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip().replace("/", "-"))


@transaction.atomic
def risk_areas_import(*, actor: AnyUser, path: Path) -> RiskAreaImport:
    """Import a published list (a spreadsheet of region, level, from, to, source).

    Every row is checked; valid rows are kept, each rejected row is reported with its column and
    reason, and a row equal to a current area changes nothing, so importing twice is harmless.
    """
    _require_whole_tree(actor)
    report = RiskAreaImport()
    current = set(
        RiskArea.objects.filter(is_current=True).values_list(
            "region_id", "level", "start_date", "end_date"
        )
    )
    regions_touched: set[str] = set()
    for number, cells in read_rows(path, RISK_AREA_COLUMNS):
        data, problems = _risk_area_input(cells)
        if data is None or problems:
            report.refuse(number, cells, problems)
            continue
        key = (data.region.code, data.level, data.start_date, data.end_date)
        if key in current:
            report.unchanged += 1
            continue
        risk_area_create(actor=actor, data=data, recompute=False)
        current.add(key)
        regions_touched.add(data.region.code)
        report.created += 1
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type="risk_area",
        unit_id=root_unit_id(),
        summary=_("%(file)s: %(created)d new, %(unchanged)d unchanged, %(errors)d refused")
        % {
            "file": path.name,
            "created": report.created,
            "unchanged": report.unchanged,
            "errors": len(report.errors),
        },
    )
    for code in sorted(regions_touched):
        _recompute_around(code, actor)
    return report


def _risk_area_input(cells: dict[str, object]) -> tuple[RiskAreaInput | None, dict[str, str]]:
    """One row of a risk-area file as an area, and its problems by column."""
    problems: dict[str, str] = {}
    region = region_get(str(cells.get("region") or "").strip())
    if region is None:
        problems["region"] = _("Unknown region code %(code)s") % {"code": cells.get("region") or ""}
    dates: dict[str, dt.date | None] = {}
    for name in ("start_date", "end_date"):
        try:
            dates[name] = _date_cell(cells.get(name))
        except ValueError:
            problems[name] = _("Not a date (write 2022-02-01): %(value)s") % {
                "value": cells.get(name)
            }
    if dates.get("start_date") is None and "start_date" not in problems:
        problems["start_date"] = _("This field is required.")
    if problems or region is None:
        return None, problems
    data = RiskAreaInput(
        region,
        str(cells.get("level") or "").strip(),
        dates["start_date"] or dt.date.min,
        dates["end_date"],
        str(cells.get("source") or "").strip(),
    )
    return data, data.problems()


@transaction.atomic
def plan_assign(
    *,
    actor: AnyUser,
    unit: Unit,
    pack_id: str,
    start_date: dt.date,
    end_date: dt.date | None,
    recompute: bool = True,
) -> PlanAssignment:
    """Put a pack in force for the unit's subtree from a date; everyone there is recomputed."""
    _require(actor, unit)
    if pack_id not in packs_all():
        raise ValidationError({"pack_id": _("Unknown plan %(id)s") % {"id": pack_id}})
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": _("The end date is before the start date.")})
    assignment = PlanAssignment.objects.create(
        unit=unit,
        pack_id=pack_id,
        start_date=start_date,
        end_date=end_date,
        created_by=acting_user(actor),
    )
    PackResolver.forget()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="plan_assignment",
        object_id=assignment.pk,
        unit_id=unit.pk,
        summary=f"{plan_name(pack_id)} {start_date}–{end_date or ''}",
    )
    if recompute:
        from fangkong.policy.tasks import policy_recompute_unit

        enqueue(policy_recompute_unit, unit.pk, getattr(actor, "pk", None))
    return assignment


def person_recompute(person: Person, *, trigger: str, actor: AnyUser | None = None) -> None:
    """Recompute one person now (an arrival, an exposure, a result recorded on a page)."""
    people_classify([person.pk], trigger=trigger, actor_id=getattr(actor, "pk", None))


def measures_release(*, actor: AnyUser, person: Person, on: dt.date, note: str = "") -> int:
    """Release the person on a day (the release conditions are met: three samples negative, the
    headquarters' consent …): the phases begun by then end on it, the rule's phases not yet begun
    and its post-release phases start from it (measures_release_plan, shown before confirming)."""
    if not may_act_on(actor, Capability.EDIT_PEOPLE, person):
        raise PermissionDenied(_("You may not change this person's measures."))
    plan = measures_release_plan(person.pk, on)
    ending = [m.pk for m in plan.ending]
    now = clock.now()
    with transaction.atomic():
        Measure.objects.filter(pk__in=ending).update(status=MeasureStatus.RELEASED, closed_at=now)
        Measure.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=on), pk__in=ending).update(
            end_date=on
        )
        Obligation.objects.filter(
            person=person,
            decision=plan.classification.decision,
            status=ObligationStatus.OPEN,
            due_at__gt=clock.day_end(on),
        ).update(status=ObligationStatus.CANCELLED)
        moved = [follow.measure for follow in plan.follow_on if follow.measure is not None]
        for follow in plan.follow_on:
            if follow.measure is not None:
                Measure.objects.filter(pk=follow.measure.pk).update(
                    start_date=follow.start, end_date=follow.end
                )
        after = max(m.phase for m in [*plan.ending, *moved]) + 1
        new = [follow for follow in plan.follow_on if follow.measure is None]
        Measure.objects.bulk_create(
            Measure(
                person=person,
                unit=person.unit,
                decision=plan.classification.decision,
                phase=after + number,
                kind=follow.kind,
                start_date=follow.start,
                end_date=follow.end,
                pack_id=plan.classification.pack_id,
                rule_id=plan.classification.rule_id,
                trigger=Trigger.RELEASE,
                explanation=plan.classification.explanation,
                status=MeasureStatus.ACTIVE,
                created_at=now,
                created_by=acting_user(actor),
            )
            for number, follow in enumerate(new)
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="measure",
            object_id=person.pk,
            unit_id=person.unit_id,
            summary=_("released on %(day)s") % {"day": on} + (f"：{note}" if note else ""),
        )
    return len(plan.ending)


@transaction.atomic
def measure_site_set(*, actor: AnyUser, person: Person, site: Unit) -> None:
    """Record the quarantine site where the person is placed (a transfer met)."""
    if not may_act_on(actor, Capability.EDIT_PEOPLE, person):
        raise PermissionDenied(_("You may not change this person's measures."))
    if site.kind != Unit.Kind.QUARANTINE_SITE:
        raise ValidationError({"site": _("Choose a quarantine site.")})
    updated = Measure.objects.filter(
        person=person, status=MeasureStatus.ACTIVE, kind="central_quarantine"
    ).update(site=site)
    if not updated:
        raise ValidationError(_("This person is under no central quarantine."))
    Obligation.objects.filter(
        person=person, kind="transfer", status__in=[ObligationStatus.OPEN, ObligationStatus.MISSED]
    ).update(status=ObligationStatus.MET, met_at=clock.now(), met_by=acting_user(actor))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="measure",
        object_id=person.pk,
        unit_id=person.unit_id,
        summary=_("placed at %(site)s") % {"site": site.name},
    )


@transaction.atomic
def site_cross_infection(*, actor: AnyUser, site: Unit, on: dt.date) -> int:
    """D-04: a suspected cross-infection at a site restarts the count of everyone quarantined
    there from that day; returns how many people were recomputed."""
    if not user_can(actor, Capability.MANAGE_PLANS, site):
        raise PermissionDenied(_("You may not change the work plans of this unit."))
    person_ids = list(
        Measure.objects.filter(site=site, status=MeasureStatus.ACTIVE)
        .values_list("person_id", flat=True)
        .distinct()
    )
    packs = packs_all()
    at = clock.local_midnight(on)
    entries = []
    for c in Classification.objects.filter(person_id__in=person_ids).select_related("person"):
        pack = packs.get(c.pack_id)
        if pack is None:
            continue
        previous = Decision(
            actions=list(c.actions), explanation=list(c.explanation), rule=c.rule_id
        )
        decision = schedule_from(pack, previous, on, at)
        new_id = decision_id(c.person_id, pack.id, decision)
        if new_id is None:
            continue
        entries.append(Entry(c.person_id, c.person.unit_id, site.pk, pack, decision, new_id, on))
    decisions_write(
        [e.person_id for e in entries], entries, Trigger.CROSS_INFECTION, getattr(actor, "pk", None)
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="quarantine_site",
        object_id=site.pk,
        unit_id=site.pk,
        summary=_("cross-infection on %(day)s: quarantine restarted for %(count)d people")
        % {"day": on, "count": len(entries)},
    )
    return len(entries)


@transaction.atomic
def obligation_meet(*, actor: AnyUser, obligation: Obligation, note: str = "") -> Obligation:
    """Record that the obligation is met (late if it was missed); a met one stays met."""
    if not user_can(actor, Capability.EDIT_PEOPLE, obligation.unit):
        raise PermissionDenied(_("You may not act for this unit."))
    if obligation.status not in (ObligationStatus.OPEN, ObligationStatus.MISSED):
        raise ValidationError(_("This obligation is already closed."))
    claimed = Obligation.objects.filter(
        pk=obligation.pk, status__in=[ObligationStatus.OPEN, ObligationStatus.MISSED]
    ).update(status=ObligationStatus.MET, met_at=clock.now(), met_by=acting_user(actor), note=note)
    if not claimed:
        raise ValidationError(_("This obligation is already closed."))
    obligation.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="obligation",
        object_id=obligation.pk,
        unit_id=obligation.unit_id,
        summary=_("%(kind)s met") % {"kind": kind_label(obligation.kind)}
        + (_(" (late)") if obligation.met_at and obligation.met_at > obligation.due_at else ""),
    )
    return obligation


def obligation_meet_test(*, person: Person, sampled_at: dt.datetime, actor: AnyUser) -> bool:
    """A sample meets the test due that day, or else the earliest open "within N hours" test."""
    return obligations_meet_tests([(person.pk, sampled_at)], actor=actor) == 1


def obligations_meet_tests(
    samples: Sequence[tuple[int, dt.datetime]], *, actor: AnyUser | None
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
        Obligation.objects.filter(
            Q(detail__date__in=days) | Q(detail__has_key="due_by") | Q(detail__has_key="since"),
            person_id__any=Ids(people),
            kind="test",
            status__in=[ObligationStatus.OPEN, ObligationStatus.MISSED],
        )
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
    if met:
        Obligation.objects.filter(pk__any=Ids(met)).update(
            status=ObligationStatus.MET, met_at=clock.now(), met_by=acting_user(actor)
        )
    return len(met)


def reports_open(day: dt.date) -> int:
    """Open the routine reports due on ``day`` for every unit a pack in force asks them of.

    The unique constraint on (unit, kind, due time) makes this safe to run at every tick.
    """
    resolver = PackResolver(day)
    weekday = WEEKDAYS[day.weekday()]
    units = Unit.objects.values_list("id", "path", "kind")
    rows = []
    now = clock.now()
    for unit_id, path, kind in units:
        pack = resolver.pack(path)
        if pack is None:
            continue
        for report in pack.reports:
            if report.unit_kinds and kind not in report.unit_kinds:
                continue
            if report.weekday is not None and report.weekday != weekday:
                continue
            if report.until is not None and day.strftime("%m-%d") > report.until:
                continue
            rows.append(
                Obligation(
                    kind=report.kind,
                    unit_id=unit_id,
                    due_at=dt.datetime.combine(day, report.at, clock.tz()),
                    source=ObligationSource.REPORT,
                    pack_id=pack.id,
                    rule_id=report.id,
                    clause=report.clause,
                    created_at=now,
                )
            )
    Obligation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


# Past-due obligations claimed per transaction of the tick.
TICK_BATCH = 20_000


@dataclass
class Tick:
    missed: int = 0
    notifications: int = 0
    reports: int = 0


# Other apps open their own deadlines of the day at each tick (daily monitoring: check-in slots);
# receivers take ``day`` and return how many rows they opened.
day_opening = Signal()


def obligations_tick() -> Tick:
    """The periodic tick: open today's routine reports (and, through ``day_opening``, the other
    apps' deadlines of the day), mark the past-due as missed and tell the units that answer for
    them (one inbox message per unit and kind, not one per row)."""
    now = clock.now()
    today = now.astimezone(clock.tz()).date()
    tick = Tick(reports=reports_open(today))
    for _receiver, opened in day_opening.send(sender=Obligation, day=today):
        tick.reports += int(opened or 0)
    while True:
        with transaction.atomic():
            ids = list(
                Obligation.objects.select_for_update(skip_locked=True)
                .filter(status=ObligationStatus.OPEN, due_at__lt=now)
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
        from fangkong.policy.tasks import policy_notifications_send

        enqueue(policy_notifications_send, [note.pk for note in created])
    return created


@transaction.atomic
def deadlines_open(
    *,
    trigger: str,
    unit: Unit,
    at: dt.datetime,
    person: Person | None = None,
    actor: AnyUser | None = None,
    detail: dict[str, Any] | None = None,
) -> list[Obligation]:
    """An event happened (a suspected case found, a sample received, a fever …): open the
    deadlines the pack in force for the unit attaches to it (G-01 … G-24), the unit answering."""
    pack = PackResolver(at.astimezone(clock.tz()).date()).pack(unit.path)
    if pack is None:
        return []
    now = clock.now()
    rows = [
        Obligation(
            kind=deadline.obligation.kind,
            person=person,
            unit=unit,
            due_at=at + dt.timedelta(minutes=deadline.obligation.within_minutes),
            source=ObligationSource.EVENT,
            pack_id=pack.id,
            rule_id=deadline.id,
            clause=deadline.obligation.clause,
            detail={"trigger": trigger, "responsible": deadline.responsible, **(detail or {})},
            created_at=now,
        )
        for deadline in pack.deadlines
        if deadline.trigger == trigger
    ]
    Obligation.objects.bulk_create(rows)
    if rows:
        due = "、".join(
            _("%(kind)s by %(at)s")
            % {"kind": kind_label(o.kind), "at": f"{o.due_at:%Y-%m-%d %H:%M}"}
            for o in rows
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="obligation",
            unit_id=unit.pk,
            summary=f"{event_label(trigger)}：{due}",
        )
    return rows

"""Writes of the work-plans app: risk areas, plan assignments, releases, cross-infections, and the
deadlines the packs ask for (routine reports, deadlines after an event), opened through the
obligations module. Views, API and commands call these; none re-implements them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.spreadsheets import Column, ImportReport, TableColumns, rows_import
from fangkong.core.tasks import enqueue
from fangkong.core.text import NUL
from fangkong.obligations.models import Obligation, ObligationSource
from fangkong.obligations.services import obligations_cancel, obligations_open
from fangkong.obligations.specs import AfterEvent, Due, Owner, Periodic, Spec, period_of
from fangkong.org.access import (
    AnyUser,
    acting_user,
    may_act_on,
    root_unit_id,
    scope,
    user_can,
    user_can_everywhere,
)
from fangkong.org.models import Region, Unit
from fangkong.org.roles import Capability
from fangkong.org.selectors import region_get
from fangkong.people.models import Person
from fangkong.policy.classify import (
    LOCAL_CASE_CITY,
    Entry,
    decision_id,
    decisions_write,
    people_classify,
)
from fangkong.policy.describe import (
    event_label,
    kind_label,
    level_name,
    plan_name,
    release_verdict,
)
from fangkong.policy.engine import Decision, schedule_from
from fangkong.policy.events import measures_released
from fangkong.policy.geography import city_of, significant_prefix
from fangkong.policy.models import (
    Classification,
    Measure,
    MeasureKind,
    MeasureStatus,
    PlanAssignment,
    ReleaseFact,
    ReleaseFactKind,
    RiskArea,
    Trigger,
)
from fangkong.policy.packs import WEEKDAYS, packs_all
from fangkong.policy.resolver import PackResolver
from fangkong.policy.selectors import ReleasePlan, people_standing, release_check


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
        summary=_area_text(area),
    )
    if recompute:
        _recompute_around(area.region_id, actor)
    return area


def _area_text(area: RiskArea) -> str:
    """大连市甘井子区 高风险地区 2022-01-20–: a risk area as its audit row names it."""
    return (
        f"{area.region.full_name} {level_name(area.level)} {area.start_date}–{area.end_date or ''}"
    )


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
            summary=_("%(old)s changed to %(new)s")
            % {"old": _area_text(area), "new": _area_text(new)},
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


def _date_cell(value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip().replace("/", "-"))


@transaction.atomic
def risk_areas_import(*, actor: AnyUser, path: Path) -> ImportReport:
    """Import a published list (a spreadsheet of region, level, from, to, source).

    Every row is checked; valid rows are kept, each rejected row is reported with its column and
    reason, and a row equal to a current area changes nothing, so importing twice is harmless.
    """
    _require_whole_tree(actor)
    current = set(
        RiskArea.objects.filter(is_current=True).values_list(
            "region_id", "level", "start_date", "end_date"
        )
    )
    regions_touched: set[str] = set()

    def insert(data: RiskAreaInput) -> bool:
        key = (data.region.code, data.level, data.start_date, data.end_date)
        if key in current:
            return False
        risk_area_create(actor=actor, data=data, recompute=False)
        current.add(key)
        regions_touched.add(data.region.code)
        return True

    report = rows_import(path, RISK_AREA_COLUMNS, _risk_area_input, insert, other_column="region")
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type="risk_area",
        unit_id=root_unit_id(),
        summary=report.summary(path.name),
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
    """Release the person on a day (not before their last sample), refused with what is missing
    unless the recorded facts meet the rule's conditions (person_release_check: three samples
    negative, the headquarters' consent, the measure over …): the phases begun by then end on it,
    the rule's phases not yet begun and its post-release phases start from it
    (measures_release_plan, shown before confirming)."""
    return people_release(actor=actor, people=[person], on=on, note=note)


@transaction.atomic
def people_release(*, actor: AnyUser, people: Sequence[Person], on: dt.date, note: str = "") -> int:
    """Release these people on a day, each as measures_release releases one, read and written
    in sets (the contacts whose quarantine ends that day); refused as a whole if one is refused.
    Returns how many phases ended."""
    ids = {person.pk for person in people}
    if Person.objects.filter(
        scope(actor, Capability.EDIT_PEOPLE).people(), pk__in=ids
    ).count() < len(ids):
        raise PermissionDenied(_("You may not change this person's measures."))
    standing = people_standing(ids, samples_of_all=True)
    plans: list[tuple[Person, ReleasePlan]] = []
    for person in people:
        one = standing[person.pk]
        last_sample = one.last_sample_day()
        if last_sample is not None and on < last_sample:
            raise ValidationError(
                {
                    "on": _("The release date is before the last test (%(day)s).")
                    % {"day": last_sample}
                }
            )
        plan = one.plan(on)
        answer = release_check(one, on)
        if answer is not None and not answer.allowed:
            raise ValidationError({"on": release_verdict(answer)})
        plans.append((person, plan))
    ending = [m.pk for _person, plan in plans for m in plan.ending]
    now = clock.now()
    Measure.objects.filter(pk__in=ending).update(status=MeasureStatus.RELEASED, closed_at=now)
    measures_released.send(sender=Measure, person_ids=sorted(ids))
    Measure.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=on), pk__in=ending).update(
        end_date=on
    )
    obligations_cancel(
        Obligation.objects.filter(
            reduce(
                or_,
                (Q(person=person, decision=plan.classification.decision) for person, plan in plans),
            ),
            due_at__gt=clock.day_end(on),
        )
    )
    new: list[Measure] = []
    for person, plan in plans:
        moved = [follow.measure for follow in plan.follow_on if follow.measure is not None]
        for follow in plan.follow_on:
            if follow.measure is not None:
                Measure.objects.filter(pk=follow.measure.pk).update(
                    start_date=follow.start, end_date=follow.end
                )
        after = max(m.phase for m in [*plan.ending, *moved]) + 1
        new += [
            Measure(
                person=person,
                unit_id=person.unit_id,
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
            for number, follow in enumerate(f for f in plan.follow_on if f.measure is None)
        ]
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="measure",
            object_id=person.pk,
            unit_id=person.unit_id,
            summary=_("released on %(day)s") % {"day": on} + (f"：{note}" if note else ""),
        )
    Measure.objects.bulk_create(new)
    return len(ending)


@dataclass(frozen=True)
class ReleaseFactInput:
    kind: str  # ReleaseFactKind
    on: dt.date
    positive: bool | None = None  # samples
    given_by: str = ""  # consent: the named person
    note: str = ""

    def problems(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        if self.kind not in ReleaseFactKind.values:
            problems["kind"] = _("One of: %(kinds)s.") % {
                "kinds": ", ".join(ReleaseFactKind.values)
            }
        elif self.kind == ReleaseFactKind.CONSENT:
            if not self.given_by.strip():
                problems["given_by"] = _("Name the person who gave the consent.")
        elif self.positive is None:
            problems["positive"] = _("Give the sample's result.")
        if len(self.given_by) > 100:
            problems["given_by"] = _("At most 100 characters.")
        if len(self.note) > 200:
            problems["note"] = _("At most 200 characters.")
        if NUL in self.given_by + self.note:
            problems["note"] = _("NUL characters are not allowed.")
        if self.on > clock.localdate():
            problems["on"] = _("The day %(day)s is in the future.") % {"day": self.on}
        return problems


@transaction.atomic
def release_fact_record(*, actor: AnyUser, person: Person, data: ReleaseFactInput) -> ReleaseFact:
    """Record a fact a release is decided on (D-05: an object or environment sample; D-06: the
    headquarters' consent by a named person), with its audit row."""
    if not may_act_on(actor, Capability.EDIT_PEOPLE, person):
        raise PermissionDenied(_("You may not change this person's measures."))
    problems = data.problems()
    if problems:
        raise ValidationError(problems)
    consent = data.kind == ReleaseFactKind.CONSENT
    fact = ReleaseFact.objects.create(
        person=person,
        kind=data.kind,
        on=data.on,
        positive=None if consent else data.positive,
        given_by=data.given_by.strip() if consent else "",
        note=data.note,
        recorded_at=clock.now(),
        recorded_by=acting_user(actor),
    )
    if consent:
        summary = _("release consented by %(by)s on %(day)s") % {
            "by": fact.given_by,
            "day": data.on,
        }
    else:
        summary = f"{ReleaseFactKind(data.kind).label} {data.on}：" + (
            _("positive") if data.positive else _("negative")
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="release_fact",
        object_id=fact.pk,
        unit_id=person.unit_id,
        summary=summary,
    )
    return fact


def measures_site_place(*, person_ids: list[int], site: Unit) -> int:
    """Set the site of the people's active central quarantine, in one statement; called inside a
    placement's transaction (``quarantine.services.people_place``), which writes the audit row."""
    return Measure.objects.filter(
        person_id__in=person_ids,
        status=MeasureStatus.ACTIVE,
        kind=MeasureKind.CENTRAL_QUARANTINE,
    ).update(site=site)


def measures_site_leave(*, person_ids: list[int], site: Unit) -> int:
    """The people left the site for hospital: their active central quarantine no longer names it
    (suspended while their case is in course); called inside the transfer's transaction
    (``quarantine.services.person_to_hospital``), which writes the audit row."""
    return Measure.objects.filter(
        person_id__in=person_ids,
        status=MeasureStatus.ACTIVE,
        kind=MeasureKind.CENTRAL_QUARANTINE,
        site=site,
    ).update(site=None)


@transaction.atomic
def site_cross_infection(
    *, actor: AnyUser, site: Unit, on: dt.date, person_ids: list[int] | None = None
) -> int:
    """D-04: a suspected cross-infection at a site restarts the count of everyone quarantined
    there from that day (``person_ids``: only these of them, a floor); returns how many people
    were recomputed. The plan managers above the site or its manager decide it."""
    if not (
        user_can(actor, Capability.MANAGE_PLANS, site)
        or user_can(actor, Capability.MANAGE_SITE, site)
    ):
        raise PermissionDenied(_("You may not change the work plans of this unit."))
    at_site = Measure.objects.filter(site=site, status=MeasureStatus.ACTIVE)
    if person_ids is not None:
        at_site = at_site.filter(person_id__in=person_ids)
    person_ids = list(at_site.values_list("person_id", flat=True).distinct())
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


def reports_open(day: dt.date) -> int:
    """Open the routine reports due on ``day`` for every unit a pack in force asks them of.

    The unique constraint on (unit, kind, due time) makes this safe to run at every tick.
    """
    resolver = PackResolver(day)
    weekday = WEEKDAYS[day.weekday()]
    units = Unit.objects.values_list("id", "path", "kind")
    rows = []
    for unit_id, path, kind in units:
        pack = resolver.pack(path)
        since = resolver.in_force_since(path)
        if pack is None or since is None:
            continue
        for report in pack.reports:
            if report.unit_kinds and kind not in report.unit_kinds:
                continue
            if report.weekday is not None and report.weekday != weekday:
                continue
            last_day = report.last_day(since)
            if last_day is not None and day > last_day:
                continue
            rows.append(
                Due(
                    Owner(
                        unit_id,
                        ObligationSource.REPORT,
                        pack_id=pack.id,
                        rule_id=report.id,
                        clause=report.clause,
                    ),
                    report.kind,
                    dt.datetime.combine(day, report.at, clock.tz()),
                )
            )
    return obligations_open(rows, once=True)


# A dated duty is on the unit's list from a month before its day (not a year ahead).
DUTY_NOTICE_DAYS = 31


def duties_open(day: dt.date) -> int:
    """Open the duties the packs in force on ``day`` set their units (A-04, A-12, G-14 …): a
    recurring one for the period holding ``day``, a dated one for its next day ``by`` within
    DUTY_NOTICE_DAYS if the same pack is still in force for the unit then. The unique constraint
    on (unit, duty, due time) makes this safe to run at every tick."""
    resolver = PackResolver.of_day(day)
    if not any(pack.duties for pack in resolver.packs):
        return 0
    later: dict[dt.date, PackResolver] = {}
    specs: list[Spec] = []
    for unit_id, path, kind in Unit.objects.values_list("id", "path", "kind"):
        pack = resolver.pack(path)
        if pack is None:
            continue
        for duty in pack.duties:
            if kind not in duty.unit_kinds:
                continue
            owner = Owner(
                unit_id, ObligationSource.DUTY, pack_id=pack.id, rule_id=duty.id,
                clause=duty.clause,
            )  # fmt: skip
            if duty.every_days is not None:
                start, _end = period_of(day, duty.every_days)
                specs.append(Periodic(owner, duty.kind, start, duty.every_days))
                continue
            due_day = duty.due_day(day)
            if (due_day - day).days > DUTY_NOTICE_DAYS:
                continue
            then = later.setdefault(due_day, PackResolver(due_day)).pack(path)
            if then is not None and then.id == pack.id:
                specs.append(Due(owner, duty.kind, clock.day_end(due_day)))
    return obligations_open(specs, once=True)


@transaction.atomic
def deadlines_open(
    *,
    trigger: str,
    unit: Unit,
    at: dt.datetime,
    person: Person | None = None,
    actor: AnyUser | None = None,
    box: str = "",
    case: int | None = None,
    outbreak: int | None = None,
    drug_sale: int | None = None,
    work_injury: int | None = None,
) -> list[AfterEvent]:
    """An event happened (a suspected case found, a sample received, a fever …): open the
    deadlines the pack in force for the unit attaches to it (G-01 … G-24), the unit answering;
    ``box``: the box received, whose turnaround it is; ``case``, ``outbreak``, ``drug_sale``,
    ``work_injury``: the case, the outbreak, the pharmacy sale or the work injury they answer."""
    pack = PackResolver(at.astimezone(clock.tz()).date()).pack(unit.path)
    if pack is None:
        return []
    person_id = person.pk if person is not None else None
    specs = [
        AfterEvent(
            Owner(
                unit.pk,
                ObligationSource.EVENT,
                person_id,
                pack_id=pack.id,
                rule_id=deadline.id,
                clause=deadline.obligation.clause,
            ),
            deadline.obligation.kind,
            at + dt.timedelta(minutes=deadline.obligation.within_minutes),
            trigger=trigger,
            responsible=deadline.responsible,
            box=box,
            case=case,
            outbreak=outbreak,
            drug_sale=drug_sale,
            work_injury=work_injury,
        )
        for deadline in pack.deadlines
        if deadline.trigger == trigger
    ]
    if specs:
        obligations_open(specs)
        due = "、".join(
            _("%(kind)s by %(at)s")
            % {"kind": kind_label(o.kind), "at": f"{o.due_at:%Y-%m-%d %H:%M}"}
            for o in specs
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="obligation",
            unit_id=unit.pk,
            summary=f"{event_label(trigger)}：{due}",
        )
    return specs

"""Writes of daily monitoring: check-ins (one, a batch, by a personal link), the fever path,
illness absences and unit reports. The thresholds and deadlines come from the pack in force."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.bulk import rows_insert
from fangkong.core.inputs import date_problem, dates_allowed, moment_problem
from fangkong.core.lookups import Ids
from fangkong.core.prepared import prepared_fetch
from fangkong.monitoring.models import (
    DISPOSITION_OF_ACTION,
    MAX_CELSIUS,
    MIN_CELSIUS,
    SYMPTOMS,
    Absence,
    AbsenceStatus,
    Checkin,
    CheckinStatus,
    CheckinVia,
    FeverDisposition,
    FeverEvent,
    HealthCode,
    SelfCheckinLink,
    UnitReport,
)
from fangkong.monitoring.selectors import day_figures
from fangkong.obligations.models import Obligation, ObligationKind, ObligationSource
from fangkong.obligations.services import (
    checkin_slot_owed_sql,
    obligations_cancel,
    obligations_meet,
    obligations_open,
)
from fangkong.obligations.specs import AfterEvent, Due, Owner
from fangkong.org.access import AnyUser, Scope, acting_user, may_act_on, scope, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Category, Person, PersonCategory, PersonUnit
from fangkong.people.reference_data import categories_held
from fangkong.policy.describe import action_label, kind_label
from fangkong.policy.engine import Reading, evaluate_temperature, symptoms_counted
from fangkong.policy.models import Measure, MeasureStatus
from fangkong.policy.packs import Pack
from fangkong.policy.resolver import PackResolver
from fangkong.policy.services import deadlines_open
from fangkong.tracing.models import Case

# Readings further apart than this are not a re-measure of one another.
RECHECK_WINDOW = dt.timedelta(hours=2)
# A device clock a little ahead of ours is not "the future".
CLOCK_SKEW = dt.timedelta(minutes=5)
BATCH_MAX = 500
# Absence.cause's length: PostgreSQL refuses a longer text (SQLite would keep it).
CAUSE_MAX = 200
LINK_SALT = "fangkong.monitoring.self-checkin"


@dataclass(frozen=True)
class CheckinInput:
    person_id: int
    at: dt.datetime | None = None  # None: now
    celsius: Any = None  # a number or text as typed; validated here
    symptoms: Sequence[str] = ()
    health_code: str = ""
    place: str = ""
    unit_id: int | None = None  # where it was taken (a class, a shift); default the home unit


@dataclass
class CheckinRow:
    """A validated check-in, ready to write."""

    person_id: int
    unit_id: int
    at: dt.datetime
    celsius: Decimal | None
    symptoms: list[str]
    health_code: str
    place: str


def _problems(
    data: CheckinInput, now: dt.datetime, allowed: tuple[dt.date, dt.date] | None = None
) -> tuple[dict[str, str], Decimal | None]:
    problems: dict[str, str] = {}
    celsius: Decimal | None = None
    if data.celsius not in (None, ""):
        try:
            celsius = Decimal(str(data.celsius)).quantize(Decimal("0.1"))
        except (InvalidOperation, ValueError):
            problems["celsius"] = _("Not a temperature: %(value)s") % {"value": data.celsius}
        else:
            if not celsius.is_finite():
                problems["celsius"] = _("Not a temperature: %(value)s") % {"value": data.celsius}
            elif not MIN_CELSIUS <= celsius <= MAX_CELSIUS:
                problems["celsius"] = _(
                    "%(value)s °C is not a body temperature (%(low)s–%(high)s °C); measure again."
                ) % {"value": data.celsius, "low": MIN_CELSIUS, "high": MAX_CELSIUS}
    if data.at is not None and (problem := moment_problem(data.at, now + CLOCK_SKEW, allowed)):
        problems["at"] = problem
    unknown = [s for s in data.symptoms if s not in SYMPTOMS]
    if unknown:
        problems["symptoms"] = _("Unknown symptoms: %(codes)s; known: %(known)s") % {
            "codes": ", ".join(unknown),
            "known": ", ".join(SYMPTOMS),
        }
    if data.health_code and data.health_code not in HealthCode.values:
        problems["health_code"] = _("The health code is green, yellow or red.")
    if len(data.place) > 100:
        problems["place"] = _("The place is longer than 100 characters.")
    if celsius is None and not data.symptoms and not data.health_code and "celsius" not in problems:
        problems["celsius"] = _("Give a temperature, symptoms or the health code.")
    return problems, celsius


@dataclass
class BatchResult:
    created: list[Checkin] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def checkins_record(
    *,
    actor: AnyUser | None,
    rows: Sequence[CheckinInput],
    via: str = CheckinVia.STAFF,
    recorders: Scope | None = None,
) -> BatchResult:
    """Record check-ins in one set: every row checked (person in the actor's scope, plausible
    temperature, not in the future, known symptoms); the valid ones written at once; each rejected
    one reported with its index, field and reason. Readings over the pack's threshold are then
    judged with the person's recent readings, and a confirmed fever opens the fever path.
    ``recorders``: the people the actor reaches when not those they may edit (a gate keeper's
    gate, ``org.access.gate_reach``)."""
    if len(rows) > BATCH_MAX:
        raise ValidationError(_("At most %(max)d check-ins per request.") % {"max": BATCH_MAX})
    now = clock.now()
    if recorders is None:
        recorders = _recorder_scope(actor, via)
    if len(rows) == 1:
        direct = _checkin_direct(actor, rows[0], via, now, recorders)
        if direct is not None:
            return BatchResult(created=[direct])
    reach = _reach(recorders, rows)
    result = BatchResult()
    valid = _rows_check(rows, reach, now, result)
    if not valid:
        return result
    statuses = _judge(valid, now, reach.paths)
    checkins = _checkins_build(valid, statuses, via, actor)
    owed = [r for r in valid if r.person_id in reach.with_slots]
    fevers = [
        (checkin, verdict)
        for checkin, (status, verdict) in zip(checkins, statuses, strict=True)
        if status in (CheckinStatus.FEVER, CheckinStatus.SYMPTOMS) and verdict is not None
    ]
    with transaction.atomic():
        result.created = _checkins_write(checkins, {id(c) for c, _verdict in fevers})
        if owed:
            _meet_checkin_obligations(owed, actor)
        for checkin, verdict in fevers:
            _fever_open(checkin, verdict, actor)
    return result


@dataclass
class _Reach:
    """The people of a batch the actor may record for: home unit, the units' paths, who owes
    check-in slots, and the (person, unit) ties of rows naming another unit."""

    people: dict[int, int] = field(default_factory=dict)
    paths: dict[int, str] = field(default_factory=dict)
    with_slots: set[int] = field(default_factory=set)
    ties: set[tuple[int, int]] = field(default_factory=set)


def _reach(recorders: Scope, rows: Sequence[CheckinInput]) -> _Reach:
    """One read of the batch's people within the recorder's scope (staff: the people they may
    edit, home unit or a class / department tie; a personal link: that person), and one of the
    ties when rows name a unit."""
    ids = Ids({r.person_id for r in rows if isinstance(r.person_id, int)})
    reach = _Reach()
    # Whether the person owes check-in slots (under a measure): most do not, and then meeting
    # slots costs nothing.
    owing = Obligation.objects.checkins().pending().filter(person_id=OuterRef("pk"))
    found = (
        Person.objects.filter(recorders.people(), id__any=ids)
        .annotate(owes=Exists(owing))
        .values_list("id", "unit_id", "unit__path", "owes")
    )
    for person_id, unit_id, path, owes in found:
        reach.people[person_id] = unit_id
        reach.paths[unit_id] = path
        if owes:
            reach.with_slots.add(person_id)
    elsewhere = {r.person_id for r in rows if r.unit_id is not None}
    if elsewhere:
        for person_id, unit_id, path in PersonUnit.objects.filter(
            person_id__any=Ids(elsewhere)
        ).values_list("person_id", "unit_id", "unit__path"):
            reach.ties.add((person_id, unit_id))
            reach.paths[unit_id] = path
    return reach


def _rows_check(
    rows: Sequence[CheckinInput], reach: _Reach, now: dt.datetime, result: BatchResult
) -> list[CheckinRow]:
    """The valid rows, ready to write; each problem of the others goes to ``result.errors``."""
    valid: list[CheckinRow] = []
    allowed = dates_allowed()  # once: the clock read per row would cost more than the checks
    for index, data in enumerate(rows):
        problems, celsius = _problems(data, now, allowed)
        home = reach.people.get(data.person_id)
        if home is None:
            # Someone outside the actor's units is as unknown as someone who does not exist.
            problems["person"] = _("No person %(id)s in your units.") % {"id": data.person_id}
        elif data.unit_id not in (None, home) and (data.person_id, data.unit_id) not in reach.ties:
            problems["unit"] = _("The person does not belong to that unit.")
        if problems or home is None:
            for name, reason in problems.items():
                result.errors.append({"index": index, "field": name, "reason": reason})
            continue
        valid.append(
            CheckinRow(
                data.person_id,
                data.unit_id or home,
                data.at or now,
                celsius,
                list(data.symptoms),
                data.health_code,
                data.place,
            )
        )
    return valid


def _checkins_build(
    valid: list[CheckinRow], statuses: list[tuple[str, Any]], via: str, actor: AnyUser | None
) -> list[Checkin]:
    recorder = acting_user(actor)
    return [
        Checkin(
            person_id=r.person_id,
            unit_id=r.unit_id,
            at=r.at,
            celsius=r.celsius,
            symptoms=r.symptoms,
            health_code=r.health_code,
            place=r.place,
            status=status,
            via=via,
            recorded_by=recorder,
        )
        for r, (status, _verdict) in zip(valid, statuses, strict=True)
    ]


_CHECKIN_COLUMNS = (
    "person",
    "unit",
    "at",
    "celsius",
    "symptoms",
    "health_code",
    "place",
    "status",
    "via",
    "recorded_by",
)


def _checkins_write(checkins: list[Checkin], keyed: set[int]) -> list[Checkin]:
    """Write a batch's check-ins. Those a fever event will point at get their ids (INSERT …
    RETURNING); the others, nearly all of a class's or a site's batch, go in one COPY without
    model machinery, which is what lets a phone post 500 at once many times a second."""
    with_id = [c for c in checkins if id(c) in keyed or len(checkins) == 1]
    Checkin.objects.bulk_create(with_id, batch_size=BATCH_MAX)
    plain = [c for c in checkins if c.pk is None]
    rows_insert(
        Checkin,
        _CHECKIN_COLUMNS,
        (
            (
                c.person_id,
                c.unit_id,
                c.at,
                c.celsius,
                c.symptoms,
                c.health_code,
                c.place,
                c.status,
                c.via,
                c.recorded_by_id,
            )
            for c in plain
        ),
    )
    return checkins


# The common check-in in one statement: the row is written only if the person exists, lives in
# the recorder's units and owes no check-in slot; the unit is the person's own.
_DIRECT_INSERT = """
INSERT INTO monitoring_checkin
    (person_id, unit_id, at, celsius, symptoms, health_code, place, status, via, recorded_by_id)
SELECT p.id, p.unit_id, %s, %s, %s, %s, %s, %s, %s, %s
FROM people_person p JOIN org_unit u ON u.id = p.unit_id
WHERE p.id = %s AND {scope} AND NOT {owes_slot}
RETURNING id, unit_id
"""


def _checkin_direct(
    actor: AnyUser | None, data: CheckinInput, via: str, now: dt.datetime, recorders: Scope
) -> Checkin | None:
    """The single check-in most requests are: plausible, at the person's home unit, under no
    pack's threshold anywhere, by someone owing no check-in slot. Written with one INSERT … SELECT
    that tests the scope, or nothing (None) and the general path decides and explains."""
    if data.unit_id is not None or not isinstance(data.person_id, int):
        return None
    problems, celsius = _problems(data, now)
    if problems:
        return None
    if celsius is not None or data.symptoms:
        packs = PackResolver.of_day(now.astimezone(clock.tz()).date()).packs
        if any(_judged(p, celsius, data.symptoms) for p in packs):
            return None
    if recorders.nowhere:
        return None
    recorder = acting_user(actor)
    checkin = Checkin(
        person_id=data.person_id,
        at=data.at or now,
        celsius=celsius,
        symptoms=list(data.symptoms),
        health_code=data.health_code,
        place=data.place,
        status=CheckinStatus.NORMAL,
        via=via,
        recorded_by=recorder,
    )
    columns = {f.name: f for f in Checkin._meta.concrete_fields}
    params = [
        columns[name].get_db_prep_save(getattr(checkin, columns[name].attname), connection)
        for name in ("at", "celsius", "symptoms", "health_code", "place", "status", "via")
    ]
    params.append(recorder.pk if recorder else None)
    params.append(data.person_id)
    in_scope, scope_params = recorders.people_sql("p.id", "u.path")
    params += scope_params
    owes_slot, slot_params = checkin_slot_owed_sql("p.id")
    params += slot_params
    written = prepared_fetch(_DIRECT_INSERT.format(scope=in_scope, owes_slot=owes_slot), params)
    if not written:
        return None
    checkin.pk, checkin.unit_id = written[0]
    checkin._state.adding = False
    return checkin


def _recorder_scope(actor: AnyUser | None, via: str) -> Scope:
    """Whom the actor may record for: staff, the people they may edit; a person's own link was
    checked when it was opened and reaches that person alone."""
    if via == CheckinVia.SELF:
        return Scope(None)
    if actor is None:
        raise PermissionDenied(_("Log in to record check-ins."))
    return scope(actor, Capability.EDIT_PEOPLE)


def _judge(
    rows: list[CheckinRow], now: dt.datetime, paths: dict[int, str]
) -> list[tuple[str, Any]]:
    """The pack's verdict for each row. Only readings over a threshold need the person's recent
    readings and categories, so a batch of normal readings costs no query."""
    resolver = PackResolver.of_day(now.astimezone(clock.tz()).date())
    verdicts: list[tuple[str, Any]] = []
    needs: list[int] = []
    packs = []
    for r in rows:
        pack = resolver.pack(paths[r.unit_id])
        packs.append(pack)
        if _judged(pack, r.celsius, r.symptoms):
            needs.append(r.person_id)
        verdicts.append((CheckinStatus.NORMAL, None))
    if not needs:
        return verdicts
    recent: dict[int, list[Reading]] = {}
    earliest = min(r.at for r in rows) - RECHECK_WINDOW
    for person_id, at, earlier in (
        Checkin.objects.filter(person_id__any=Ids(needs), at__gte=earliest, celsius__isnull=False)
        .order_by("at")
        .values_list("person_id", "at", "celsius")
    ):
        recent.setdefault(person_id, []).append(Reading(at, float(earlier or 0)))
    categories: dict[int, list[str]] = {}
    for person_id, code in PersonCategory.objects.filter(person_id__any=Ids(needs)).values_list(
        "person_id", "category_id"
    ):
        categories.setdefault(person_id, []).append(code)
    for i, r in enumerate(rows):
        pack = packs[i]
        if r.person_id not in needs or pack is None:
            continue
        readings = [x for x in recent.get(r.person_id, []) if r.at - RECHECK_WINDOW <= x.at <= r.at]
        if r.celsius is not None:
            reading = Reading(r.at, float(r.celsius))
            readings.append(reading)
            # A later row of the same batch for the same person sees this one.
            recent.setdefault(r.person_id, []).append(reading)
        decision = evaluate_temperature(
            pack,
            readings,
            tuple(categories.get(r.person_id, ())),
            tuple(r.symptoms),
            clock.tz(),
            noticed_at=r.at,
        )
        verdicts[i] = (decision.status or CheckinStatus.NORMAL, (pack, decision))
    return verdicts


def _judged(pack: Pack | None, celsius: Decimal | None, symptoms: Sequence[str]) -> bool:
    """Whether the pack judges this check-in: a reading over its threshold, or symptoms on its
    list where they alone count (P09, D-08)."""
    rule = pack.temperature if pack is not None else None
    if rule is None or pack is None:
        return False
    if celsius is not None and rule.is_over(float(celsius)):
        return True
    return rule.symptoms_alone and bool(symptoms_counted(pack, symptoms))


def _meet_checkin_obligations(rows: list[CheckinRow], actor: AnyUser | None) -> None:
    """Each check-in meets the check its time belongs to: its person's first pending slot of that
    day due at or after it (a check at 08:00 is the morning one, at 19:00 the evening one, and a
    skipped morning stays missed); after the day's last slot, the latest pending one (late). One
    read and one write for a whole batch."""
    days = {r.at.astimezone(clock.tz()).date() for r in rows}
    start, end = clock.local_midnight(min(days)), clock.day_end(max(days))
    slots: dict[tuple[int, dt.date], list[tuple[int, dt.datetime]]] = {}
    for pk, person_id, due_at in (
        Obligation.objects.checkins()
        .pending()
        .for_people({r.person_id for r in rows})
        .filter(due_at__gte=start, due_at__lt=end)
        .order_by("due_at")
        .values_list("pk", "person_id", "due_at")
    ):
        slots.setdefault((person_id, due_at.astimezone(clock.tz()).date()), []).append((pk, due_at))
    if not slots:
        return
    met = []
    for r in sorted(rows, key=lambda row: row.at):
        waiting = slots.get((r.person_id, r.at.astimezone(clock.tz()).date()))
        if waiting:
            slot = next((s for s in waiting if s[1] >= r.at), waiting[-1])
            waiting.remove(slot)
            met.append(slot[0])
    units = {r.unit_id for r in rows}
    obligations_meet(
        Obligation.objects.filter(pk__any=Ids(met)),
        actor=actor,
        unit_id=units.pop() if len(units) == 1 else None,
        summary=_("check-in slots met by check-ins"),
    )


def _fever_open(checkin: Checkin, verdict: tuple[Any, Any], actor: AnyUser | None) -> FeverEvent:
    """E-15, D-06: a confirmed fever isolates the person and opens the pack's reports (20 / 40
    minutes in P15, "immediately" elsewhere) and its deadlines for a fever."""
    pack, decision = verdict
    event = FeverEvent.objects.create(
        person_id=checkin.person_id,
        unit_id=checkin.unit_id,
        checkin=checkin,
        confirmed_at=checkin.at,
        pack_id=pack.id,
        actions=decision.actions,
        # The disposition follows the pack: sent home (P08), to the fever clinic (P06) …
        disposition=next(
            (DISPOSITION_OF_ACTION[a] for a in decision.actions if a in DISPOSITION_OF_ACTION),
            FeverDisposition.OPEN,
        ),
    )
    owner = Owner(
        checkin.unit_id,
        ObligationSource.EVENT,
        checkin.person_id,
        pack_id=pack.id,
        rule_id="temperature",
        clause=pack.temperature.clause if pack.temperature else "",
    )
    obligations_open(
        AfterEvent(
            owner, item["kind"], dt.datetime.fromisoformat(item["due_by"]), fever_event=event.pk
        )
        for item in decision.obligations
    )
    unit = Unit.objects.get(pk=checkin.unit_id)
    deadlines_open(trigger="fever", unit=unit, at=checkin.at, person=checkin.person, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="fever_event",
        object_id=event.pk,
        unit_id=checkin.unit_id,
        summary="、".join(
            [
                *([f"{checkin.celsius} °C"] if checkin.celsius is not None else []),
                *(str(SYMPTOMS[code]) for code in checkin.symptoms if code in SYMPTOMS),
            ]
        )
        + f"：{'、'.join(action_label(a) for a in decision.actions)}",
    )
    return event


@transaction.atomic
def fever_update(
    *,
    actor: AnyUser,
    event: FeverEvent,
    disposition: str,
    travel_history: str = "",
    contact_history: str = "",
) -> FeverEvent:
    """Record the history questions and where the person went (N-02, N-03)."""
    if not user_can(actor, Capability.EDIT_PEOPLE, event.unit):
        raise PermissionDenied(_("You may not act for this unit."))
    if disposition not in FeverDisposition.values:
        raise ValidationError({"disposition": _("Unknown disposition.")})
    event.travel_history = travel_history
    event.contact_history = contact_history
    event.disposition = disposition
    event.closed_at = None if disposition == FeverDisposition.OPEN else clock.now()
    event.save(update_fields=["travel_history", "contact_history", "disposition", "closed_at"])
    if disposition == FeverDisposition.RECOVERED:
        # E-16: recovered, so the daily follow-ups still ahead are owed no longer.
        obligations_cancel(
            Obligation.objects.of_fever(event.pk).filter(
                kind=ObligationKind.FOLLOW_UP, due_at__gt=clock.now()
            )
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="fever_event",
        object_id=event.pk,
        unit_id=event.unit_id,
        summary=str(FeverDisposition(disposition).label),
    )
    return event


def fevers_sent_to_hospital(person_id: int) -> int:
    """The person's fevers waiting in the observation room went to the designated hospital with
    them (D-06: 转运至定点医院); called inside the quarantine site's transfer, whose audit row
    records it."""
    return FeverEvent.objects.filter(person_id=person_id, disposition=FeverDisposition.OPEN).update(
        disposition=FeverDisposition.FEVER_CLINIC, closed_at=clock.now()
    )


def self_link_expiry(person: Person) -> dt.datetime:
    """A link serves the person's monitoring period: until the end of the last day of their
    measures under the plan; when they have none, or one lasts until released, for
    FANGKONG_CHECKIN_LINK_DAYS."""
    ends = list(
        Measure.objects.filter(person=person, status=MeasureStatus.ACTIVE).values_list(
            "end_date", flat=True
        )
    )
    if not ends or None in ends:
        return clock.now() + dt.timedelta(days=settings.FANGKONG_CHECKIN_LINK_DAYS)
    last_day = max(end for end in ends if end is not None)
    return clock.day_end(last_day)


@transaction.atomic
def self_link_create(*, actor: AnyUser, person: Person) -> str:
    """A personal check-in link: a signed token naming a revocable nonce of this person."""
    if not may_act_on(actor, Capability.EDIT_PEOPLE, person):
        raise PermissionDenied(_("You may not act for this person."))
    link = SelfCheckinLink.objects.create(
        person=person,
        nonce=secrets.token_hex(16),
        created_by=acting_user(actor),
        expires_at=self_link_expiry(person),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="self_checkin_link",
        object_id=link.pk,
        unit_id=person.unit_id,
    )
    return signing.dumps({"n": link.nonce}, salt=LINK_SALT)


def self_link_person(token: str) -> Person | None:
    """The person a link opens, or None for a forged, unknown, expired or revoked link."""
    try:
        data = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature:
        return None
    link = (
        SelfCheckinLink.objects.filter(
            nonce=data.get("n", ""), revoked_at__isnull=True, expires_at__gt=clock.now()
        )
        .select_related("person")
        .first()
    )
    return link.person if link else None


def self_links_revoke(*, actor: AnyUser, person: Person) -> int:
    """Revoke every open link of the person; the number revoked."""
    if not may_act_on(actor, Capability.EDIT_PEOPLE, person):
        raise PermissionDenied(_("You may not act for this person."))
    revoked = SelfCheckinLink.objects.filter(person=person, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
    if revoked:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="person",
            object_id=person.pk,
            unit_id=person.unit_id,
            summary=_("personal check-in links revoked: %(count)d") % {"count": revoked},
        )
    return revoked


@transaction.atomic
def absence_record(
    *,
    actor: AnyUser,
    person: Person,
    unit: Unit,
    day: dt.date,
    illness: bool,
    symptoms: Sequence[str] = (),
    cause: str = "",
) -> Absence:
    """E-05: an absence, with its symptoms; followed up until the cause is known."""
    if not user_can(actor, Capability.EDIT_PEOPLE, unit):
        raise PermissionDenied(_("You may not act for this unit."))
    unknown = [s for s in symptoms if s not in SYMPTOMS]
    if unknown:
        raise ValidationError({"symptoms": _("Unknown symptoms: %(codes)s") % {"codes": unknown}})
    if day > clock.localdate():
        raise ValidationError({"day": _("An absence cannot start in the future.")})
    if problem := date_problem(day):
        raise ValidationError({"day": problem})
    if len(cause) > CAUSE_MAX:
        raise ValidationError({"cause": _("At most %(n)d characters.") % {"n": CAUSE_MAX}})
    absence = Absence.objects.create(
        person=person,
        unit=unit,
        day=day,
        illness=illness,
        symptoms=list(symptoms),
        cause=cause,
        status=AbsenceStatus.CAUSE_KNOWN if cause else AbsenceStatus.FOLLOWING,
        recorded_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="absence",
        object_id=absence.pk,
        unit_id=unit.pk,
        summary=_absence_summary(absence),
    )
    return absence


def _absence_summary(absence: Absence) -> str:
    """A sentence: 2022-01-31起因病缺勤（症状：咳嗽），原因：感冒."""
    if absence.illness:
        text = _("Absent through illness from %(day)s") % {"day": absence.day}
    else:
        text = _("Absent for another cause from %(day)s") % {"day": absence.day}
    if absence.symptoms:
        names = "、".join(str(SYMPTOMS[s]) for s in absence.symptoms)
        text += _(" (symptoms: %(symptoms)s)") % {"symptoms": names}
    if absence.cause:
        text += _(", cause: %(cause)s") % {"cause": absence.cause}
    return text


@transaction.atomic
def absence_return(
    *,
    actor: AnyUser,
    absence: Absence,
    on: dt.date,
    hospital_certificate: bool,
    doctor: str,
    leader: str,
    cause: str = "",
) -> Absence:
    """D-10: back only when recovered with a hospital certificate, approved jointly by the school
    doctor and the leadership; the refusal names what is missing."""
    if not user_can(actor, Capability.EDIT_PEOPLE, absence.unit):
        raise PermissionDenied(_("You may not act for this unit."))
    missing: dict[str, str] = {}
    if absence.illness:
        if not hospital_certificate:
            missing["hospital_certificate"] = _("A hospital return certificate is required.")
        if not doctor.strip():
            missing["doctor"] = _("The school doctor's approval is required.")
        if not leader.strip():
            missing["leader"] = _("The leadership's approval is required.")
    if on < absence.day:
        missing["on"] = _("The return is before the absence began.")
    elif problem := date_problem(on):
        missing["on"] = problem
    for name, value in (("doctor", doctor), ("leader", leader)):
        if len(value.strip()) > 50:
            missing[name] = _("At most 50 characters.")
    if len(cause) > CAUSE_MAX:
        missing["cause"] = _("At most %(n)d characters.") % {"n": CAUSE_MAX}
    if missing:
        raise ValidationError(missing)
    absence.hospital_certificate = hospital_certificate
    absence.approved_by_doctor = doctor.strip()
    absence.approved_by_leader = leader.strip()
    absence.cause = cause or absence.cause
    absence.returned_on = on
    absence.status = AbsenceStatus.RETURNED
    absence.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="absence",
        object_id=absence.pk,
        unit_id=absence.unit_id,
        summary=_("returned on %(day)s") % {"day": on},
    )
    return absence


@transaction.atomic
def report_file(
    *,
    actor: AnyUser,
    unit: Unit,
    kind: str,
    day: dt.date,
    figures: dict[str, int] | None = None,
    zero: bool = False,
    note: str = "",
) -> UnitReport:
    """File the unit's report of a day; it meets the report obligation (late if past due).
    "Nothing to report" is a report too (零报告)."""
    if not user_can(actor, Capability.EDIT_PEOPLE, unit):
        raise PermissionDenied(_("You may not report for this unit."))
    if kind not in {"daily_report", "zero_report", "weekly_report"}:
        raise ValidationError({"kind": _("Unknown report kind.")})
    if day > clock.localdate():
        raise ValidationError({"day": _("A report cannot be for a future day.")})
    if problem := date_problem(day):
        raise ValidationError({"day": problem})
    now = clock.now()
    due = (
        Obligation.objects.reports()
        .due_on(day)
        .filter(unit=unit, kind=kind)
        .order_by("due_at")
        .first()
    )
    late = due is not None and now > due.due_at
    figures = figures if figures is not None else day_figures(unit, day)
    try:
        # The constraint decides, not a look first: requests filing at once all see no report.
        with transaction.atomic():
            report = UnitReport.objects.create(
                unit=unit,
                kind=kind,
                day=day,
                figures=figures,
                zero=zero,
                note=note,
                filed_at=now,
                filed_by=acting_user(actor),
                late=late,
            )
    except IntegrityError:
        raise ValidationError({"day": _("This report was already filed.")}) from None
    if due is not None:
        obligations_meet(
            Obligation.objects.filter(pk=due.pk),
            actor=actor,
            unit_id=unit.pk,
            summary=_("%(kind)s met") % {"kind": kind_label(kind)} + (_(" (late)") if late else ""),
            object_id=due.pk,
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="unit_report",
        object_id=report.pk,
        unit_id=unit.pk,
        summary=f"{kind_label(kind)} {day}"
        + (_(" (nothing to report)") if zero else "")
        + (_(" (late)") if late else ""),
    )
    return report


# When the checks of a day are due: the morning check (晨检) by 10:00, the noon check (午检) by
# 14:00, the evening check (晚检) by 21:00.
MORNING, NOON, EVENING = dt.time(10), dt.time(14), dt.time(21)


def checkin_slots(per_day: int) -> list[dt.time]:
    """The times check-ins are due when a plan asks for N a day: once a day by the evening; twice,
    morning and evening (D-06: 每天早、晚监测2次体温); three times, morning, noon and evening
    (E-11, E-12: 晨午晚检); more, spread from the morning check to the evening one."""
    if per_day <= 1:
        return [EVENING]
    if per_day == 2:
        return [MORNING, EVENING]
    if per_day == 3:
        return [MORNING, NOON, EVENING]
    step = (EVENING.hour - MORNING.hour) * 60 // (per_day - 1)
    return [
        (dt.datetime.combine(dt.date.min, MORNING) + dt.timedelta(minutes=step * i)).time()
        for i in range(per_day)
    ]


def fever_follow_ups_open(day: dt.date) -> int:
    """E-16: the sick person is followed up and reported daily until recovered (每日上报，直至康复).
    The fever opened the first follow-up (the pack's deadline of a fever); each later day of a
    fever not yet recovered owes one, due at the end of that day."""
    from fangkong.policy.packs import packs_all

    packs = packs_all()
    start = clock.local_midnight(day)
    events = list(
        FeverEvent.objects.filter(confirmed_at__lt=start)
        .exclude(disposition=FeverDisposition.RECOVERED)
        .values_list("pk", "person_id", "unit_id", "pack_id")
    )
    end = clock.day_end(day)
    owed_today = set(
        Obligation.objects.filter(kind=ObligationKind.FOLLOW_UP, due_at__gt=start, due_at__lte=end)
        .for_people({person_id for _pk, person_id, _unit, _pack in events})
        .values_list("person_id", flat=True)
    )
    specs = []
    for pk, person_id, unit_id, pack_id in events:
        pack = packs.get(pack_id)
        if pack is None or person_id in owed_today:
            continue
        for deadline in pack.deadlines:
            if deadline.trigger == "fever" and deadline.obligation.kind == ObligationKind.FOLLOW_UP:
                owner = Owner(
                    unit_id,
                    ObligationSource.MONITORING,
                    person_id,
                    pack_id=pack_id,
                    rule_id=deadline.id,
                    clause=deadline.obligation.clause,
                )
                specs.append(
                    AfterEvent(
                        owner,
                        ObligationKind.FOLLOW_UP,
                        end,
                        fever_event=pk,
                    )
                )
    return obligations_open(specs, once=True)


def checkins_per_day(
    per_day: dict[str, int], contact: str | None, categories: tuple[str, ...]
) -> int | None:
    """How many check-ins a day the pack names for a person: the most that any of their register
    categories (or a wider one that includes them) or their being a contact asks for (E-11: P11's
    boarders 3); None when it names none of them (the default then applies to people under a
    measure)."""
    named = [
        per_day[key]
        for key in (contact or "", *sorted(categories_held(categories)))
        if key in per_day and key != "default"
    ]
    return max(named) if named else None


def checkin_obligations_open(day: dt.date) -> int:
    """The day's check-in slots: everyone under an active measure owes the pack's check-ins (D-06:
    a close contact morning and evening), and the people of a register category the pack names
    owe that category's (E-11: P11's boarders 晨午晚检, three a day) wherever the pack is in
    force; the slots are obligations, met by check-ins, missed if skipped. None for the people in
    hospital."""
    from fangkong.policy.models import Classification, ExposureKind, Measure, MeasureStatus
    from fangkong.policy.packs import packs_all

    packs = packs_all()
    owing: dict[int, tuple[int, str]] = {}  # person -> (unit, pack)
    for person_id, unit_id, pack_id in (
        Measure.objects.filter(status=MeasureStatus.ACTIVE, start_date__lte=day)
        .exclude(end_date__lte=day)
        .values_list("person_id", "unit_id", "pack_id")
        .distinct()
    ):
        owing[person_id] = (unit_id, pack_id)
    under_measure = set(owing)
    resolver = PackResolver(day)
    named = {
        key
        for pack in resolver.packs
        if pack.checkins is not None
        for key in pack.checkins.per_day
        if key != "default" and key not in ExposureKind.values
    }
    if named:
        codes = [
            code
            for code in Category.objects.values_list("code", flat=True)
            if categories_held((code,)) & named
        ]
        for person_id, unit_id, path in PersonCategory.objects.filter(
            category_id__in=codes
        ).values_list("person_id", "person__unit_id", "person__unit__path"):
            pack = resolver.pack(path)
            if person_id not in owing and pack is not None:
                owing[person_id] = (unit_id, pack.id)
    # In hospital (a case in course): their check-ins wait for the discharge
    # (tracing.services.hospital_stays_suspend).
    for person_id in (
        Case.objects.in_course()
        .filter(person_id__any=Ids(owing))
        .values_list("person_id", flat=True)
    ):
        del owing[person_id]
    exposure = dict(
        Classification.objects.filter(person_id__any=Ids(owing)).values_list("person_id", "rule_id")
    )
    categories: dict[int, list[str]] = {}
    for person_id, code in PersonCategory.objects.filter(person_id__any=Ids(owing)).values_list(
        "person_id", "category_id"
    ):
        categories.setdefault(person_id, []).append(code)
    slots = []
    for person_id, (unit_id, pack_id) in owing.items():
        pack = packs.get(pack_id)
        per_day: int | None = 1
        if pack is not None and pack.checkins is not None:
            rule = exposure.get(person_id, "")
            contact = next((r.exposure for r in pack.contact_rules if r.id == rule), None)
            per_day = checkins_per_day(
                pack.checkins.per_day, contact, tuple(categories.get(person_id, ()))
            )
            if per_day is None and person_id in under_measure:
                per_day = pack.checkins.per_day["default"]
        if per_day is None:
            continue  # of a named category's unit, but not of that category nor under a measure
        for slot in checkin_slots(per_day):
            slots.append(
                Due(
                    Owner(
                        unit_id,
                        ObligationSource.MONITORING,
                        person_id,
                        pack_id=pack_id,
                        rule_id="checkins",
                        clause=pack.checkins.clause if pack and pack.checkins else "",
                    ),
                    ObligationKind.CHECKIN,
                    dt.datetime.combine(day, slot, clock.tz()),
                )
            )
    return obligations_open(slots, once=True)

"""Writes of gates and checkpoints: setting one up, assigning its keepers, and registering who
came (one at the gate's phone page, or a batch from a gate's reader in one COPY).

Each entry is checked against the plan in force for the gate's unit: a temperature over its
threshold or a symptom of its list (E-19, E-20), a yellow or red code (E-21) may not be let in;
the gate records what it did (asked to leave, sent to the fever clinic), and a registered person's
reading goes to daily monitoring as a check-in, where the pack's fever path opens as it does for
any other reading. A visitor with a fever is found in the register (or registered in the gate's
unit) so that the same path opens for them (ADR 20).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.bulk import JsonText, rows_insert
from fangkong.core.inputs import date_problem, dates_allowed
from fangkong.core.lookups import Ids
from fangkong.gates.models import Gate, GateAction, GateEntry, GateKeeper, GateKind, Outcome
from fangkong.healthcodes.codes import status_code_check
from fangkong.monitoring.models import MAX_CELSIUS, MIN_CELSIUS, SYMPTOMS, HealthCode
from fangkong.monitoring.services import BATCH_MAX as CHECKIN_BATCH_MAX
from fangkong.monitoring.services import CheckinInput, checkins_record
from fangkong.org.access import AnyUser, Scope, acting_user, gate_reach, gates_kept, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.identity import IdType, InvalidIdentity, normalize_phone, parse_resident_id
from fangkong.people.models import Person, Visitor
from fangkong.people.services import PersonInput, person_find_or_register
from fangkong.policy.engine import symptoms_counted
from fangkong.policy.packs import Pack
from fangkong.policy.resolver import PackResolver
from fangkong.tracing.models import Venue

ENTRY_BATCH_MAX = 10_000
CLOCK_SKEW = dt.timedelta(minutes=5)
# Where no plan is in force, or it names no threshold: the common 37.3 °C (超过).
FEVER_ABOVE = 37.3
# The codes that may not pass (E-21: 黄码、红码); the known ones and outcomes, read once (the
# batch checks each row against them).
CODES_STOPPED = frozenset({HealthCode.YELLOW.value, HealthCode.RED.value})
CODES_KNOWN = frozenset(HealthCode.values)
OUTCOMES_KNOWN = frozenset(Outcome.values)


# --- gates -------------------------------------------------------------------------------------


@transaction.atomic
def gate_create(
    *, actor: AnyUser, unit: Unit, kind: str, name: str, venue: Venue | None = None
) -> Gate:
    """Set up a gate or checkpoint of a unit; with a venue code of the unit, its entries count as
    visits to the venue."""
    if not scope(actor, Capability.MANAGE_GATES).covers(unit):
        raise PermissionDenied(_("You may not set up gates of this unit."))
    if kind not in GateKind.values:
        raise ValidationError({"kind": _("Kind of gate: choose one of the list.")})
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name: give the gate a name.")})
    if venue is not None and not venue.unit.path.startswith(unit.path):
        raise ValidationError({"venue": _("Venue code: choose a venue of this unit.")})
    if Gate.objects.filter(unit=unit, name=name).exists():
        raise ValidationError({"name": _("Name: this unit has a gate of that name.")})
    gate = Gate.objects.create(
        unit=unit, kind=kind, name=name[:100], venue=venue, created_at=clock.now()
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="gate",
        object_id=gate.pk,
        unit_id=unit.pk,
        summary=f"{gate.get_kind_display()} {gate.name}",
    )
    return gate


@transaction.atomic
def gate_keeper_assign(*, actor: AnyUser, gate: Gate, user: User) -> GateKeeper:
    """Assign a user holding the gate keeper's role in the gate's unit to keep the gate."""
    if not scope(actor, Capability.MANAGE_GATES).covers(gate.unit):
        raise PermissionDenied(_("You may not assign the keepers of this gate."))
    if not scope(user, Capability.KEEP_GATE).covers(gate.unit):
        raise ValidationError(
            {"user": _("Keeper: this user holds no gate keeper's role in the gate's unit.")}
        )
    keeper, created = GateKeeper.objects.get_or_create(gate=gate, user=user)
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="gate",
            object_id=gate.pk,
            unit_id=gate.unit_id,
            summary=_("%(user)s keeps %(gate)s") % {"user": user.username, "gate": gate.name},
        )
    return keeper


# --- the checks of one entry -------------------------------------------------------------------


@dataclass(frozen=True)
class EntryInput:
    """One person at a gate: ``person_id`` of the register, or a visitor's name and phone (and
    their ID number, which a visitor with a fever gives for the fever path, ADR 20)."""

    gate_id: Any
    outcome: str
    person_id: Any = None
    visitor_name: str = ""
    visitor_phone: str = ""
    visitor_id_number: str = ""
    at: Any = None  # None: now
    celsius: Any = None  # a number or text as typed; checked here
    symptoms: Sequence[str] = ()
    from_epidemic_area: bool = False
    epidemic_contact: bool = False
    health_code: str = ""  # the colour read off a shown code
    code_token: str = ""  # a scanned code: checked, and its colour fills ``health_code``
    reason: str = ""
    disinfected: bool = False


@dataclass(frozen=True)
class _Checked:
    """What the pack makes of an entry's readings and answers (the same for every row that
    brings the same ones, so a batch decides each distinct set once)."""

    celsius: Decimal | None
    colour: str
    scanned: bool
    actions: list[str]
    # A fever or a symptom of the plan's list: the pack's fever path is owed.
    unwell: bool
    # A reading or a code daily monitoring should know of (a registered person's check-in).
    flagged: bool
    problems: dict[str, str]


def _celsius(value: Any, problems: dict[str, str]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        celsius = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        celsius = None
    if celsius is None or not celsius.is_finite():
        problems["celsius"] = _("Temperature: not a number: %(value)s") % {"value": str(value)[:20]}
        return None
    if not MIN_CELSIUS <= celsius <= MAX_CELSIUS:
        problems["celsius"] = _(
            "Temperature: %(value)s °C is not a body temperature (%(low)s–%(high)s °C)."
        ) % {"value": value, "low": MIN_CELSIUS, "high": MAX_CELSIUS}
        return None
    return celsius


def _fever(pack: Pack | None, celsius: Decimal | None) -> bool:
    if celsius is None:
        return False
    if pack is not None and pack.temperature is not None:
        return pack.temperature.is_over(float(celsius))
    return float(celsius) > FEVER_ABOVE


def _time_problem(at: Any, now: dt.datetime, allowed: tuple[dt.date, dt.date]) -> str | None:
    if not isinstance(at, dt.datetime):
        return _("Time: not a date and time.")
    if at.tzinfo is None:
        return _("Time: give the time zone of the time.")
    if at > now + CLOCK_SKEW:
        return _("Time: %(at)s is in the future.") % {"at": at.isoformat()}
    return date_problem(at, allowed)


def _entry_check(data: EntryInput, pack: Pack | None, at: dt.datetime | None) -> _Checked:
    """The entry's readings, answers and code against the pack, and the actions it owes; each
    problem is kept in its ``problems`` under the field it concerns, with a reason naming the
    field. ``at`` is read only to check a scanned code."""
    problems: dict[str, str] = {}
    celsius = _celsius(data.celsius, problems)
    unknown = [s for s in data.symptoms if s not in SYMPTOMS]
    if unknown:
        problems["symptoms"] = _("Symptoms: unknown %(codes)s.") % {
            "codes": "、".join(str(s)[:20] for s in unknown)
        }
    colour, scanned = data.health_code, False
    if data.code_token:
        try:
            checked = status_code_check(data.code_token, at)
        except ValueError as error:
            problems["code"] = str(error)
        else:
            if not checked.valid or checked.colour is None:
                problems["code"] = _("Health code: %(reason)s") % {"reason": checked.reason}
            else:
                colour, scanned = checked.colour.value, True
    if colour and colour not in CODES_KNOWN:
        problems["health_code"] = _("Health code: green, yellow or red.")
    if data.outcome not in OUTCOMES_KNOWN:
        problems["outcome"] = _("Outcome: let in, refused or sent to the fever clinic.")
    reason = data.reason.strip()
    if data.outcome == Outcome.REFUSED and not reason:
        problems["reason"] = _("Reason: give the reason for the refusal.")
    if len(reason) > 200:
        problems["reason"] = _("Reason: at most 200 characters.")
    unwell = _fever(pack, celsius) or bool(
        symptoms_counted(pack, data.symptoms) if pack is not None else data.symptoms
    )
    stopped = colour in CODES_STOPPED
    if (unwell or stopped) and data.outcome == Outcome.ADMITTED:
        problems["outcome"] = (
            _("Outcome: a fever or a symptom of the plan's list may not be let in (E-19).")
            if unwell
            else _("Outcome: a yellow or red code may not be let in (E-21).")
        )
    actions = []
    if unwell:
        actions.append(
            GateAction.REFERRED
            if data.outcome == Outcome.FEVER_CLINIC
            else GateAction.ASKED_TO_LEAVE
        )
    if stopped:
        actions.append(GateAction.CODE_REFUSED)
    if data.from_epidemic_area or data.epidemic_contact:
        actions.append(GateAction.EPIDEMIC_AREA)
    return _Checked(
        celsius,
        colour,
        scanned,
        [str(action) for action in actions],
        unwell,
        unwell or stopped,
        problems,
    )


@dataclass(frozen=True)
class _Visitor:
    name: str
    phone: str
    id_number: str


def _visitor_check(data: EntryInput, problems: dict[str, str]) -> _Visitor:
    """A visitor's name, phone and (optional) resident ID number as the register keeps them."""
    name = data.visitor_name.strip()
    if not name:
        problems["visitor_name"] = _("Name: pick a registered person or type the visitor's name.")
    phone = number = ""
    try:
        phone = normalize_phone(data.visitor_phone)
    except InvalidIdentity as error:
        problems["visitor_phone"] = _("Phone: %(reason)s") % {"reason": error.args[0]}
    if data.visitor_id_number.strip():
        try:
            number = parse_resident_id(data.visitor_id_number, today=clock.localdate()).number
        except InvalidIdentity as error:
            problems["visitor_id_number"] = _("ID number: %(reason)s") % {"reason": error.args[0]}
    return _Visitor(name[:50], phone, number)


def _visitor_person(actor: AnyUser, gate: Gate, reach: Scope, visitor: _Visitor) -> Person | None:
    """The person of the register a visitor with a fever is, for the fever path (ADR 20): the one
    of their ID number wherever registered, else registered now in the gate's unit; without an ID
    number, the one of the gate's unit of that name and phone, or None."""
    if visitor.id_number:
        return person_find_or_register(
            actor=acting_user(actor),
            data=PersonInput(
                name=visitor.name,
                id_type=IdType.RESIDENT,
                id_number=visitor.id_number,
                unit=gate.unit,
                phone=visitor.phone,
            ),
        )
    return (
        Person.objects.filter(reach.people(), name=visitor.name, phone=visitor.phone)
        .order_by("id")
        .first()
    )


def _no_visitor_person() -> str:
    return _(
        "ID number: a visitor with a fever or a symptom of the plan's list is registered for the"
        " fever path; give their ID number."
    )


def _checkins_open(
    actor: AnyUser,
    recorders: Scope,
    gate: Gate,
    rows: list[tuple[int, dt.datetime, _Checked, EntryInput]],
) -> None:
    """The flagged readings of registered people go to daily monitoring as check-ins, where the
    pack judges them and a fever opens its path (the observation, the reports and deadlines)."""
    inputs = [
        CheckinInput(
            person_id=person_id,
            at=at,
            celsius=checked.celsius,
            symptoms=list(data.symptoms),
            health_code=checked.colour,
            place=gate.name,
        )
        for person_id, at, checked, data in rows
    ]
    for start in range(0, len(inputs), CHECKIN_BATCH_MAX):
        result = checkins_record(
            actor=actor, rows=inputs[start : start + CHECKIN_BATCH_MAX], recorders=recorders
        )
        if result.errors:
            raise ValidationError({result.errors[0]["field"]: result.errors[0]["reason"]})


def _row_id(value: Any) -> int | None:
    """A row id as sent, when it is one (a JSON number in range), else None."""
    return value if type(value) is int and 0 < value < 2**63 else None


def _no_gate(value: Any) -> str:
    # A gate the actor does not keep is as unknown as one that does not exist.
    return _("Gate: no gate %(id)s that you keep.") % {"id": str(value)[:20]}


def _no_person() -> str:
    return _("Person: nobody of that number at this gate's unit.")


def _gate_kept(actor: AnyUser, value: Any) -> Gate:
    gate_id = _row_id(value)
    gate = (
        None
        if gate_id is None
        else Gate.objects.filter(gates_kept(actor), pk=gate_id).select_related("unit").first()
    )
    if gate is None:
        raise ValidationError({"gate": _no_gate(value)})
    return gate


def _pack_of(gate: Gate, now: dt.datetime) -> Pack | None:
    return PackResolver.of_day(now.astimezone(clock.tz()).date()).pack(gate.unit.path)


# --- one entry ---------------------------------------------------------------------------------


@transaction.atomic
def gate_entry_record(*, actor: AnyUser, data: EntryInput) -> GateEntry:
    """Register one person at a gate the actor keeps: the checks above, the visitor's name and
    phone in ``people``, the entry, and a registered person's flagged reading as a check-in (a
    visitor with a fever found in the register or registered, ADR 20)."""
    gate = _gate_kept(actor, data.gate_id)
    now = clock.now()
    at = now if data.at is None else data.at
    checked = _entry_check(data, _pack_of(gate, now), at if isinstance(at, dt.datetime) else None)
    problems = dict(checked.problems)
    if problem := _time_problem(at, now, dates_allowed()):
        problems["at"] = problem
    reach = gate_reach(actor, gate)
    person: Person | None = None
    visitor: _Visitor | None = None
    if data.person_id not in (None, ""):
        person_id = _row_id(data.person_id)
        person = (
            None
            if person_id is None
            else Person.objects.filter(reach.people(), pk=person_id).first()
        )
        if person is None:
            problems["person"] = _no_person()
    else:
        visitor = _visitor_check(data, problems)
    if problems:
        raise ValidationError(problems)
    recorders = reach
    if visitor is not None and checked.unwell:
        person = _visitor_person(actor, gate, reach, visitor)
        if person is None:
            raise ValidationError({"visitor_id_number": _no_visitor_person()})
        recorders, visitor = Scope(None), None
    entry = GateEntry.objects.create(
        gate=gate,
        person=person,
        visitor=None
        if visitor is None
        else Visitor.objects.create(name=visitor.name, phone=visitor.phone, created_at=now),
        at=at,
        celsius=checked.celsius,
        symptoms=list(data.symptoms),
        from_epidemic_area=data.from_epidemic_area,
        epidemic_contact=data.epidemic_contact,
        health_code=checked.colour,
        code_scanned=checked.scanned,
        outcome=data.outcome,
        reason=data.reason.strip(),
        disinfected=data.disinfected,
        actions=checked.actions,
        recorded_by=acting_user(actor),
    )
    if person is not None and checked.flagged:
        _checkins_open(actor, recorders, gate, [(person.pk, at, checked, data)])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="gate_entry",
        object_id=entry.pk,
        unit_id=gate.unit_id,
        summary=f"{gate.name}: {entry.get_outcome_display()}"
        + (f"（{entry.reason}）" if entry.reason else ""),
    )
    return entry


# --- a batch -----------------------------------------------------------------------------------


@dataclass
class EntriesOutcome:
    entries: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


_ENTRY_COLUMNS = (
    "gate",
    "person",
    "visitor",
    "at",
    "celsius",
    "symptoms",
    "from_epidemic_area",
    "epidemic_contact",
    "health_code",
    "code_scanned",
    "outcome",
    "reason",
    "disinfected",
    "actions",
    "recorded_by",
)


@dataclass
class _Good:
    """A row that passed its checks, waiting for the writes."""

    index: int
    gate_id: int
    at: dt.datetime
    checked: _Checked
    data: EntryInput
    person_id: int | None = None
    visitor: _Visitor | None = None
    visitor_id: int | None = None


class _Batch:
    """The set-wide reads of a batch: the gates the actor keeps among those named, the people
    each reaches among those named, the pack of each gate's unit, and one decision per distinct
    set of readings and answers."""

    def __init__(self, actor: AnyUser, rows: Sequence[EntryInput], now: dt.datetime) -> None:
        self.now, self.allowed = now, dates_allowed()
        keys = [(_row_id(r.gate_id), _row_id(r.person_id)) for r in rows]
        self.keys = keys
        named = Ids({gate_id for gate_id, _person in keys if gate_id is not None})
        self.gates = {
            gate.pk: gate
            for gate in Gate.objects.filter(gates_kept(actor), pk__any=named).select_related("unit")
        }
        self.reaches = {pk: gate_reach(actor, gate) for pk, gate in self.gates.items()}
        self.people: set[tuple[int, int]] = set()
        for pk, reach in self.reaches.items():
            wanted = Ids({person for gate_id, person in keys if gate_id == pk and person})
            if wanted:
                self.people.update(
                    (pk, person)
                    for person in Person.objects.filter(reach.people(), id__any=wanted).values_list(
                        "pk", flat=True
                    )
                )
        self.packs = {pk: _pack_of(gate, now) for pk, gate in self.gates.items()}
        self._decided: dict[tuple[Any, ...], _Checked] = {}

    def check(self, gate_id: int | None, data: EntryInput, at: dt.datetime | None) -> _Checked:
        """The pack's decision on the row's readings and answers; a scanned code, being one
        person's and checked at the row's time, is decided alone."""
        pack = None if gate_id is None else self.packs.get(gate_id)
        if data.code_token:
            return _entry_check(data, pack, at)
        key = (
            gate_id, data.celsius, tuple(data.symptoms), data.health_code, data.outcome,
            data.reason, data.from_epidemic_area, data.epidemic_contact,
        )  # fmt: skip
        decided = self._decided.get(key)
        if decided is None:
            decided = self._decided[key] = _entry_check(data, pack, at)
        return decided


def gate_entries_record(*, actor: AnyUser, rows: Sequence[EntryInput]) -> EntriesOutcome:
    """Register a gate reader's entries in one set (up to ENTRY_BATCH_MAX): registered people
    (``person_id``) and visitors (name and phone) alike. Each row is checked as one entry is and
    every refused one reported with its index, field and reason; the good ones are written at
    once: the visitors in one INSERT, the entries in one COPY, the flagged readings to daily
    monitoring in one set per gate (a visitor with a fever found or registered as a person,
    ADR 20) and one audit row."""
    if len(rows) > ENTRY_BATCH_MAX:
        raise ValidationError(
            {"entries": _("Entries: at most %(max)d per request.") % {"max": ENTRY_BATCH_MAX}}
        )
    outcome = EntriesOutcome()
    now = clock.now()
    batch = _Batch(actor, rows, now)
    good: list[_Good] = []
    for index, (data, (gate_id, person_id)) in enumerate(zip(rows, batch.keys, strict=True)):
        at = now if data.at is None else data.at
        checked = batch.check(gate_id, data, at if isinstance(at, dt.datetime) else None)
        problems = dict(checked.problems)
        if problem := _time_problem(at, now, batch.allowed):
            problems["at"] = problem
        visitor = None
        if gate_id not in batch.gates:
            problems["gate"] = _no_gate(data.gate_id)
        elif data.person_id not in (None, ""):
            if (gate_id, person_id) not in batch.people:
                problems["person"] = _no_person()
        else:
            visitor = _visitor_check(data, problems)
        if problems:
            outcome.errors.extend(
                {"index": index, "field": name, "reason": reason}
                for name, reason in problems.items()
            )
            continue
        assert gate_id is not None
        good.append(_Good(index, gate_id, at, checked, data, person_id, visitor))
    with transaction.atomic():
        written = _entries_write(actor, batch, good, outcome)
        if written:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="gate_entries",
                unit_id=Scope(
                    tuple(sorted({batch.gates[g.gate_id].unit.path for g in written}))
                ).covering_unit_id(),
                summary=_("%(entries)d gate entries registered") % {"entries": outcome.entries}
                + (
                    _(", %(count)d rows refused")
                    % {"count": len({e["index"] for e in outcome.errors})}
                    if outcome.errors
                    else ""
                ),
            )
    outcome.errors.sort(key=lambda error: error["index"])
    return outcome


def _entries_write(
    actor: AnyUser, batch: _Batch, good: list[_Good], outcome: EntriesOutcome
) -> list[_Good]:
    """Write the good rows of a batch; returns those written. A visitor with a fever becomes the
    person the register has (or registers them); one who cannot be is refused with the reason."""
    written: list[_Good] = []
    for row in good:
        if row.visitor is not None and row.checked.unwell:
            gate = batch.gates[row.gate_id]
            person = _visitor_person(actor, gate, batch.reaches[row.gate_id], row.visitor)
            if person is None:
                outcome.errors.append(
                    {
                        "index": row.index,
                        "field": "visitor_id_number",
                        "reason": _no_visitor_person(),
                    }
                )
                continue
            row.person_id, row.visitor = person.pk, None
        written.append(row)
    if not written:
        return written
    visitors = [row for row in written if row.visitor is not None]
    made = Visitor.objects.bulk_create(
        Visitor(name=row.visitor.name, phone=row.visitor.phone, created_at=batch.now)
        for row in visitors
        if row.visitor is not None
    )
    for row, visitor in zip(visitors, made, strict=True):
        row.visitor_id = visitor.pk
    recorder = acting_user(actor)
    recorder_id = recorder.pk if recorder else None
    # The lists as JSON text, encoded once per decision rather than once per row.
    encoded: dict[tuple[str, ...], JsonText] = {}

    def as_json(values: Sequence[str]) -> JsonText:
        key = tuple(values)
        if key not in encoded:
            encoded[key] = JsonText(json.dumps(list(key), ensure_ascii=False))
        return encoded[key]

    outcome.entries = rows_insert(
        GateEntry,
        _ENTRY_COLUMNS,
        (
            (
                row.gate_id,
                row.person_id,
                row.visitor_id,
                row.at,
                row.checked.celsius,
                as_json(row.data.symptoms),
                row.data.from_epidemic_area,
                row.data.epidemic_contact,
                row.checked.colour,
                row.checked.scanned,
                row.data.outcome,
                row.data.reason.strip(),
                row.data.disinfected,
                as_json(row.checked.actions),
                recorder_id,
            )  # fmt: skip
            for row in written
        ),
    )
    # The flagged readings, one set per gate: the registered people within the gate's reach,
    # the visitors with a fever as the people the service found or registered for them.
    flagged: dict[tuple[int, bool], list[tuple[int, dt.datetime, _Checked, EntryInput]]] = {}
    for row in written:
        if row.person_id is not None and row.checked.flagged:
            as_visitor = row.data.person_id in (None, "")
            flagged.setdefault((row.gate_id, as_visitor), []).append(
                (row.person_id, row.at, row.checked, row.data)
            )
    for (gate_id, as_visitor), readings in flagged.items():
        recorders = Scope(None) if as_visitor else batch.reaches[gate_id]
        _checkins_open(actor, recorders, batch.gates[gate_id], readings)
    return written

"""Writes of gates and checkpoints: setting one up, assigning its keepers, and registering who
came (one at the gate's phone page, or a batch from a gate's reader in one COPY).

Each entry is checked against the plan in force for the gate's unit: a temperature over its
threshold or a symptom of its list (E-19, E-20), a yellow or red code (E-21) may not be let in;
the gate records what it did (asked to leave, sent to the fever clinic), and a registered person's
reading goes to daily monitoring as a check-in, where the pack's fever path opens as it does for
any other reading.
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
from fangkong.people.identity import InvalidIdentity, normalize_phone
from fangkong.people.models import Person, Visitor
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
    """One person at a gate: ``person_id`` of the register, or a visitor's name and phone."""

    gate_id: Any
    outcome: str
    person_id: Any = None
    visitor_name: str = ""
    visitor_phone: str = ""
    at: Any = None  # None: now
    celsius: Any = None  # a number or text as typed; checked here
    symptoms: Sequence[str] = ()
    from_epidemic_area: bool = False
    epidemic_contact: bool = False
    health_code: str = ""  # the colour read off a shown code
    code_token: str = ""  # a scanned code: checked, and its colour fills ``health_code``
    reason: str = ""
    disinfected: bool = False


@dataclass
class _Checked:
    at: dt.datetime
    celsius: Decimal | None
    colour: str
    scanned: bool
    actions: list[str]
    # A reading or a code daily monitoring should know of (a registered person's check-in).
    flagged: bool


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


def _entry_check(
    data: EntryInput,
    pack: Pack | None,
    now: dt.datetime,
    allowed: tuple[dt.date, dt.date],
    problems: dict[str, str],
) -> _Checked:
    """The entry's values and the pack's actions; each problem goes to ``problems`` under the
    field it concerns, with a reason naming the field."""
    celsius = _celsius(data.celsius, problems)
    at = now if data.at is None else data.at
    if not isinstance(at, dt.datetime):
        problems["at"] = _("Time: not a date and time.")
    elif at.tzinfo is None:
        problems["at"] = _("Time: give the time zone of the time.")
    elif at > now + CLOCK_SKEW:
        problems["at"] = _("Time: %(at)s is in the future.") % {"at": at.isoformat()}
    elif problem := date_problem(at, allowed):
        problems["at"] = problem
    unknown = [s for s in data.symptoms if s not in SYMPTOMS]
    if unknown:
        problems["symptoms"] = _("Symptoms: unknown %(codes)s.") % {
            "codes": "、".join(str(s)[:20] for s in unknown)
        }
    colour, scanned = data.health_code, False
    if data.code_token:
        try:
            checked = status_code_check(
                data.code_token, at if isinstance(at, dt.datetime) else None
            )
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
        at if isinstance(at, dt.datetime) else now,
        celsius,
        colour,
        scanned,
        [str(action) for action in actions],
        unwell or stopped,
    )


def _checkins_open(
    actor: AnyUser, reach: Scope, gate: Gate, rows: list[tuple[int, _Checked, EntryInput]]
) -> None:
    """The flagged readings of registered people go to daily monitoring as check-ins, where the
    pack judges them and a fever opens its path (the observation, the reports and deadlines)."""
    inputs = [
        CheckinInput(
            person_id=person_id,
            at=checked.at,
            celsius=checked.celsius,
            symptoms=list(data.symptoms),
            health_code=checked.colour,
            place=gate.name,
        )
        for person_id, checked, data in rows
    ]
    for start in range(0, len(inputs), CHECKIN_BATCH_MAX):
        result = checkins_record(
            actor=actor, rows=inputs[start : start + CHECKIN_BATCH_MAX], recorders=reach
        )
        if result.errors:
            raise ValidationError({result.errors[0]["field"]: result.errors[0]["reason"]})


def _row_id(value: Any) -> int | None:
    """A row id as sent, when it is one (a JSON number in range), else None."""
    return value if type(value) is int and 0 < value < 2**63 else None


def _no_gate(value: Any) -> str:
    # A gate the actor does not keep is as unknown as one that does not exist.
    return _("Gate: no gate %(id)s that you keep.") % {"id": str(value)[:20]}


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


# --- one entry ---------------------------------------------------------------------------------


@transaction.atomic
def gate_entry_record(*, actor: AnyUser, data: EntryInput) -> GateEntry:
    """Register one person at a gate the actor keeps: the checks above, the visitor's name and
    phone in ``people``, the entry, and a registered person's flagged reading as a check-in."""
    gate = _gate_kept(actor, data.gate_id)
    now = clock.now()
    pack = PackResolver.of_day(now.astimezone(clock.tz()).date()).pack(gate.unit.path)
    problems: dict[str, str] = {}
    checked = _entry_check(data, pack, now, dates_allowed(), problems)
    reach = gate_reach(actor, gate)
    person: Person | None = None
    phone = ""
    if data.person_id not in (None, ""):
        person_id = _row_id(data.person_id)
        person = (
            None
            if person_id is None
            else Person.objects.filter(reach.people(), pk=person_id).first()
        )
        if person is None:
            problems["person"] = _("Person: nobody of that number at this gate's unit.")
    elif not data.visitor_name.strip():
        problems["visitor_name"] = _("Name: pick a registered person or type the visitor's name.")
    else:
        try:
            phone = normalize_phone(data.visitor_phone)
        except InvalidIdentity as error:
            problems["visitor_phone"] = _("Phone: %(reason)s") % {"reason": error.args[0]}
    if problems:
        raise ValidationError(problems)
    visitor = (
        None
        if person is not None
        else Visitor.objects.create(
            name=data.visitor_name.strip()[:50], phone=phone, created_at=now
        )
    )
    entry = GateEntry.objects.create(
        gate=gate,
        person=person,
        visitor=visitor,
        at=checked.at,
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
        _checkins_open(actor, reach, gate, [(person.pk, checked, data)])
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


def gate_entries_record(*, actor: AnyUser, rows: Sequence[EntryInput]) -> EntriesOutcome:
    """Register a gate reader's entries of registered people in one set (up to ENTRY_BATCH_MAX):
    each row checked as one entry is, the good ones written in one COPY, each refused one
    reported with its index, field and reason; the flagged readings go to daily monitoring."""
    if len(rows) > ENTRY_BATCH_MAX:
        raise ValidationError(
            {"entries": _("Entries: at most %(max)d per request.") % {"max": ENTRY_BATCH_MAX}}
        )
    outcome = EntriesOutcome()
    now = clock.now()
    keys = [(_row_id(r.gate_id), _row_id(r.person_id)) for r in rows]
    gate_ids = {gate_id for gate_id, _person in keys if gate_id is not None}
    gates = {
        gate.pk: gate
        for gate in Gate.objects.filter(gates_kept(actor), pk__any=Ids(gate_ids)).select_related(
            "unit"
        )
    }
    reaches = {pk: gate_reach(actor, gate) for pk, gate in gates.items()}
    people: set[tuple[int, int]] = set()
    for pk, reach in reaches.items():
        wanted = {person for gate_id, person in keys if gate_id == pk and person is not None}
        if wanted:
            people.update(
                (pk, person)
                for person in Person.objects.filter(
                    reach.people(), id__any=Ids(wanted)
                ).values_list("pk", flat=True)
            )
    resolver = PackResolver.of_day(now.astimezone(clock.tz()).date())
    packs = {pk: resolver.pack(gate.unit.path) for pk, gate in gates.items()}
    allowed = dates_allowed()
    recorder = acting_user(actor)
    recorder_id = recorder.pk if recorder else None
    # The lists as JSON text, encoded once per distinct list rather than once per row.
    encoded: dict[tuple[str, ...], JsonText] = {}

    def as_json(values: Sequence[str]) -> JsonText:
        key = tuple(values)
        if key not in encoded:
            encoded[key] = JsonText(json.dumps(list(key), ensure_ascii=False))
        return encoded[key]

    good: list[tuple[Any, ...]] = []
    flagged: dict[int, list[tuple[int, _Checked, EntryInput]]] = {}
    for index, (data, (gate_id, person_id)) in enumerate(zip(rows, keys, strict=True)):
        problems: dict[str, str] = {}
        if gate_id not in gates:
            problems["gate"] = _no_gate(data.gate_id)
        elif (gate_id, person_id) not in people:
            problems["person"] = _("Person: nobody of that number at this gate's unit.")
        pack = None if gate_id is None else packs.get(gate_id)
        checked = _entry_check(data, pack, now, allowed, problems)
        if problems:
            outcome.errors.extend(
                {"index": index, "field": name, "reason": reason}
                for name, reason in problems.items()
            )
            continue
        assert gate_id is not None
        assert person_id is not None
        good.append(
            (
                gate_id,
                person_id,
                checked.at,
                checked.celsius,
                as_json(data.symptoms),
                data.from_epidemic_area,
                data.epidemic_contact,
                checked.colour,
                checked.scanned,
                data.outcome,
                data.reason.strip(),
                data.disinfected,
                as_json(checked.actions),
                recorder_id,
            )
        )
        if checked.flagged:
            flagged.setdefault(gate_id, []).append((person_id, checked, data))
    if not good:
        return outcome
    with transaction.atomic():
        outcome.entries = rows_insert(GateEntry, _ENTRY_COLUMNS, good)
        for pk, readings in flagged.items():
            _checkins_open(actor, reaches[pk], gates[pk], readings)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="gate_entries",
            unit_id=Scope(tuple(sorted({g.unit.path for g in gates.values()}))).covering_unit_id(),
            summary=_("%(entries)d gate entries registered") % {"entries": outcome.entries}
            + (
                _(", %(count)d rows refused") % {"count": len({e["index"] for e in outcome.errors})}
                if outcome.errors
                else ""
            ),
        )
    return outcome

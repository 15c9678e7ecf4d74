"""The line list (密接一览表) of an investigation: dozens of contacts entered in one table or one
file, each matched against the register and recorded as an exposure.

A row is matched by its ID number first, else by name and phone among the people the investigator
may act on; a contact not yet registered is registered in the row's unit (the case's unit when the
row names none). Every row stands alone: a bad row is reported (row, column, reason) and every good
row is kept. A row whose exposure the investigation holds already changes nothing, so entering or
importing the same list twice adds nothing the second time.

A contact registered outside the investigator's units becomes an assistance notice (协查通告,
H-02): a deadline for the person's unit to check the contact within 24 h, and a message to that
unit's role holders; that unit records the exposure once checked.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.audit.exports import list_export
from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.exports import Format
from fangkong.core.inputs import date_problem, dates_allowed, datetime_parse
from fangkong.core.spreadsheets import Column, ImportFileError, TableColumns, read_rows
from fangkong.obligations.models import (
    Notification,
    NotificationTopic,
    Obligation,
    ObligationKind,
    ObligationSource,
    ObligationStatus,
)
from fangkong.obligations.services import notifications_post
from fangkong.org.access import may_act_on, scope, units_in
from fangkong.org.models import Membership, Unit
from fangkong.org.roles import Capability, Role
from fangkong.people.identity import (
    IdType,
    InvalidIdentity,
    id_hash,
    mask_id_number,
    normalize_id_number,
    normalize_phone,
    parse_resident_id,
)
from fangkong.people.importing import RowProblem
from fangkong.people.models import Person
from fangkong.people.selectors import people_visible_to
from fangkong.people.services import PersonInput, people_register
from fangkong.policy.models import ExposureKind
from fangkong.tracing.models import Exposure, Investigation
from fangkong.tracing.services import exposure_check, exposures_insert

# The most rows one list takes: a request someone waits for, not a county's register.
LINE_LIST_MAX = 500
# An assistance notice is checked by the contact's unit within this time (H-02).
ASSISTANCE_WITHIN = dt.timedelta(hours=24)
ASSISTANCE_CLAUSE = "H-02: 发出协查通告，24小时内核查协查对象"

LINE_LIST_COLUMNS = TableColumns(
    Column("name", gettext_lazy("Name"), ("名字",), required=True, max_length=50),
    Column("id_number", gettext_lazy("ID number"), ("身份证号", "身份证号码", "公民身份号码")),
    Column("phone", gettext_lazy("Phone"), ("联系电话", "电话", "手机号")),
    Column("unit", gettext_lazy("Unit code"), ("单位编码", "unit_code")),
    Column("kind", gettext_lazy("Contact kind"), ("接触类型", "类型")),
    Column(
        "last_exposed_at",
        gettext_lazy("Last exposure time"),
        ("末次接触时间", "末次暴露时间"),
        required=True,
    ),
    Column("how", gettext_lazy("How exposed"), ("接触方式", "暴露方式"), max_length=300),
    Column(
        "through",
        gettext_lazy("Through close contact"),
        ("经由密接", "经由"),
        max_length=50,
    ),
    hint=gettext_lazy("The columns are those of the line list on the investigation page."),
)
KIND_WORDS = {
    "": ExposureKind.CLOSE_CONTACT,
    "密接": ExposureKind.CLOSE_CONTACT,
    "密切接触者": ExposureKind.CLOSE_CONTACT,
    "次密接": ExposureKind.SECONDARY_CONTACT,
    "次密切接触者": ExposureKind.SECONDARY_CONTACT,
} | {value: ExposureKind(value) for value in ExposureKind.values}


@dataclass
class DuplicateProposal:
    """A row that looks like a person registered twice: ``person`` the file found, ``other`` the
    file the row registered beside it (None: one file under two names, to correct by hand)."""

    row_number: int
    column: str
    value: str
    message: str
    person: int
    other: int | None = None

    @property
    def merge_url(self) -> str:
        """The merge page comparing the two files, or "" when there is one file."""
        if self.other is None:
            return ""
        return f"{reverse('person-merge', args=[self.person])}?other={self.other}"


@dataclass
class LineListOutcome:
    """What a line list did: people registered, exposures recorded, contacts sent to their units
    as assistance notices (by unit), rows already recorded, the rows refused, and the rows that
    look like a person registered twice."""

    registered: int = 0
    exposed: int = 0
    notices: Counter[int] = field(default_factory=Counter)
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    duplicates: list[DuplicateProposal] = field(default_factory=list)

    def refuse(self, row: int, key: str, value: str, message: str) -> None:
        self.problems.append(RowProblem(row, _label(key), value, message))

    @property
    def noticed(self) -> int:
        return sum(self.notices.values())


def _label(key: str) -> str:
    return LINE_LIST_COLUMNS.label(key if key in LINE_LIST_COLUMNS.by_key else "name")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class _Row:
    number: int
    name: str
    id_number: str
    phone: str
    unit: Unit
    kind: str
    last_exposed_at: dt.datetime
    how: str
    through: str


class _Reader:
    """Checks the rows of one list against what is read once: the units, the clock."""

    def __init__(self, actor: User, investigation: Investigation) -> None:
        self.default_unit = investigation.case.unit
        self.units = {unit.code: unit for unit in units_in(actor, Capability.INVESTIGATE)}
        self.now = clock.now()
        self.allowed = dates_allowed()

    def read(
        self, number: int, values: Mapping[str, object], outcome: LineListOutcome
    ) -> _Row | None:
        """The row ready to record, or None once its problems are reported."""
        before = len(outcome.problems)
        cells = {key: _text(values.get(key)) for key in LINE_LIST_COLUMNS.by_key}
        for column in LINE_LIST_COLUMNS.columns:
            value = cells[column.key]
            if column.required and not value:
                outcome.refuse(number, column.key, value, _("This column must not be empty."))
            if column.max_length and len(value) > column.max_length:
                outcome.refuse(
                    number,
                    column.key,
                    value,
                    _("Longer than %(n)d characters.") % {"n": column.max_length},
                )
        kind = KIND_WORDS.get(cells["kind"])
        if kind is None:
            outcome.refuse(
                number, "kind", cells["kind"], _("Not a contact kind: write 密接 or 次密接.")
            )
        phone = cells["phone"]
        if phone:
            try:
                phone = normalize_phone(phone)
            except InvalidIdentity as error:
                outcome.refuse(number, "phone", phone, str(error))
        unit = self.units.get(cells["unit"]) if cells["unit"] else self.default_unit
        if unit is None:
            outcome.refuse(
                number,
                "unit",
                cells["unit"],
                _("No unit with this code in the units you may investigate in."),
            )
        at = self._moment(values.get("last_exposed_at"), cells["last_exposed_at"])
        if cells["last_exposed_at"] and at is None:
            outcome.refuse(
                number,
                "last_exposed_at",
                cells["last_exposed_at"],
                _("Not a time (write 2022-02-01 08:00)."),
            )
        elif at is not None and (problem := date_problem(at, self.allowed)):
            outcome.refuse(number, "last_exposed_at", cells["last_exposed_at"], problem)
        elif at is not None and at > self.now:
            outcome.refuse(
                number,
                "last_exposed_at",
                cells["last_exposed_at"],
                _("The last exposure cannot be in the future."),
            )
        if cells["through"] and kind == ExposureKind.CLOSE_CONTACT:
            outcome.refuse(
                number,
                "through",
                cells["through"],
                _("A close contact is exposed through the case: leave this column empty."),
            )
        if len(outcome.problems) > before or kind is None or unit is None or at is None:
            return None
        return _Row(
            number,
            cells["name"],
            normalize_id_number(cells["id_number"]),
            phone,
            unit,
            kind,
            at,
            cells["how"],
            cells["through"],
        )

    @staticmethod
    def _moment(raw: object, text: str) -> dt.datetime | None:
        """A time from a spreadsheet cell, or written as 2022-02-01 08:00, in local time."""
        if isinstance(raw, dt.datetime):
            moment: dt.datetime | None = raw
        elif isinstance(raw, dt.date):
            moment = dt.datetime.combine(raw, dt.time())
        else:
            moment = datetime_parse(text) if text else None
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=clock.tz())
        return moment


def _key(person: Person) -> object:
    """A person's key in the sets below: the id, or the person itself while it is one the list
    registers with its rows (saved with them, so with no id yet)."""
    return person.pk if person.pk is not None else id(person)


@dataclass
class _Proposal:
    """A duplicate proposal whose people may be registered with the list: worded once they are."""

    row: _Row
    person: Person
    other: Person | None = None

    def proposal(self) -> DuplicateProposal:
        if self.other is None:
            return DuplicateProposal(
                self.row.number,
                _label("id_number"),
                self.row.name,
                _("Registered under the name %(name)s: the same ID, another name.")
                % {"name": self.person.name},
                self.person.pk,
            )
        return DuplicateProposal(
            self.row.number,
            _label("name"),
            self.row.name,
            _("Person %(id)s has this name and phone under another ID number.")
            % {"id": self.person.pk},
            self.person.pk,
            self.other.pk,
        )


class _Known:
    """What the list's rows name that is registered already, read in a few queries for the whole
    list — people by ID number, the investigator's people by name and phone, the
    investigation's exposures, close contacts and assistance notices — and kept up to date as
    each row is accepted, so that later rows find what earlier rows registered or recorded."""

    def __init__(self, actor: User, investigation: Investigation, rows: list[_Row]) -> None:
        self.investigation = investigation
        self.scope = scope(actor, Capability.INVESTIGATE)
        self.case_person = investigation.case.person
        self.now, self.today = clock.now(), clock.localdate()
        hashes = {id_hash(row.id_number) for row in rows if row.id_number}
        self.by_hash = {
            person.id_hash: person
            for person in Person.objects.filter(id_hash__in=hashes).select_related("unit")
        }
        # People named by ID number outside the scope's units may still be the investigator's
        # (a tie to a class, a placement): read at once which are.
        outside = [p.pk for p in self.by_hash.values() if not self.scope.covers(p.unit)]
        self.reached = set(
            people_visible_to(actor, Capability.INVESTIGATE)
            .filter(pk__in=outside)
            .values_list("pk", flat=True)
            if outside
            else ()
        )
        # The investigator's people by name and phone, newest first.
        pairs = {(row.name, row.phone) for row in rows if row.phone}
        self.by_name: dict[tuple[str, str], list[Person]] = {}
        if pairs:
            for person in (
                people_visible_to(actor, Capability.INVESTIGATE)
                .filter(name__in={name for name, _ in pairs}, phone__in={p for _, p in pairs})
                .select_related("unit")
                .order_by("-pk")
            ):
                if (person.name, person.phone) in pairs:
                    self.by_name.setdefault((person.name, person.phone), []).append(person)
        self.exposures: set[tuple[object, str, dt.datetime]] = set(
            Exposure.objects.filter(investigation=investigation).values_list(
                "person_id", "kind", "last_exposed_at"
            )
        )
        self.close: list[Person] = []
        if any(row.through for row in rows):
            self.close = [
                exposure.person
                for exposure in Exposure.objects.filter(
                    investigation=investigation, kind=ExposureKind.CLOSE_CONTACT
                ).select_related("person")
            ]
        self._notices: set[tuple[object, str, str]] | None = None

    def may_act_on(self, person: Person) -> bool:
        return person.pk is None or self.scope.covers(person.unit) or person.pk in self.reached

    def notices(self) -> set[tuple[object, str, str]]:
        """The contacts and exposures the investigation sent to their units, read once it
        sends any."""
        if self._notices is None:
            self._notices = set(
                Obligation.objects.filter(
                    kind=ObligationKind.ASSISTANCE, detail__investigation=self.investigation.pk
                ).values_list("person_id", "detail__exposure_kind", "detail__last_exposed_at")
            )
        return self._notices

    def recorded(self, row: _Row, person: Person) -> None:
        """The row's exposure is accepted: later rows find the person and the exposure."""
        self.by_hash[person.id_hash] = person
        if person.pk is None and person.phone:  # registered now: found by name and phone
            namesakes = self.by_name.setdefault((person.name, person.phone), [])
            if all(namesake is not person for namesake in namesakes):
                namesakes.insert(0, person)
        self.exposures.add((_key(person), row.kind, row.last_exposed_at))
        if row.kind == ExposureKind.CLOSE_CONTACT:
            self.close.append(person)


@dataclass
class _Plan:
    """What the list writes, decided row by row before anything is written."""

    new: list[tuple[Person, _Row]] = field(default_factory=list)
    exposures: list[tuple[_Row, Person, Person | None]] = field(default_factory=list)
    notices: list[Obligation] = field(default_factory=list)
    proposals: list[_Proposal] = field(default_factory=list)


def _person(
    known: _Known, row: _Row, outcome: LineListOutcome, plan: _Plan
) -> tuple[Person | None, _Proposal | None]:
    """The person the row names — registered, or to register with the list (not saved) — and,
    for one to register, the person registered under the same name and phone, proposed as a
    duplicate once the row is recorded; None once refused."""
    if row.id_number:
        person = known.by_hash.get(id_hash(row.id_number))
        if person is not None:
            if person.name != row.name and known.may_act_on(person):
                plan.proposals.append(_Proposal(row, person))
            return person, None
        try:  # checked as people_register checks it, to refuse this row alone
            number = parse_resident_id(row.id_number, today=known.today).number
        except InvalidIdentity as error:
            outcome.refuse(row.number, "id_number", mask_id_number(row.id_number), str(error))
            return None, None
        person = Person(name=row.name, phone=row.phone, unit=row.unit, id_hash=id_hash(number))
        namesakes = known.by_name.get((row.name, row.phone), []) if row.phone else []
        return person, _Proposal(row, namesakes[0], person) if namesakes else None
    if not row.phone:
        outcome.refuse(
            row.number,
            "id_number",
            "",
            _("Write the ID number, or the phone to find the person by name and phone."),
        )
        return None, None
    found = known.by_name.get((row.name, row.phone), [])[:10]
    if len(found) > 1:
        # Namesakes (a duplicate not merged yet): the one this row recorded before, if any.
        listed = [p for p in found if (_key(p), row.kind, row.last_exposed_at) in known.exposures]
        found = listed or found
    if len(found) == 1:
        return found[0], None
    outcome.refuse(
        row.number,
        "id_number",
        "",
        _("Several people have this name and phone: write the ID number.")
        if found
        else _("Nobody in your units has this name and phone: write the ID number to register."),
    )
    return None, None


def _through(known: _Known, row: _Row) -> Person | None:
    """The case for a close contact; for a secondary contact the close contact of this
    investigation the row names by ID number or name (an earlier row of the same list counts),
    None when the row names none. Refuses the row (ValidationError) for a name no close contact
    bears, or bears twice."""
    if row.kind == ExposureKind.CLOSE_CONTACT:
        return known.case_person
    if not row.through:
        return None
    number = normalize_id_number(row.through)
    if any(character.isdigit() for character in number):
        wanted = id_hash(number)
        named = [person for person in known.close if person.id_hash == wanted]
    else:
        named = [person for person in known.close if person.name == row.through]
    found = {_key(person): person for person in named}
    if len(found) == 1:
        return next(iter(found.values()))
    if found:
        reason = _("Several close contacts of this investigation bear this name: write the ID.")
    else:
        reason = _("No close contact of this investigation has this name or ID: record them first.")
    raise ValidationError({"through": reason})


def _record(known: _Known, row: _Row, outcome: LineListOutcome, plan: _Plan) -> None:
    """Decide what one row writes; a refused row writes nothing."""
    person, proposal = _person(known, row, outcome, plan)
    if person is None:
        return
    if not known.may_act_on(person):
        _assistance(known, person, row, outcome, plan)
        return
    if (_key(person), row.kind, row.last_exposed_at) in known.exposures:
        outcome.unchanged += 1
        return
    try:
        via = _through(known, row)
        exposure_check(
            person=person,
            kind=row.kind,
            last_exposed_at=row.last_exposed_at,
            via=via,
            now=known.now,
        )
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            value = {"id_number": mask_id_number(row.id_number), "through": row.through}.get(
                key, row.name
            )
            for message in messages:
                outcome.refuse(row.number, key, value, message)
        return
    if person.pk is None and all(person is not new for new, _row in plan.new):
        plan.new.append((person, row))
        outcome.registered += 1
    plan.exposures.append((row, person, via))
    if proposal is not None:
        plan.proposals.append(proposal)
    outcome.exposed += 1
    known.recorded(row, person)


def _assistance(
    known: _Known, person: Person, row: _Row, outcome: LineListOutcome, plan: _Plan
) -> None:
    """A contact registered outside the investigator's units: a deadline for the person's unit
    to check them, once per contact and exposure."""
    detail = {
        "investigation": known.investigation.pk,
        "exposure_kind": row.kind,
        "last_exposed_at": row.last_exposed_at.isoformat(),
    }
    sent = (person.pk, row.kind, row.last_exposed_at.isoformat())
    if sent in known.notices():
        outcome.unchanged += 1
        return
    known.notices().add(sent)
    plan.notices.append(
        Obligation(
            kind=ObligationKind.ASSISTANCE,
            person=person,
            unit_id=person.unit_id,
            due_at=known.now + ASSISTANCE_WITHIN,
            source=ObligationSource.EVENT,
            clause=ASSISTANCE_CLAUSE,
            detail=detail,
            created_at=known.now,
        )
    )
    outcome.notices[person.unit_id] += 1


def _branch(unit: Unit, home: Unit) -> list[str]:
    """The paths of ``unit`` and the units above it that do not also hold ``home``: the branch
    of the tree a notice from ``home`` goes to."""
    parts = unit.path.strip("/").split("/")
    shared = len(os.path.commonprefix([parts, home.path.strip("/").split("/")]))
    return ["/" + "/".join(parts[:depth]) + "/" for depth in range(shared + 1, len(parts) + 1)]


def _assistance_send(actor: User, investigation: Investigation, notices: Counter[int]) -> None:
    """The role holders of each notified unit's branch told of its contacts to check; one audit
    row per unit."""
    units = Unit.objects.in_bulk(list(notices))
    home = investigation.case.unit
    now = clock.now()
    messages = []
    for unit_id, count in sorted(notices.items()):
        holders = (
            Membership.objects.filter(unit__path__in=_branch(units[unit_id], home))
            .exclude(role=Role.VIEWER)
            .values_list("user_id", flat=True)
        )
        messages += [
            Notification(
                user_id=user_id,
                unit_id=unit_id,
                topic=NotificationTopic.ASSISTANCE,
                params={"count": count},
                link="/plans/obligations/?state=open",
                created_at=now,
            )
            for user_id in sorted(set(holders))
        ]
    notifications_post(messages)
    for unit_id, count in sorted(notices.items()):
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="investigation",
            object_id=investigation.pk,
            unit_id=investigation.case.unit_id,
            summary=_("Assistance notice to %(unit)s: %(count)d people")
            % {"unit": units[unit_id].name, "count": count},
        )


@transaction.atomic
def contacts_record(
    *, actor: User, investigation: Investigation, rows: Iterable[tuple[int, Mapping[str, object]]]
) -> LineListOutcome:
    """Record a line list: rows as (row number, {column key: cell}). More than LINE_LIST_MAX rows
    are refused as a whole."""
    if not may_act_on(actor, Capability.INVESTIGATE, investigation.case.person):
        raise PermissionDenied(_("You may not change this person."))
    listed = list(rows)
    if len(listed) > LINE_LIST_MAX:
        raise ValidationError(
            {"rows": _("At most %(max)d rows in one list: split it.") % {"max": LINE_LIST_MAX}}
        )
    reader = _Reader(actor, investigation)
    outcome = LineListOutcome()
    read = [reader.read(number, values, outcome) for number, values in listed]
    good = [row for row in read if row is not None]
    known = _Known(actor, investigation, good)
    plan = _Plan()
    for row in good:
        _record(known, row, outcome, plan)
    outcome.problems.sort(key=lambda problem: problem.row_number)  # read and record, row by row
    _write(actor, investigation, plan, outcome)
    return outcome


def _write(
    actor: User, investigation: Investigation, plan: _Plan, outcome: LineListOutcome
) -> None:
    """Write what the rows decided, in sets: the new people (registered together, audited),
    the exposures (one INSERT, audited, the contact rules started once for all the people
    exposed), the assistance notices and their messages, and the duplicates proposed."""
    registered = people_register(
        actor=actor,
        data=[
            PersonInput(
                name=row.name,
                id_type=IdType.RESIDENT,
                id_number=row.id_number,
                unit=row.unit,
                phone=row.phone,
            )
            for _person, row in plan.new
        ],
        capability=Capability.INVESTIGATE,
    )
    for (person, _row), saved in zip(plan.new, registered, strict=True):
        person.pk = saved.pk
    now = clock.now()
    exposures_insert(
        actor=actor,
        exposures=[
            Exposure(
                person=person,
                kind=row.kind,
                last_exposed_at=row.last_exposed_at,
                identified_at=now,
                via=via,
                note=row.how,
                investigation=investigation,
                created_by=actor,
            )
            for row, person, via in plan.exposures
        ],
    )
    outcome.duplicates = [proposal.proposal() for proposal in plan.proposals]
    if plan.notices:
        Obligation.objects.bulk_create(plan.notices)
        _assistance_send(actor, investigation, outcome.notices)


def assistance_notices(investigation: Investigation) -> QuerySet[Obligation]:
    """The assistance notices (协查通告) the investigation sent, one per contact and exposure,
    oldest first, each with the contact's unit."""
    return (
        Obligation.objects.filter(
            kind=ObligationKind.ASSISTANCE, detail__investigation=investigation.pk
        )
        .select_related("person__unit")
        .order_by("created_at", "id")
    )


ASSISTANCE_HEADER = (
    gettext_lazy("Name"),
    gettext_lazy("ID number"),
    gettext_lazy("Phone"),
    gettext_lazy("Unit holding the contact"),
    gettext_lazy("Contact kind"),
    gettext_lazy("Last exposure time"),
    gettext_lazy("Case"),
    gettext_lazy("Investigating unit"),
    gettext_lazy("Notice sent at"),
    gettext_lazy("Check due by"),
    gettext_lazy("Status"),
)


def assistance_export(
    *, actor: User, investigation: Investigation, kind: Format
) -> StreamingHttpResponse:
    """The assistance notices of the investigation as the file the county sends to units
    outside Fangkong (协查通告, H-02): who to check, how and when exposed, by when. ID numbers
    masked; audited. Only an investigator of the case may send it."""
    case = investigation.case
    if not may_act_on(actor, Capability.INVESTIGATE, case.person):
        raise PermissionDenied(_("You may not change this person."))
    kinds = dict(ExposureKind.choices)
    statuses = dict(ObligationStatus.choices)

    def shape(values: tuple[Any, ...]) -> list[object]:
        name, masked, phone, unit, exposure_kind, exposed_at, sent, due, status = values
        return [
            name,
            masked,
            phone,
            unit,
            str(kinds.get(exposure_kind, exposure_kind)),
            dt.datetime.fromisoformat(exposed_at),
            case.person.name,
            case.unit.name,
            sent,
            due,
            str(statuses[status]),
        ]

    return list_export(
        actor=actor,
        kind=kind,
        title=_("Assistance notice"),
        object_type="investigation",
        unit_id=case.unit_id,
        header=[str(label) for label in ASSISTANCE_HEADER],
        rows=assistance_notices(investigation),
        columns=(
            "person__name",
            "person__id_masked",
            "person__phone",
            "person__unit__name",
            "detail__exposure_kind",
            "detail__last_exposed_at",
            "created_at",
            "due_at",
            "status",
        ),
        shape=shape,
        filters=_("case %(case)s") % {"case": case.pk},
    )


def contacts_import(*, actor: User, investigation: Investigation, path: Path) -> LineListOutcome:
    """A line list file (.xlsx or .csv, UTF-8 or GBK) with the columns of the page's table;
    ImportFileError for a file that cannot be read or holds more than LINE_LIST_MAX rows."""
    rows: list[tuple[int, dict[str, object]]] = []
    for number, cells in read_rows(path, LINE_LIST_COLUMNS):
        if len(rows) == LINE_LIST_MAX:
            raise ImportFileError(
                _("At most %(max)d rows in one list: split it.") % {"max": LINE_LIST_MAX}
            )
        rows.append((number, cells))
    return contacts_record(actor=actor, investigation=investigation, rows=rows)

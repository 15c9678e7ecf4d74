"""Writes of vaccination: a dose entered on the page or through the API, and the doses of the
vaccination system's export imported. Each is one transaction with its audit row; a dose already
on record as given changes nothing, so importing a file twice is harmless."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.spreadsheets import Column, ImportReport, TableColumns, rows_import
from fangkong.org.access import AnyUser, acting_user
from fangkong.org.roles import Capability
from fangkong.people.identity import id_hash, mask_id_number
from fangkong.people.selectors import people_visible_to
from fangkong.vaccination.models import DOSE_NUMBER_MAX, Dose

# The vaccination system's export: one row per dose.
DOSE_COLUMNS = TableColumns(
    Column("name", gettext_lazy("Name"), ("姓名", "受种者姓名"), required=True, max_length=50),
    Column("id_number", gettext_lazy("ID number"), ("身份证号", "证件号码"), required=True),
    Column("number", gettext_lazy("Dose"), ("剂次", "针次"), required=True),
    Column("given_on", gettext_lazy("Vaccinated on"), ("接种日期",), required=True),
    Column("vaccine", gettext_lazy("Vaccine"), ("疫苗名称", "疫苗"), required=True),
    Column("site", gettext_lazy("Vaccination site"), ("接种单位", "接种点")),
    hint=gettext_lazy("The columns are those of the dose form on this page."),
)


@dataclass(frozen=True)
class DoseInput:
    name: str
    id_number: str
    number: int
    given_on: dt.date
    vaccine: str
    site: str = ""


def _insert(actor: AnyUser, data: DoseInput) -> tuple[Dose, bool]:
    """The dose, added unless on record already; ValidationError naming the field otherwise."""
    problems: dict[str, str] = {}
    if not 1 <= data.number <= DOSE_NUMBER_MAX:
        problems["number"] = _("A dose is numbered 1 to %(n)d.") % {"n": DOSE_NUMBER_MAX}
    if data.given_on > clock.localdate():
        problems["given_on"] = _("A dose cannot be given in the future.")
    if not data.vaccine.strip():
        problems["vaccine"] = _("Give the vaccine.")
    person = (
        people_visible_to(actor, Capability.EDIT_PEOPLE)
        .filter(id_hash=id_hash(data.id_number))
        .first()
    )
    if person is None:
        problems["id_number"] = _("Nobody in your register has this ID number.")
    elif person.name != data.name.strip():
        problems["name"] = _("The register has this ID number under another name.")
    if problems or person is None:
        raise ValidationError(problems)
    on_record = Dose.objects.filter(person=person, number=data.number).first()
    if on_record is not None:
        if on_record.given_on != data.given_on:
            raise ValidationError(
                {
                    "number": _("Dose %(n)d is on record as given on %(day)s.")
                    % {"n": data.number, "day": on_record.given_on.isoformat()}
                }
            )
        return on_record, False
    earlier = Dose.objects.filter(person=person, number__lt=data.number, given_on__gt=data.given_on)
    if earlier.exists():
        raise ValidationError({"given_on": _("An earlier dose is on record after this day.")})
    dose = Dose.objects.create(
        person=person,
        number=data.number,
        given_on=data.given_on,
        vaccine=data.vaccine.strip(),
        site=data.site.strip(),
        created_by=acting_user(actor),
    )
    return dose, True


@transaction.atomic
def dose_record(*, actor: AnyUser, data: DoseInput) -> tuple[Dose, bool]:
    """A dose of a person of the register (found by ID number and name); (dose, added)."""
    dose, created = _insert(actor, data)
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="dose",
            object_id=dose.pk,
            unit_id=dose.person.unit_id,
            summary=f"{dose.person.name} {dose.number} {dose.given_on} {dose.vaccine}",
        )
    return dose, created


def _cell(cells: dict[str, object], key: str) -> str:
    value = cells.get(key)
    return "" if value is None else str(value).strip()


def _row_input(cells: dict[str, object]) -> tuple[DoseInput | None, dict[str, str]]:
    problems: dict[str, str] = {}
    number = 0
    try:
        number = int(_cell(cells, "number").removeprefix("第").removesuffix("剂"))
    except ValueError:
        problems["number"] = _("Not a dose number: %(value)s") % {"value": _cell(cells, "number")}
    value = cells.get("given_on")
    given_on = None
    if isinstance(value, dt.datetime):
        given_on = value.date()
    elif isinstance(value, dt.date):
        given_on = value
    else:
        try:
            given_on = dt.date.fromisoformat(_cell(cells, "given_on").replace("/", "-"))
        except ValueError:
            problems["given_on"] = _("Not a day (write 2021-08-01): %(value)s") % {
                "value": _cell(cells, "given_on")
            }
    if problems or given_on is None:
        return None, problems
    return DoseInput(
        name=_cell(cells, "name"),
        id_number=_cell(cells, "id_number"),
        number=number,
        given_on=given_on,
        vaccine=_cell(cells, "vaccine"),
        site=_cell(cells, "site"),
    ), problems


@transaction.atomic
def doses_import(*, actor: AnyUser, path: Path) -> ImportReport:
    """Import the vaccination system's export (.xlsx or .csv): every good row kept, each refused
    row reported with its column and reason; a dose on record already changes nothing."""
    report = rows_import(
        path,
        DOSE_COLUMNS,
        _row_input,
        lambda data: _insert(actor, data)[1],
        other_column="id_number",
        masked={"id_number": mask_id_number},
    )
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type="dose",
        summary=report.summary(path.name),
    )
    return report

"""Writes of the pharmacy purchase register: a sale recorded at the counter or imported from the
pharmacy's own system, and the report to the health centre or the regulator marked made.

A sale opens what the plan in force for the pharmacy attaches to ``fever_drug_sale`` (P01: a
report to the township health centre within 2 h, G-02 / K-02; P06: to the drug regulator the same
day, K-03), owed by the pharmacy, and the buyer's follow-up test owed by the buyer's unit, met by
a sample like any test (docs/adr/0016-pharmacy-sentinel.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.spreadsheets import Column, ImportReport, TableColumns, rows_import
from fangkong.obligations.models import Obligation, ObligationSource
from fangkong.obligations.services import obligations_meet, obligations_open
from fangkong.obligations.specs import Owner, WithinTest
from fangkong.org.access import Scope, user_can
from fangkong.org.models import Unit, UnitKind
from fangkong.org.roles import Capability
from fangkong.people.identity import IdType, mask_id_number
from fangkong.people.services import PersonInput, person_find_or_register
from fangkong.pharmacy.models import DrugCategory, DrugSale
from fangkong.pharmacy.selectors import FOLLOW_UP_RULE
from fangkong.policy.services import deadlines_open

# The buyer of a fever or anti-infective drug is tested within a day of the sale: the plans say
# only that the pharmacy reports the buyer (K-02, K-03) as a sentinel (K-05); a day is the
# window the plans give the first test of a returnee or a fever (ADR 0016).
FOLLOW_UP_HOURS = 24
FOLLOW_UP_CLAUSE = "K-05: 药店“哨点”发现购药人员后，由所在村（社区）追踪检测"
TEMPERATURE_RANGE = (Decimal("34.0"), Decimal("43.0"))


@dataclass(frozen=True)
class SaleInput:
    pharmacy: Unit
    name: str
    id_number: str
    village: Unit  # the buyer's village or community, where the register adds a new buyer
    category: str
    sold_at: dt.datetime
    phone: str = ""
    address: str = ""
    temperature: Decimal | None = None


def villages_near(pharmacies: Sequence[Unit]) -> QuerySet[Unit]:
    """The villages and communities the pharmacies' buyers come from: those of their townships
    (every village for a pharmacy outside a township)."""
    villages = Unit.objects.filter(kind=UnitKind.VILLAGE).order_by("path")
    townships = [pharmacy.path.rsplit("/", 2)[0] + "/" for pharmacy in pharmacies]
    if not pharmacies or any(path.count("/") < 3 for path in townships):
        return villages
    return villages.filter(Scope(tuple(townships)).units("path"))


def _require(actor: User, pharmacy: Unit) -> None:
    if pharmacy.kind != UnitKind.PHARMACY or not user_can(actor, Capability.RECORD_SALES, pharmacy):
        raise PermissionDenied(_("You may not keep the sales register of this unit."))


def _check(data: SaleInput) -> None:
    errors: dict[str, str] = {}
    if data.category not in DrugCategory.values:
        errors["category"] = _("Choose the kind of drug sold.")
    if data.sold_at > clock.now():
        errors["sold_at"] = _("The sale cannot be in the future.")
    low, high = TEMPERATURE_RANGE
    if data.temperature is not None and not low <= data.temperature <= high:
        errors["temperature"] = _("A temperature is between %(low)s and %(high)s °C.") % {
            "low": low,
            "high": high,
        }
    if errors:
        raise ValidationError(errors)


def _insert(actor: User, data: SaleInput) -> tuple[DrugSale, bool]:
    """The sale and what it opens; (the sale already recorded, False) when it is there."""
    _check(data)
    person = person_find_or_register(
        actor=actor,
        data=PersonInput(
            name=data.name,
            id_type=IdType.RESIDENT,
            id_number=data.id_number,
            unit=data.village,
            phone=data.phone,
            address=data.address,
        ),
    )
    sale, created = DrugSale.objects.get_or_create(
        pharmacy=data.pharmacy,
        person=person,
        category=data.category,
        sold_at=data.sold_at,
        defaults={"temperature": data.temperature, "created_at": clock.now(), "created_by": actor},
    )
    if not created:
        return sale, False
    opened = deadlines_open(
        trigger="fever_drug_sale",
        unit=data.pharmacy,
        at=data.sold_at,
        person=person,
        actor=actor,
        drug_sale=sale.pk,
    )
    obligations_open(
        [
            WithinTest(
                Owner(
                    person.unit_id,
                    ObligationSource.EVENT,
                    person.pk,
                    pack_id=opened[0].owner.pack_id if opened else "",
                    rule_id=FOLLOW_UP_RULE,
                    clause=FOLLOW_UP_CLAUSE,
                ),
                data.sold_at + dt.timedelta(hours=FOLLOW_UP_HOURS),
                drug_sale=sale.pk,
            )
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="drug_sale",
        object_id=sale.pk,
        unit_id=data.pharmacy.pk,
        summary=f"{sale.get_category_display()} {data.sold_at:%Y-%m-%d %H:%M}",
    )
    return sale, True


@transaction.atomic
def sale_record(*, actor: User, data: SaleInput) -> DrugSale:
    """Record a sale at the counter (K-01, K-03): the buyer is found in the register by ID number,
    or added to their village; the pack's report and the follow-up test are opened. Raises
    ValidationError naming each bad field, and on ``sold_at`` for a sale already recorded."""
    _require(actor, data.pharmacy)
    sale, created = _insert(actor, data)
    if not created:
        raise ValidationError({"sold_at": _("This sale is already in the register.")})
    return sale


@transaction.atomic
def sale_mark_reported(*, actor: User, sale: DrugSale) -> DrugSale:
    """The pharmacy told the township health centre or the regulator of this sale (K-02, K-03):
    the report owed is met, late if past due."""
    _require(actor, sale.pharmacy)
    if sale.reported_at is not None:
        raise ValidationError({"reported_at": _("This sale is already reported.")})
    sale.reported_at = clock.now()
    sale.save(update_fields=["reported_at"])
    obligations_meet(
        Obligation.objects.of_drug_sale(sale.pk).filter(unit=sale.pharmacy),
        actor=actor,
        unit_id=sale.pharmacy_id,
        summary=_("sale reported: %(drug)s") % {"drug": sale.get_category_display()},
        object_id=sale.pk,
    )
    return sale


# How pharmacies' systems name the kinds of drug (and the codes themselves).
CATEGORY_WORDS = {
    "退烧药": DrugCategory.FEVER,
    "退热药": DrugCategory.FEVER,
    "止咳药": DrugCategory.COUGH,
    "抗病毒药": DrugCategory.ANTIVIRAL,
    "抗生素": DrugCategory.ANTIBIOTIC,
    "抗菌药": DrugCategory.ANTIBIOTIC,
    "抗感染药": DrugCategory.ANTIBIOTIC,
} | {category.value: category for category in DrugCategory}

SALE_COLUMNS = TableColumns(
    Column("name", gettext_lazy("Name"), ("姓名", "name"), required=True, max_length=50),
    Column("id_number", gettext_lazy("ID number"), ("身份证号", "身份证"), required=True),
    Column("phone", gettext_lazy("Phone"), ("电话", "手机", "手机号")),
    Column("village", gettext_lazy("Village"), ("村", "社区", "村(社区)"), required=True),
    Column("address", gettext_lazy("Address"), ("地址", "住址")),
    Column("category", gettext_lazy("Drug"), ("药品类别", "类别"), required=True),
    Column("sold_at", gettext_lazy("Sold at"), ("售药时间", "时间"), required=True),
    Column("temperature", gettext_lazy("Temperature"), ("体温",)),
    hint=gettext_lazy("The columns are those of the sales register on this page."),
)


def _cell(cells: dict[str, object], key: str) -> str:
    return str(cells.get(key) if cells.get(key) is not None else "").strip()


def _sold_at(value: object) -> dt.datetime:
    moment = (
        value
        if isinstance(value, dt.datetime)
        else dt.datetime.fromisoformat(str(value).strip().replace("/", "-"))
    )
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.tz())


def _row_input(
    pharmacy: Unit, villages: dict[str, Unit], cells: dict[str, object]
) -> tuple[SaleInput | None, dict[str, str]]:
    """One row of a pharmacy's export as a sale, and its problems by column."""
    problems: dict[str, str] = {}
    village = villages.get(_cell(cells, "village"))
    if village is None:
        problems["village"] = _("No village or community of this township is called %(name)s.") % {
            "name": _cell(cells, "village")
        }
    category = CATEGORY_WORDS.get(_cell(cells, "category"), _cell(cells, "category"))
    sold_at = None
    try:
        sold_at = _sold_at(cells.get("sold_at"))
    except ValueError:
        problems["sold_at"] = _("Not a time (write 2022-02-01 09:30): %(value)s") % {
            "value": _cell(cells, "sold_at")
        }
    temperature = None
    if _cell(cells, "temperature"):
        try:
            temperature = Decimal(_cell(cells, "temperature")).quantize(Decimal("0.1"))
        except InvalidOperation:
            problems["temperature"] = _("Not a temperature: %(value)s") % {
                "value": _cell(cells, "temperature")
            }
    if problems or village is None or sold_at is None:
        return None, problems
    return SaleInput(
        pharmacy=pharmacy,
        name=_cell(cells, "name"),
        id_number=_cell(cells, "id_number"),
        village=village,
        category=category,
        sold_at=sold_at,
        phone=_cell(cells, "phone"),
        address=_cell(cells, "address"),
        temperature=temperature,
    ), problems


@transaction.atomic
def sales_import(*, actor: User, pharmacy: Unit, path: Path) -> ImportReport:
    """Import the sales a pharmacy's own system exported (.xlsx or .csv). Every row is checked;
    good rows are kept, each refused row reported with its column and reason; a sale already in
    the register changes nothing, so importing a file twice is harmless."""
    _require(actor, pharmacy)
    villages: dict[str, Unit] = {}
    for village in villages_near([pharmacy]):
        villages[village.name] = villages[village.code] = village
    report = rows_import(
        path,
        SALE_COLUMNS,
        lambda cells: _row_input(pharmacy, villages, cells),
        lambda data: _insert(actor, data)[1],
        other_column="id_number",
        masked={"id_number": mask_id_number},
    )
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        object_type="drug_sale",
        unit_id=pharmacy.pk,
        summary=report.summary(path.name),
    )
    return report

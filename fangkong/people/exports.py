"""Export of any register list the user can see, as .xlsx or .csv (台账 is how offices exchange
data), streamed by ``core.exports``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core.lookups import Ids
from fangkong.org.access import AnyUser, Scope, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.identity import id_decrypt
from fangkong.people.models import Category, Person, PersonCategory
from fangkong.people.selectors import PersonFilter, person_list

EXPORT_BATCH = 5000


def _export_scope(user: AnyUser, filters: PersonFilter) -> Scope:
    """The subtrees an export reads: the user's, narrowed to the filter unit."""
    exporters = scope(user, Capability.EXPORT)
    if filters.unit_id is None:
        return exporters
    unit = Unit.objects.filter(pk=filters.unit_id).values_list("path", flat=True).first()
    return exporters.within(unit) if unit else exporters


@dataclass
class PersonExport:
    """An export, audited and ready to stream: its header and its rows, read as they are sent."""

    header: list[str]
    rows: Iterator[list[object]]
    count: int


@transaction.atomic
def person_export(*, user: AnyUser, filters: PersonFilter, full_ids: bool = False) -> PersonExport:
    """The filtered register, audited (how many people, how many full ID numbers) before the
    first row leaves. A full ID number only for a person whose home unit lies where the user
    may see full numbers; the others stay masked."""
    revealers = scope(user, Capability.REVEAL_ID) if full_ids else Scope(())
    people = person_list(user, filters, Capability.EXPORT)
    count = people.count()
    revealed = people.filter(revealers.units("unit__path")).count() if revealers else 0
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="person_list",
        unit_id=_export_scope(user, filters).covering_unit_id(),
        summary=_("%(count)d people exported%(full)s; filters: %(filters)s")
        % {
            "count": count,
            "full": _(" (%(revealed)d with full ID numbers)") % {"revealed": revealed}
            if revealed
            else "",
            "filters": filters.for_audit(),
        },
        changes={"count": count, "full_ids": bool(revealers), "revealed": revealed},
    )
    return PersonExport(_header(), _rows(people, revealers), count)


def _header() -> list[str]:
    return [
        _("Person no."),
        _("Name"),
        _("ID type"),
        _("ID number"),
        _("Sex"),
        _("Birth date"),
        _("Phone"),
        _("Home unit"),
        _("Unit code"),
        _("Household code"),
        _("Address region code"),
        _("Address"),
        _("Categories"),
        _("Nationality"),
    ]


_COLUMNS = (
    "pk", "name", "id_type", "id_cipher", "id_masked", "sex", "birth_date", "phone",
    "unit__path", "unit__name", "unit__code", "household__code", "address_region_id", "address",
    "nationality",
)  # fmt: skip


def _rows(people: QuerySet[Person], revealers: Scope) -> Iterator[list[object]]:
    """Rows newest first, read through one cursor in batches of ``EXPORT_BATCH``; each batch's
    categories in one query (by an id array: a parameter per id would cost more to send)."""
    id_types = {code: str(label) for code, label in Person.IdTypes.choices}
    sexes = {code: str(label) for code, label in Person.Sex.choices}
    category_names = dict(Category.objects.values_list("code", "name_zh"))
    reading = people.values_list(*_COLUMNS).iterator(chunk_size=EXPORT_BATCH)
    while rows := list(islice(reading, EXPORT_BATCH)):
        categories: dict[int, list[str]] = defaultdict(list)
        for person_id, code in (
            PersonCategory.objects.filter(person_id__any=Ids(row[0] for row in rows))
            .order_by("category_id")
            .values_list("person_id", "category_id")
        ):
            categories[person_id].append(category_names[code])
        for (pk, name, id_type, cipher, masked, sex, birth, phone, path, unit_name, unit_code,
             household, region, address, nationality) in rows:  # fmt: skip
            yield [
                pk,
                name,
                id_types.get(id_type, id_type),
                id_decrypt(cipher) if revealers.covers(path) else masked,
                sexes.get(sex, ""),
                birth,
                phone,
                unit_name,
                unit_code,
                household or "",
                region or "",
                address,
                "、".join(categories[pk]),
                nationality,
            ]

"""Export of any register list the user can see, as .xlsx (台账 is how offices exchange data)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core.spreadsheets import sheet_append
from fangkong.org.access import AnyUser, Scope, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.identity import id_decrypt
from fangkong.people.models import Person
from fangkong.people.selectors import PersonFilter, person_list

EXPORT_BATCH = 5000


def _export_scope(user: AnyUser, filters: PersonFilter) -> Scope:
    """The subtrees an export reads: the user's, narrowed to the filter unit."""
    exporters = scope(user, Capability.EXPORT)
    if filters.unit_id is None:
        return exporters
    unit = Unit.objects.filter(pk=filters.unit_id).values_list("path", flat=True).first()
    return exporters.within(unit) if unit else exporters


def person_export_xlsx(*, user: AnyUser, filters: PersonFilter, full_ids: bool = False) -> bytes:
    """The filtered register as a workbook. A full ID number only for a person whose home unit
    lies where the user may see full numbers; the others stay masked."""
    revealers = scope(user, Capability.REVEAL_ID) if full_ids else Scope(())
    people = (
        person_list(user, filters, Capability.EXPORT)
        .select_related("unit", "household", "address_region")
        .prefetch_related("categories")
    )
    workbook = Workbook(write_only=True)
    sheet: Any = workbook.create_sheet(_("People"))
    sheet_append(
        sheet,
        [
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
        ],
    )
    count = revealed = 0
    last_id: int | None = None
    while True:
        batch = people if last_id is None else people.filter(pk__lt=last_id)
        rows: list[Person] = list(batch[:EXPORT_BATCH])
        if not rows:
            break
        for person in rows:
            reveal = revealers.covers(person.unit)
            revealed += reveal
            sheet_append(
                sheet,
                [
                    person.pk,
                    person.name,
                    person.get_id_type_display(),
                    id_decrypt(person.id_cipher) if reveal else person.id_masked,
                    person.get_sex_display(),
                    person.birth_date,
                    person.phone,
                    person.unit.name,
                    person.unit.code,
                    person.household.code if person.household else "",
                    person.address_region_id or "",
                    person.address,
                    "、".join(c.name_zh for c in person.categories.all()),
                    person.nationality,
                ],
            )
        count += len(rows)
        last_id = rows[-1].pk
    buffer = io.BytesIO()
    workbook.save(buffer)
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
    return buffer.getvalue()

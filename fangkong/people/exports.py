"""Export of any register list the user can see, as .xlsx (台账 is how offices exchange data)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from fangkong.audit.services import audit_record
from fangkong.core.spreadsheets import sheet_append
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.org.selectors import AnyUser, unit_id_covering, user_scope_paths
from fangkong.people.identity import id_decrypt
from fangkong.people.models import Person
from fangkong.people.selectors import PersonFilter, person_list

EXPORT_BATCH = 5000


def _paths_covered(user: AnyUser, filters: PersonFilter) -> list[str] | None:
    """The subtrees an export reads: the user's, narrowed to the filter unit (None: all)."""
    scope = user_scope_paths(user, Capability.EXPORT)
    if not filters.unit_id:
        return scope
    unit = Unit.objects.filter(pk=filters.unit_id).values_list("path", flat=True).first()
    if unit is None or scope is None:
        return [unit] if unit else scope
    return [path for path in scope if path.startswith(unit)] + (
        [unit] if unit.startswith(tuple(scope)) else []
    )


def person_export_xlsx(*, user: AnyUser, filters: PersonFilter, full_ids: bool = False) -> bytes:
    """The filtered register as a workbook. A full ID number only for a person whose home unit
    lies where the user may see full numbers; the others stay masked."""
    reveal_paths = user_scope_paths(user, Capability.REVEAL_ID) if full_ids else []
    reveal_everywhere = reveal_paths is None
    reveal_within = tuple(reveal_paths or ())
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
            reveal = reveal_everywhere or person.unit.path.startswith(reveal_within)
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
        action="export",
        object_type="person_list",
        unit_id=unit_id_covering(_paths_covered(user, filters)),
        summary=_("%(count)d people exported%(full)s; filters: %(filters)s")
        % {
            "count": count,
            "full": _(" (%(revealed)d with full ID numbers)") % {"revealed": revealed}
            if revealed
            else "",
            "filters": filters.for_audit(),
        },
        changes={"count": count, "full_ids": reveal_paths != [], "revealed": revealed},
    )
    return buffer.getvalue()

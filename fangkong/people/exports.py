"""Export of any register list the user can see, as .xlsx or .csv (台账 is how offices exchange
data), streamed by ``core.exports``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core.lookups import Ids
from fangkong.core.spreadsheets import FORMULA_TRIGGERS
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
    # The same rows as CSV written by PostgreSQL (no header), when it can write them
    csv_body: Iterator[bytes] | None = None


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
    # Full numbers are decrypted here, never by the database: those exports take the rows.
    csv_body = _csv_by_copy(people) if not revealed else None
    return PersonExport(_header(), _rows(people, revealers), count, csv_body)


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


def _csv_by_copy(people: QuerySet[Person]) -> Iterator[bytes] | None:
    """On PostgreSQL, the rows of ``_rows`` (ID numbers masked) as COPY writes them, at the speed
    of COPY: the same columns, labels and order, text kept as text as ``core.exports`` keeps it,
    empty cells empty. The people are the ones the queryset (the access module's filter) holds."""
    if connection.vendor != "postgresql":
        return None
    try:
        chosen, params = people.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that can hold nobody (an unknown unit): no rows to copy
        return iter(())
    labels: list[object] = []

    def label(column: str, choices: Sequence[tuple[str, object]]) -> str:
        cases = " ".join(["WHEN %s THEN %s"] * len(choices))
        labels.extend(value for pair in choices for value in (pair[0], str(pair[1])))
        return f"CASE {column} {cases} ELSE {column} END"

    def text(column: str) -> str:
        guarded = (
            f"CASE WHEN left({column}, 1) IN {_TRIGGERS} THEN '''' || {column} ELSE {column} END"
        )
        return f"NULLIF({guarded}, '')"

    columns = [
        "p.id",
        text("p.name"),
        label("p.id_type", Person.IdTypes.choices),  # our labels: never a formula
        text("p.id_masked"),
        label("p.sex", Person.Sex.choices),
        "p.birth_date",
        text("p.phone"),
        text("u.name"),
        text("u.code"),
        text("h.code"),
        text("p.address_region_id"),
        text("p.address"),
        text("k.names"),
        text("p.nationality"),
    ]
    statement = (
        f"COPY (SELECT {', '.join(columns)} FROM people_person p"  # noqa: S608 - our columns
        " JOIN org_unit u ON u.id = p.unit_id LEFT JOIN people_household h ON h.id = p.household_id"
        # Every person's categories in one pass (a lookup per person would cost more).
        " LEFT JOIN (SELECT pc.person_id, string_agg(c.name_zh, '、' ORDER BY pc.category_id)"
        " AS names FROM people_personcategory pc JOIN people_category c"
        " ON c.code = pc.category_id GROUP BY pc.person_id) k ON k.person_id = p.id"
        f" WHERE p.id IN ({chosen}) ORDER BY p.id DESC) TO STDOUT WITH (FORMAT csv)"
    )
    arguments = [*labels, *params]

    def blocks() -> Iterator[bytes]:
        with connection.cursor() as cursor, cursor.copy(statement, arguments) as copy:
            for block in copy:
                yield bytes(block)

    return blocks()


# FORMULA_TRIGGERS as an SQL list: the characters that would start a formula.
_TRIGGERS = (
    "("
    + ", ".join("E'" + c.encode("unicode_escape").decode() + "'" for c in FORMULA_TRIGGERS)
    + ")"
)

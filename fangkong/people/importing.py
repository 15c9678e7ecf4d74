"""Import of person registers (台账) from .xlsx or .csv files.

Every row is validated on its own; a bad row is reported (row, column, value, reason) and every
good row is kept. Rows whose ID number is already registered under the same name, to a person the
importer may open, change nothing, so importing the same file twice adds nobody the second time.
Rows are written in chunks as sets: COPY on PostgreSQL, multi-row INSERT elsewhere; never one
save() per person.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.lookups import Ids
from fangkong.core.spreadsheets import (
    Column,
    ImportFileError,
    TableColumns,
    read_rows,
    sheet_append,
    table_size_check,
    table_suffix,
)
from fangkong.core.text import NUL
from fangkong.org.access import AnyUser, units_in, user_can
from fangkong.org.models import Region, RegionAlias, Unit
from fangkong.org.roles import Capability
from fangkong.people.identity import IdType, InvalidIdentity, mask_id_number, normalize_phone
from fangkong.people.models import (
    Category,
    Household,
    ImportJob,
    ImportRowError,
    Person,
    PersonCategory,
)
from fangkong.people.selectors import people_visible_to
from fangkong.people.services import ProtectedId, identity_protect, registered_outside_message
from fangkong.people.validation import category_age_errors

CHUNK_ROWS = 10_000
_T = TypeVar("_T")


# Each column's label matches in both languages; the aliases are other headers offices write.
REGISTER_COLUMNS = TableColumns(
    Column("name", gettext_lazy("Name"), ("名字",), required=True, max_length=50),
    Column("id_type", gettext_lazy("ID type")),
    Column(
        "id_number",
        gettext_lazy("ID number"),
        ("身份证号", "身份证号码", "公民身份号码"),
        required=True,
    ),
    Column("phone", gettext_lazy("Phone"), ("联系电话", "电话", "手机号")),
    Column("unit_code", gettext_lazy("Unit code"), ("单位编码",)),
    Column("household", gettext_lazy("Household code"), max_length=40),
    Column("address_region", gettext_lazy("Address region code"), ("区划代码",)),
    Column("address", gettext_lazy("Address"), ("现住址", "住址"), max_length=200),
    Column("categories", gettext_lazy("Categories"), ("类别",)),
    Column("nationality", gettext_lazy("Nationality")),
    hint=gettext_lazy("Download the template to see the columns."),
)
ID_TYPE_WORDS = {
    "": IdType.RESIDENT,
    "居民身份证": IdType.RESIDENT,
    "身份证": IdType.RESIDENT,
    "护照": IdType.PASSPORT,
    "港澳居民来往内地通行证": IdType.HK_MACAO,
    "港澳通行证": IdType.HK_MACAO,
    "回乡证": IdType.HK_MACAO,
    "台湾居民来往大陆通行证": IdType.TAIWAN,
    "台胞证": IdType.TAIWAN,
    "外国人永久居留身份证": IdType.FOREIGN_PERMANENT,
    "其他": IdType.OTHER,
} | {value: value for value in Person.IdTypes.values}

_CATEGORY_SPLIT = re.compile(r"[、,，;；/\s]+")


def _cell(value: object, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and key in {"id_number"}:
        # Excel keeps 15 significant digits: an 18-digit number typed into a number cell has
        # already lost its last digits, and nothing can bring them back.
        raise InvalidIdentity(
            _(
                "The cell is a number, so Excel has cut the ID number; "
                "format the column as text and type it again."
            )
        )
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class RowProblem:
    row_number: int
    column: str
    value: str
    message: str


@dataclass
class PreparedRow:
    row_number: int
    name: str
    identity: ProtectedId
    phone: str
    nationality: str
    unit_id: int
    household: str
    address_region: str | None
    address: str
    categories: list[str]


class RowValidator:
    """Checks one row against the reference data loaded once per import."""

    def __init__(self, user: AnyUser, default_unit: Unit) -> None:
        self.default_unit = default_unit
        self.units = dict(units_in(user, Capability.IMPORT_PEOPLE).values_list("code", "id"))
        self.regions = {code: code for code in Region.objects.values_list("code", flat=True)}
        self.regions.update(RegionAlias.objects.values_list("old_code", "region_id"))
        self.categories: dict[str, str] = {}
        self.category_names: dict[str, str] = {}
        for code, name_zh, name_en in Category.objects.values_list("code", "name_zh", "name_en"):
            self.categories.update({code: code, name_zh: code, name_en.lower(): code})
            self.category_names[code] = name_zh
        self.today = clock.localdate()

    def label(self, key: str) -> str:
        return REGISTER_COLUMNS.label(key)

    def prepare(self, row_number: int, values: dict[str, object]) -> PreparedRow | list[RowProblem]:
        """The row ready to write, or every problem found in it."""
        problems = _RowProblems(row_number)
        cells = self._cells(values, problems)
        self._check_columns(cells, problems)
        identity = self._identity(cells, problems)
        phone = self._phone(cells, problems)
        unit_id = self._unit(cells, problems)
        region = self._region(cells, problems)
        categories = self._categories(cells, problems)
        nationality = self._nationality(cells, problems)
        if identity is not None:
            named = [(code, self.category_names[code]) for code in categories]
            for misfit in category_age_errors(named, identity.birth_date, self.today):
                problems.add("categories", cells.get("categories", ""), misfit)
        if problems.found or identity is None:
            return problems.found
        return PreparedRow(
            row_number,
            cells["name"],
            identity,
            phone,
            nationality,
            unit_id,
            cells.get("household", ""),
            region,
            cells.get("address", ""),
            categories,
        )

    @staticmethod
    def _cells(values: dict[str, object], problems: _RowProblems) -> dict[str, str]:
        """Each cell as text; a cell that cannot be read is reported and left empty."""
        cells: dict[str, str] = {}
        for key, raw in values.items():
            try:
                cells[key] = _cell(raw, key)
            except InvalidIdentity as error:
                problems.add(key, str(raw), str(error))
                cells[key] = ""
            if NUL in cells[key]:
                problems.add(key, cells[key].replace(NUL, "\\0"), _("Contains a NUL character."))
                cells[key] = ""
        return cells

    @staticmethod
    def _check_columns(cells: dict[str, str], problems: _RowProblems) -> None:
        """Required columns filled (unless already refused), none longer than it holds."""
        for column in REGISTER_COLUMNS.columns:
            value = cells.get(column.key, "")
            if column.required and not value and not problems.about(column.key):
                problems.add(column.key, value, _("This column must not be empty."))
            if column.max_length and len(value) > column.max_length:
                problems.add(
                    column.key, value, _("Longer than %(n)d characters.") % {"n": column.max_length}
                )

    def _identity(self, cells: dict[str, str], problems: _RowProblems) -> ProtectedId | None:
        id_type = ID_TYPE_WORDS.get(cells.get("id_type", ""))
        if id_type is None:
            problems.add(
                "id_type",
                cells["id_type"],
                _("Unknown ID type; use one of: %(types)s.")
                % {"types": "、".join(w for w in ID_TYPE_WORDS if w and not w.isascii())},
            )
            return None
        if not cells.get("id_number"):
            return None
        try:
            return identity_protect(id_type, cells["id_number"], today=self.today)
        except InvalidIdentity as error:
            problems.add("id_number", cells["id_number"], str(error))
            return None

    @staticmethod
    def _phone(cells: dict[str, str], problems: _RowProblems) -> str:
        phone = cells.get("phone", "")
        if not phone:
            return phone
        try:
            return normalize_phone(phone)
        except InvalidIdentity as error:
            problems.add("phone", phone, str(error))
            return phone

    def _unit(self, cells: dict[str, str], problems: _RowProblems) -> int:
        """The unit the code names, among those the importer may import into; the upload's unit
        when the cell is empty."""
        code = cells.get("unit_code")
        if not code:
            return self.default_unit.pk
        found = self.units.get(code)
        if found is None:
            problems.add(
                "unit_code", code, _("No unit with this code in the units you may import into.")
            )
            return self.default_unit.pk
        return found

    def _region(self, cells: dict[str, str], problems: _RowProblems) -> str | None:
        code = cells.get("address_region")
        if not code:
            return None
        region = self.regions.get(code)
        if region is None:
            problems.add("address_region", code, _("No region has this code."))
        return region

    def _categories(self, cells: dict[str, str], problems: _RowProblems) -> list[str]:
        categories: list[str] = []
        for word in _CATEGORY_SPLIT.split(cells.get("categories", "")):
            if not word:
                continue
            code = self.categories.get(word) or self.categories.get(word.lower())
            if code is None:
                problems.add("categories", word, _("Unknown category; the template lists them."))
            elif code not in categories:
                categories.append(code)
        return categories

    @staticmethod
    def _nationality(cells: dict[str, str], problems: _RowProblems) -> str:
        nationality = (cells.get("nationality") or "CHN").upper()
        if len(nationality) != 3 or not nationality.isalpha():
            problems.add(
                "nationality", nationality, _("A nationality is its three-letter ISO code (CHN).")
            )
        return nationality


class _RowProblems:
    """The problems of one row, each under its column's label."""

    def __init__(self, row_number: int) -> None:
        self.row_number = row_number
        self.found: list[RowProblem] = []

    def add(self, key: str, value: str, message: str) -> None:
        self.found.append(RowProblem(self.row_number, REGISTER_COLUMNS.label(key), value, message))

    def about(self, key: str) -> bool:
        label = REGISTER_COLUMNS.label(key)
        return any(p.column == label for p in self.found)


def preview_masked(
    rows: list[tuple[int, dict[str, object]]], problems: list[RowProblem]
) -> tuple[list[tuple[int, dict[str, object]]], list[RowProblem]]:
    """Rows and problems as read, with every ID number masked: the preview of a user who may not
    see full ID numbers."""
    id_label = REGISTER_COLUMNS.label("id_number")
    return (
        [
            (number, values | {"id_number": mask_id_number(str(values["id_number"]))})
            if values.get("id_number") not in (None, "")
            else (number, values)
            for number, values in rows
        ],
        [
            dataclasses.replace(p, value=mask_id_number(p.value)) if p.column == id_label else p
            for p in problems
        ],
    )


class Writer:
    """Writes a chunk of prepared rows of one job as sets and reports which were registered already.

    ``write`` inserts the rows whose ID number is new and returns the others as
    {ID hash: (person id, registered name)}; a concurrent import of the same person loses quietly
    (ON CONFLICT / ignore) and is then counted as registered by the next chunk or re-import.
    """

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.now = timezone.now()

    @staticmethod
    def for_job(job: ImportJob) -> Writer:
        return PostgresWriter(job) if connection.vendor == "postgresql" else Writer(job)

    def write(self, rows: list[PreparedRow]) -> dict[str, tuple[int, str]]:
        existing: dict[str, tuple[int, str]] = {}
        hashes = [r.identity.id_hash for r in rows]
        for start in range(0, len(hashes), 2000):
            found = Person.objects.filter(id_hash__in=hashes[start : start + 2000])
            for pk, id_hash, name in found.values_list("pk", "id_hash", "name"):
                existing[id_hash] = (pk, name)
        new_rows = [r for r in rows if r.identity.id_hash not in existing]
        households = self._households(new_rows)
        people = Person.objects.bulk_create(
            [self._person(r, households.get((r.unit_id, r.household))) for r in new_rows],
            batch_size=1000,
        )
        PersonCategory.objects.bulk_create(
            [
                PersonCategory(person_id=p.pk, category_id=code)
                for p, r in zip(people, new_rows, strict=True)
                for code in r.categories
            ],
            batch_size=2000,
        )
        return existing

    def _households(self, rows: list[PreparedRow]) -> dict[tuple[int, str], int]:
        wanted = {(r.unit_id, r.household): r for r in rows if r.household}
        if not wanted:
            return {}
        Household.objects.bulk_create(
            [
                Household(
                    unit_id=unit_id,
                    code=code,
                    address_region_id=row.address_region,
                    address=row.address,
                )
                for (unit_id, code), row in wanted.items()
            ],
            ignore_conflicts=True,
            batch_size=2000,
        )
        found = Household.objects.filter(
            unit_id__in={unit_id for unit_id, _code in wanted},
            code__in={code for _unit_id, code in wanted},
        ).values_list("unit_id", "code", "pk")
        return {(unit_id, code): pk for unit_id, code, pk in found}

    def _person(self, r: PreparedRow, household_id: int | None) -> Person:
        return Person(
            **r.identity.fields(),
            name=r.name,
            phone=r.phone,
            nationality=r.nationality,
            unit_id=r.unit_id,
            household_id=household_id,
            address_region_id=r.address_region,
            address=r.address,
            created_at=self.now,
            updated_at=self.now,
            created_by_id=self.job.created_by_id,
            import_job_id=self.job.pk,
        )


class PostgresWriter(Writer):
    """COPY the chunk into a temporary table, then two set-based statements write it."""

    STAGE = (
        "CREATE TEMP TABLE IF NOT EXISTS import_stage ("
        " name text, id_type text, id_hash text, id_cipher bytea, id_masked text, birth_date date,"
        " sex text, phone text, nationality text, unit_id bigint, household text,"
        " address_region_id text, address text, categories text) ON COMMIT DELETE ROWS"
    )
    # Rows of people already registered leave the stage here, so the inserts below need not
    # look each ID hash up again (ON CONFLICT still covers a concurrent import).
    EXISTING = (
        "DELETE FROM import_stage s USING people_person p WHERE p.id_hash = s.id_hash"
        " RETURNING s.id_hash, p.id, p.name"
    )
    HOUSEHOLDS = (
        "INSERT INTO people_household"
        " (unit_id, code, address_region_id, address, created_at, updated_at)"
        " SELECT DISTINCT ON (s.unit_id, s.household)"
        "  s.unit_id, s.household, s.address_region_id, s.address, %(now)s, %(now)s"
        " FROM import_stage s WHERE s.household <> ''"
        " ON CONFLICT (unit_id, code) DO NOTHING"
    )
    # One statement: the people whose ID hash is new, then the categories of exactly those.
    PEOPLE_AND_CATEGORIES = (
        "WITH new_people AS ("
        " INSERT INTO people_person (name, id_type, id_hash, id_cipher, id_masked, birth_date, sex,"
        "  phone, nationality, unit_id, household_id, address_region_id, address, created_at,"
        "  updated_at, created_by_id, import_job_id)"
        " SELECT s.name, s.id_type, s.id_hash, s.id_cipher, s.id_masked, s.birth_date, s.sex,"
        "  s.phone, s.nationality, s.unit_id,"
        # A probe of the (unit, code) index per row: the stage has no statistics, and a join
        # here was planned as a scan of every household.
        "  (SELECT h.id FROM people_household h"
        "   WHERE h.unit_id = s.unit_id AND h.code = s.household),"
        "  s.address_region_id, s.address, %(now)s, %(now)s, %(user)s, %(job)s"
        " FROM import_stage s"
        " ON CONFLICT (id_hash) DO NOTHING"
        " RETURNING id, id_hash)"
        " INSERT INTO people_personcategory (person_id, category_id)"
        " SELECT n.id, c.code FROM new_people n JOIN import_stage s USING (id_hash)"
        " CROSS JOIN LATERAL unnest(string_to_array(s.categories, ',')) AS c(code)"
        " WHERE s.categories <> ''"
    )

    def __init__(self, job: ImportJob) -> None:
        super().__init__(job)
        self.analyzed = False

    def write(self, rows: list[PreparedRow]) -> dict[str, tuple[int, str]]:
        params = {"now": self.now, "user": self.job.created_by_id, "job": self.job.pk}
        with connection.cursor() as cursor:
            cursor.execute(self.STAGE)
            # psycopg 3's COPY streams the rows without a statement per row.
            with cursor.cursor.copy("COPY import_stage FROM STDIN") as copy:
                for r in rows:
                    i = r.identity
                    copy.write_row(
                        (
                            r.name,
                            i.id_type,
                            i.id_hash,
                            i.id_cipher,
                            i.id_masked,
                            i.birth_date,
                            i.sex,
                            r.phone,
                            r.nationality,
                            r.unit_id,
                            r.household,
                            r.address_region,
                            r.address,
                            ",".join(r.categories),
                        )
                    )
            cursor.execute(self.EXISTING)
            existing = {id_hash: (pk, name) for id_hash, pk, name in cursor.fetchall()}
            cursor.execute(self.HOUSEHOLDS, params)
            cursor.execute(self.PEOPLE_AND_CATEGORIES, params)
            cursor.execute("TRUNCATE import_stage")
            if not self.analyzed:
                # The foreign-key checks of the new rows run at commit with plans this
                # connection may have cached while the register was nearly empty (a sequential
                # scan of people for each category row); fresh statistics make them replan.
                cursor.execute("ANALYZE people_person, people_household")
                self.analyzed = True
        return existing


class _ChunkValidator:
    """Validates chunks in file order, remembering every ID number seen so far in the file."""

    def __init__(self, validator: RowValidator) -> None:
        self.validator = validator
        self.seen: dict[str, int] = {}

    def __call__(
        self, chunk: list[tuple[int, dict[str, object]]]
    ) -> tuple[int, list[PreparedRow], list[RowProblem]]:
        prepared: list[PreparedRow] = []
        problems: list[RowProblem] = []
        for row_number, values in chunk:
            result = self.validator.prepare(row_number, values)
            if not isinstance(result, PreparedRow):
                problems.extend(result)
                continue
            first = self.seen.setdefault(result.identity.id_hash, row_number)
            if first != row_number:
                problems.append(
                    RowProblem(
                        row_number,
                        self.validator.label("id_number"),
                        result.identity.id_masked,
                        _("Same ID number as row %(row)d of this file.") % {"row": first},
                    )
                )
                continue
            prepared.append(result)
        return len(chunk), prepared, problems


def _chunks(
    rows: Iterator[tuple[int, dict[str, object]]],
) -> Iterator[list[tuple[int, dict[str, object]]]]:
    chunk: list[tuple[int, dict[str, object]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_import(job: ImportJob, user: AnyUser) -> ImportJob:
    """Validate and write every row of the job's file; the job holds the counts and refusals.

    Validation (hashing and encrypting ID numbers) of chunk N+1 runs in a second thread while chunk
    N is written: the database works while Python validates, so an import takes about as long as
    the slower of the two instead of their sum.
    """
    validate = _ChunkValidator(RowValidator(user, job.unit))
    writer = Writer.for_job(job)
    data = read_rows(Path(job.stored_file), REGISTER_COLUMNS, seconds=settings.IMPORT_RUN_SECONDS)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-validate") as pool:
        pending: Future[tuple[int, list[PreparedRow], list[RowProblem]]] | None = None
        for chunk in _chunks(data):
            # The worker sees this thread's language and clock (context variables).
            following = pool.submit(contextvars.copy_context().run, _in_language(validate), chunk)
            if pending is not None:
                _write_chunk(job, user, writer, validate.validator, *pending.result())
            pending = following
        if pending is not None:
            _write_chunk(job, user, writer, validate.validator, *pending.result())
    return job


def _in_language(
    function: Callable[[list[tuple[int, dict[str, object]]]], _T],
) -> Callable[[list[tuple[int, dict[str, object]]]], _T]:
    language = translation.get_language()

    def run(chunk: list[tuple[int, dict[str, object]]]) -> _T:
        with translation.override(language):
            return function(chunk)

    return run


def _write_chunk(
    job: ImportJob,
    user: AnyUser,
    writer: Writer,
    validator: RowValidator,
    processed: int,
    prepared: list[PreparedRow],
    problems: list[RowProblem],
) -> None:
    """Write one validated chunk, its refusals and the job's counts in one transaction."""
    with transaction.atomic():
        existing = writer.write(prepared)
        created = len(prepared) - len(existing)
        # Whom the importer may open: only those are named, or counted as unchanged on a
        # matching name; of anyone else the importer learns neither name nor whether it matches.
        visible = (
            set(
                people_visible_to(user)
                .filter(pk__any=Ids(pk for pk, _name in existing.values()))
                .values_list("pk", flat=True)
            )
            if existing
            else set()
        )
        unchanged = 0
        for r in prepared:
            found = existing.get(r.identity.id_hash)
            if found is None:
                continue
            if found[0] not in visible:
                message = registered_outside_message()
            elif found[1] == r.name:
                unchanged += 1
                continue
            else:
                message = _(
                    "This ID number is already registered as %(name)s (person %(id)d); "
                    "correct the row or the person's file."
                ) % {"name": found[1], "id": found[0]}
            problems.append(
                RowProblem(
                    r.row_number, validator.label("id_number"), r.identity.id_masked, message
                )
            )
        ImportRowError.objects.bulk_create(
            [
                ImportRowError(
                    job=job,
                    row_number=p.row_number,
                    column=p.column,
                    value=p.value,
                    message=p.message,
                )
                for p in problems
            ],
            batch_size=2000,
        )
        job.processed_rows += processed
        job.created_count += created
        job.existing_count += unchanged
        job.error_count += len({p.row_number for p in problems})
        ImportJob.objects.filter(pk=job.pk).update(
            processed_rows=job.processed_rows,
            created_count=job.created_count,
            existing_count=job.existing_count,
            error_count=job.error_count,
        )


def count_data_rows(path: Path) -> int:
    return sum(1 for _row in read_rows(path, REGISTER_COLUMNS))


def import_job_create(*, user: AnyUser, unit: Unit, file_name: str, content: bytes) -> ImportJob:
    """Store an uploaded register and count its rows; ImportFileError for an unusable file."""
    if not user_can(user, Capability.IMPORT_PEOPLE, unit):
        raise ImportFileError(_("You may not import into %(unit)s.") % {"unit": unit.name})
    suffix = table_suffix(file_name)
    table_size_check(len(content))
    digest = hashlib.sha256(content).hexdigest()
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    # Registers hold ID numbers: readable by this account alone (mkstemp creates 0600), one file
    # per job, kept only until the job ends.
    handle, name = tempfile.mkstemp(suffix=suffix, prefix=f"{digest[:16]}-", dir=folder)
    stored = Path(name)
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    try:
        total = count_data_rows(stored)
    except ImportFileError:
        stored.unlink()
        raise
    return ImportJob.objects.create(
        created_by=user if user.is_authenticated else None,
        unit=unit,
        file_name=file_name[:255],
        file_sha256=digest,
        stored_file=str(stored),
        total_rows=total,
    )


def import_job_execute(job_id: int) -> ImportJob:
    """Run a waiting job once (a task may be delivered twice: the conditional UPDATE claims it)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING
    )
    job = ImportJob.objects.select_related("created_by", "unit").get(pk=job_id)
    if not claimed:
        return job
    user = job.created_by
    try:
        if user is None:
            raise ImportFileError(_("The user who uploaded the file no longer exists."))
        run_import(job, user)
    except ImportFileError as error:
        job.status, job.failure = ImportJob.Status.FAILED, str(error)
    else:
        job.status = ImportJob.Status.DONE
    finally:
        Path(job.stored_file).unlink(missing_ok=True)
    job.finished_at = clock.now()
    with transaction.atomic():
        job.save(update_fields=["status", "failure", "finished_at", "updated_at"])
        audit_record(
            actor=user,
            action=AuditAction.IMPORT,
            object_type="import_job",
            object_id=job.pk,
            unit_id=job.unit_id,
            summary=_(
                "%(file)s: %(created)d added, %(existing)d already registered, "
                "%(errors)d rows rejected"
            )
            % {
                "file": job.file_name,
                "created": job.created_count,
                "existing": job.existing_count,
                "errors": job.error_count,
            },
        )
    return job


def import_job_cancel(job: ImportJob) -> bool:
    """Cancel a job not yet started and delete its file; False when it had started already."""
    cancelled = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.CANCELLED, finished_at=clock.now()
    )
    if cancelled:
        Path(job.stored_file).unlink(missing_ok=True)
    return bool(cancelled)


def import_jobs_expire() -> None:
    """Delete rejected-row reports older than ``IMPORT_REPORT_DAYS``, and cancel uploads left
    waiting as long (deleting their files). Run by the tick."""
    cutoff = clock.now() - dt.timedelta(days=settings.IMPORT_REPORT_DAYS)
    abandoned = ImportJob.objects.filter(status=ImportJob.Status.PENDING, created_at__lt=cutoff)
    for job in abandoned.only("pk", "stored_file"):
        import_job_cancel(job)
    ImportRowError.objects.filter(job__finished_at__lt=cutoff).delete()


EXAMPLE_CATEGORIES = ("resident", "returnee")


def import_template_xlsx() -> bytes:
    """The register template: our headers, one example row, and a sheet of allowed values."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("People")
    sheet.append([("*" if c.required else "") + str(c.label) for c in REGISTER_COLUMNS.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(
        [
            "张三",
            "居民身份证",
            "11010519491231002X",
            "13800138000",
            "",
            "H-001",
            "110105",
            "朝阳区某街道1号",
            # The categories' own names, as the importer reads them (a word it does not know,
            # such as "居民", refuses the row).
            "、".join(
                Category.objects.filter(code__in=EXAMPLE_CATEGORIES)
                .order_by("code")
                .values_list("name_zh", flat=True)
            ),
            "CHN",
        ]
    )
    for column_cells in sheet.iter_cols(min_row=1, max_row=200):
        for cell in column_cells:
            cell.number_format = "@"  # text: Excel must not turn ID numbers into 1.1E+17
    for letter, width in zip("ABCDEFGHIJ", (10, 14, 22, 14, 14, 12, 16, 30, 22, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    help_sheet = workbook.create_sheet(_("Instructions"))
    help_sheet.append([_("Columns marked * are required. Keep the ID number column as text.")])
    help_sheet.append([_("ID types"), "、".join(w for w in ID_TYPE_WORDS if w and not w.isascii())])
    sheet_append(
        help_sheet, [_("Categories"), "、".join(Category.objects.values_list("name_zh", flat=True))]
    )
    help_sheet.append([_("Unit code"), _("Empty means the unit chosen when uploading.")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_errors_xlsx(job: ImportJob) -> bytes:
    """The refused rows of a job, to correct and import again."""
    workbook = Workbook(write_only=True)
    sheet: Any = workbook.create_sheet(_("Rejected rows"))
    sheet.append([_("Row"), _("Column"), _("Value"), _("Reason")])
    for error in job.row_errors.all().iterator(chunk_size=5000):
        sheet_append(sheet, [error.row_number, error.column, error.value, error.message])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Sampling (F-02, F-05): people swabbed into tubes, recorded in sets.

One call takes any number of rows (a tube's barcode and a person, by register id or ID number):
the sampling screen sends one, a sampling app a few thousand, a screening round ten million.
The rows are staged in a temporary table and written with a handful of statements over the whole
set; every rejected row is reported with its index, field and reason, and every accepted one kept.
Sending the same rows again changes nothing.

Rules: a barcode names one tube for ever (a sealed tube, or one of another round or kind, takes no
one new); a tube holds at most its capacity (1, or the round's pool size); one person is in one
tube of a round; the person is in the register, within the sampler's units.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.bulk import stage, stage_query, staged_time, stages_drop
from fangkong.core.inputs import dates_allowed, moment_problem
from fangkong.labs.models import RoundStatus, SamplingPoint, ScreeningRound, TubeKind
from fangkong.obligations.services import obligations_meet_tests, tests_owed_by_staged
from fangkong.org.access import AnyUser, Scope, acting_user, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.identity import id_hash
from fangkong.people.models import Person

BARCODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,31}$")
CLOCK_SKEW = dt.timedelta(minutes=5)
_CHUNK = 10_000
_STAGE = "labs_stage_samples"
_TUBES = "labs_stage_tubes"


@dataclass(frozen=True)
class SampleInput:
    """One person swabbed into one tube: the person by register id or by ID number."""

    barcode: str
    person_id: int | None = None
    id_number: str = ""
    sampled_at: Any = None  # a time (None: now); anything else is refused


@dataclass
class SamplingResult:
    samples: int = 0  # people newly recorded
    tubes: int = 0  # tubes newly opened
    unchanged: int = 0  # rows recorded before (sent again)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, index: int, name: str, reason: str) -> None:
        self.errors.append({"index": index, "field": name, "reason": reason})


@dataclass(frozen=True)
class _Batch:
    """Where and how the rows of one call are sampled."""

    kind: str
    capacity: int
    round_id: int | None
    point_id: int | None
    unit_id: int
    lab_id: int | None
    samplers: Scope  # whom the sampler may sample: people and tubes of these units


def samples_record(
    *,
    actor: AnyUser,
    rows: Iterable[SampleInput],
    kind: str = TubeKind.POOL,
    round: ScreeningRound | None = None,  # noqa: A002 - the domain's word
    point: SamplingPoint | None = None,
    unit: Unit | None = None,
) -> SamplingResult:
    """Record rows of (tube, person); see the module's rules. The tubes belong to the sampling
    point's unit, else to ``unit`` (the sampler's), else to the round's area."""
    if kind not in (TubeKind.SINGLE, TubeKind.HOUSEHOLD, TubeKind.POOL):
        raise ValidationError(
            {"kind": _("People are sampled into single, household or pooled tubes.")}
        )
    samplers = scope(actor, Capability.SAMPLE)
    if samplers.nowhere:
        raise PermissionDenied(_("You may not record samples."))
    if round is not None and round.status != RoundStatus.OPEN:
        raise ValidationError({"round": _("The round %(name)s is closed.") % {"name": round.name}})
    home = point.unit if point else unit or (round.unit if round else None)
    if home is None:
        raise ValidationError({"unit": _("Give the sampling point, the round or the unit.")})
    if not samplers.covers(home):
        # A village sampling for its township's round: the tubes are the village's own, so
        # that no other village adds to them.
        home = _own_unit(samplers, home)
    batch = _Batch(
        kind=kind,
        capacity=(round.pool_size if round else 10) if kind != TubeKind.SINGLE else 1,
        round_id=round.pk if round else None,
        point_id=point.pk if point else None,
        unit_id=home.pk,
        lab_id=round.lab_id if round else None,
        samplers=samplers,
    )
    result = SamplingResult()
    now = clock.now()
    try:
        with transaction.atomic():
            staged = stage(
                _STAGE,
                [("idx", "bigint"), ("barcode", "text"), ("person_id", "bigint"),
                 ("sampled_at", "timestamptz")],
                _checked_rows(rows, samplers, now, result),
            )  # fmt: skip
            if staged:
                _write(batch, actor, now, staged, result)
            if result.samples:
                audit_record(
                    actor=actor,
                    action=AuditAction.CREATE,
                    object_type="samples",
                    unit_id=batch.unit_id,
                    summary=_("%(people)d people in %(tubes)d new tubes")
                    % {"people": result.samples, "tubes": result.tubes}
                    + (f"，{round.name}" if round else "")
                    + (
                        _(", %(count)d rows refused") % {"count": len(result.errors)}
                        if result.errors
                        else ""
                    ),
                )
    finally:
        stages_drop(_STAGE, _TUBES)
    result.errors.sort(key=lambda e: e["index"])
    return result


def _own_unit(samplers: Scope, area: Unit) -> Unit:
    """The one unit of the sampler's inside ``area``; the sampler names it when there are more."""
    inside = [path for path in samplers.paths or () if path.startswith(area.path)]
    if len(inside) != 1:
        raise ValidationError({"unit": _("Give the unit you sample for.")})
    return Unit.objects.get(path=inside[0])


def _checked_rows(
    rows: Iterable[SampleInput], samplers: Scope, now: dt.datetime, result: SamplingResult
) -> Iterator[tuple[int, str, int, dt.datetime]]:
    """The rows that pass the checks needing no database, with people found by ID number among
    those the sampler may sample (one query per chunk)."""
    chunk: list[tuple[int, SampleInput]] = []
    for index, row in enumerate(rows):
        chunk.append((index, row))
        if len(chunk) == _CHUNK:
            yield from _checked_chunk(chunk, samplers, now, result)
            chunk = []
    yield from _checked_chunk(chunk, samplers, now, result)


def _checked_chunk(
    chunk: list[tuple[int, SampleInput]], samplers: Scope, now: dt.datetime, result: SamplingResult
) -> Iterator[tuple[int, str, int, dt.datetime]]:
    hashes: dict[int, str] = {}
    for index, row in chunk:
        if row.person_id is None and row.id_number:
            hashes[index] = id_hash(row.id_number)
    # A number registered outside the sampler's units is not found, like an unknown one: the
    # refusal must not tell the sampler that the number exists.
    found = (
        dict(
            Person.objects.filter(samplers.people(), id_hash__in=set(hashes.values())).values_list(
                "id_hash", "id"
            )
        )
        if hashes
        else {}
    )
    latest = now + CLOCK_SKEW
    allowed = dates_allowed()
    # The last valid barcode (the rows of a pooled tube come one after another); None at first,
    # so that a missing barcode ("") is checked too.
    good: str | None = None
    for index, row in chunk:
        bad = False
        if row.barcode != good:
            if isinstance(row.barcode, str) and BARCODE.match(row.barcode):
                good = row.barcode
            else:
                reason = _("Not a tube barcode: %(value)s (4-32 letters, digits or -).")
                result.error(index, "tube", reason % {"value": str(row.barcode)[:40]})
                bad = True
        person_id = row.person_id if row.person_id is not None else found.get(hashes.get(index, ""))
        if person_id is None:
            if row.id_number:
                result.error(index, "id_number", _("No person with this ID number in your units."))
            else:
                result.error(index, "person", _("Give the person or the ID number."))
            bad = True
        at = row.sampled_at or now
        if problem := moment_problem(at, latest, allowed):
            result.error(index, "sampled_at", problem)
            bad = True
        if not bad:
            assert person_id is not None
            assert isinstance(at, dt.datetime)
            yield index, row.barcode, person_id, at


def _write(
    batch: _Batch, actor: AnyUser, now: dt.datetime, staged: int, result: SamplingResult
) -> None:
    stage_query(
        _TUBES,
        f"SELECT barcode, count(*) AS n, min(sampled_at) AS first_at FROM {_STAGE}"  # noqa: S608
        " GROUP BY barcode",
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {_STAGE}")
        refused = _tube_problems(cursor, batch, result)
        if batch.kind == TubeKind.HOUSEHOLD:
            refused += _strangers(cursor, set(refused), result)
        if refused:
            _unstage(cursor, refused)
            staged -= len(refused)
        # From here on the tubes' stage holds the barcodes new to this call only.
        cursor.execute(
            f"DELETE FROM {_TUBES} WHERE EXISTS"  # noqa: S608
            f" (SELECT 1 FROM labs_tube t WHERE t.barcode = {_TUBES}.barcode)"
        )
        cursor.execute(
            f"INSERT INTO labs_tube (barcode, kind, capacity, round_id, point_id, unit_id, lab_id,"  # noqa: S608
            " place, sampled_at, sealed, recorded_by_id)"
            f" SELECT a.barcode, %s, %s, %s, %s, %s, %s, '', a.first_at, FALSE, %s FROM {_TUBES} a",
            [batch.kind, batch.capacity, batch.round_id, batch.point_id, batch.unit_id,
             batch.lab_id, getattr(acting_user(actor), "pk", None)],
        )  # fmt: skip
        result.tubes = cursor.rowcount
        in_scope, params = batch.samplers.people_sql("p.id", "u.path")
        insert = (
            "INSERT INTO labs_sample (tube_id, person_id, round_id, sampled_at)"  # noqa: S608
            " SELECT t.id, s.person_id, t.round_id, s.sampled_at"
            f" FROM {_STAGE} s JOIN labs_tube t ON t.barcode = s.barcode"
            " JOIN people_person p ON p.id = s.person_id JOIN org_unit u ON u.id = p.unit_id"
            f" WHERE {in_scope} ORDER BY s.person_id"
        )
        try:
            # Usually nobody is sampled twice: a plain INSERT, much cheaper than one that
            # checks each row for a conflict first.
            with transaction.atomic():
                cursor.execute(insert, params)
        except IntegrityError:
            cursor.execute(insert + " ON CONFLICT DO NOTHING", params)
        result.samples = cursor.rowcount
        if result.samples < staged:
            explained = len(result.errors)
            _explain_missing(cursor, batch, result)
            # The rest were the same row twice in this call: recorded once.
            result.unchanged += staged - result.samples - (len(result.errors) - explained)
        # A sample meets the test the person owes (the plan's schedule, a re-test).
        owed = [(person_id, staged_time(at)) for person_id, at in tests_owed_by_staged(_STAGE)]
    if owed:
        obligations_meet_tests(owed, actor=actor, unit_id=batch.unit_id)


def _tube_problems(cursor: Any, batch: _Batch, result: SamplingResult) -> list[int]:
    """Rows refused because of their tube (another round or kind, sealed, full, overfilled),
    and rows already recorded (sent again): their indexes, to take out of the stage."""
    cursor.execute(
        "SELECT t.barcode, t.id, t.kind, t.round_id, t.sealed, t.capacity,"  # noqa: S608
        " (SELECT count(*) FROM labs_sample x WHERE x.tube_id = t.id), u.path"
        f" FROM {_TUBES} a JOIN labs_tube t ON t.barcode = a.barcode"
        " JOIN org_unit u ON u.id = t.unit_id"
    )
    existing = {row[0]: row[1:] for row in cursor.fetchall()}
    cursor.execute(f"SELECT barcode FROM {_TUBES} WHERE n > %s", [batch.capacity])  # noqa: S608
    overfilled = {barcode for (barcode,) in cursor.fetchall()}
    look = set(existing) | overfilled
    if not look:
        return []
    cursor.execute(
        f"SELECT idx, barcode, person_id FROM {_STAGE} WHERE barcode IN "  # noqa: S608
        f"({', '.join(['%s'] * len(look))}) ORDER BY idx",
        list(look),
    )
    rows = cursor.fetchall()
    members: dict[int, set[int]] = {}
    tube_ids = [v[0] for v in existing.values()]
    if tube_ids:
        cursor.execute(
            "SELECT tube_id, person_id FROM labs_sample WHERE tube_id IN "  # noqa: S608
            f"({', '.join(['%s'] * len(tube_ids))})",
            tube_ids,
        )
        for tube_id, person_id in cursor.fetchall():
            members.setdefault(tube_id, set()).add(person_id)
    refused: list[int] = []
    room: dict[str, int] = {}
    seen: set[tuple[str, int]] = set()
    for index, barcode, person_id in rows:
        if (barcode, person_id) in seen:
            refused.append(index)  # the same row twice in one call: recorded once
            result.unchanged += 1
            continue
        seen.add((barcode, person_id))
        if barcode in existing:
            tube_id, kind, round_id, sealed, capacity, count, path = existing[barcode]
            if not batch.samplers.covers(path):
                # Another unit's tube: its members are not this sampler's to add to.
                reason = _("Tube %(code)s was opened by another unit; take a new tube.")
            elif person_id in members.get(tube_id, set()):
                refused.append(index)
                result.unchanged += 1
                continue
            elif round_id != batch.round_id or kind != batch.kind:
                reason = _("Tube %(code)s is already used elsewhere; take a new tube.")
            elif sealed:
                reason = _("Tube %(code)s is sealed; take a new tube.")
            else:
                reason = ""
                room.setdefault(barcode, capacity - count)
        else:
            reason = ""
            room.setdefault(barcode, batch.capacity)
        if not reason and room[barcode] <= 0:
            reason = _("Tube %(code)s is full (%(n)d people); take a new tube.")
        if reason:
            cap = existing[barcode][4] if barcode in existing else batch.capacity
            result.error(index, "tube", reason % {"code": barcode, "n": cap})
            refused.append(index)
        else:
            room[barcode] -= 1
    return refused


def _strangers(cursor: Any, refused: set[int], result: SamplingResult) -> list[int]:
    """A household tube holds one household: rows of people of another household (or of none)
    than the tube's first member are refused."""
    cursor.execute(
        "SELECT t.barcode, min(p.household_id) FROM labs_sample x"  # noqa: S608
        " JOIN labs_tube t ON t.id = x.tube_id JOIN people_person p ON p.id = x.person_id"
        f" WHERE t.barcode IN (SELECT barcode FROM {_TUBES}) GROUP BY t.barcode"
    )
    household: dict[str, int | None] = dict(cursor.fetchall())
    cursor.execute(
        "SELECT s.idx, s.barcode, p.household_id FROM "  # noqa: S608
        f"{_STAGE} s JOIN people_person p ON p.id = s.person_id ORDER BY s.idx"
    )
    strangers = []
    for index, barcode, home in cursor.fetchall():
        if index in refused:
            continue
        expected = household.setdefault(barcode, home)
        if home is None or home != expected:
            reason = _("Not of the household of tube %(code)s: take a tube of its own.")
            result.error(index, "person", reason % {"code": barcode})
            strangers.append(index)
    return strangers


def _unstage(cursor: Any, indexes: list[int]) -> None:
    for start in range(0, len(indexes), 1000):
        part = indexes[start : start + 1000]
        cursor.execute(
            f"DELETE FROM {_STAGE} WHERE idx IN ({', '.join(['%s'] * len(part))})",  # noqa: S608
            part,
        )


def _explain_missing(cursor: Any, batch: _Batch, result: SamplingResult) -> None:
    """Name the reason of each staged row that did not become a sample."""
    cursor.execute(
        f"SELECT s.idx, s.person_id, t.id FROM {_STAGE} s"  # noqa: S608
        " JOIN labs_tube t ON t.barcode = s.barcode"
        " WHERE NOT EXISTS (SELECT 1 FROM labs_sample x"
        " WHERE x.tube_id = t.id AND x.person_id = s.person_id)"
    )
    missing = cursor.fetchall()
    people = {pid for _i, pid, _t in missing}
    if not people:
        return
    reachable = set(
        Person.objects.filter(batch.samplers.people(), pk__in=people).values_list("pk", flat=True)
    )
    in_round: dict[int, str] = {}
    if batch.round_id is not None:
        cursor.execute(
            "SELECT x.person_id, t.barcode FROM labs_sample x"  # noqa: S608
            " JOIN labs_tube t ON t.id = x.tube_id"
            f" WHERE x.round_id = %s AND x.person_id IN ({', '.join(['%s'] * len(people))})",
            [batch.round_id, *people],
        )
        in_round = dict(cursor.fetchall())
    for index, person_id, _tube_id in missing:
        if person_id not in reachable:
            result.error(index, "person", _("No person %(id)s in your units.") % {"id": person_id})
        elif person_id in in_round:
            result.error(
                index,
                "person",
                _("Already sampled in this round (tube %(code)s).") % {"code": in_round[person_id]},
            )
        else:
            result.error(index, "person", _("Already sampled in this tube."))
    # A new tube whose every row was refused was never used: its barcode stays free.
    cursor.execute(
        "DELETE FROM labs_tube WHERE barcode IN (SELECT barcode FROM "  # noqa: S608
        f"{_TUBES}) AND NOT EXISTS (SELECT 1 FROM labs_sample x WHERE x.tube_id = labs_tube.id)"
    )
    result.tubes -= cursor.rowcount

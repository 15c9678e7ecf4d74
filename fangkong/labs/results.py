"""Lab results (F-04, F-06): a lab's file or system sends (tube, result, Ct); recorded in sets.

The first result of a tube is accepted; the same result sent again changes nothing; a different
one is kept beside it, flagged, and changes nothing else. A positive is pushed at once to the
sampling unit and the county; a positive pool puts every member under temporary control with a
single re-test ordered at once; a person's own positive starts the case workflow's deadlines and
recomputes the measures of the people exposed to the person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.bulk import stage, staged_time, stages_drop
from fangkong.core.inputs import dates_allowed, local_datetime_parse, moment_problem
from fangkong.core.spreadsheets import Column, TableColumns, read_rows
from fangkong.labs.models import Outcome, Sample, Tube, TubeKind, TubeResult
from fangkong.obligations.models import (
    Notification,
    NotificationTopic,
    Obligation,
    ObligationKind,
    ObligationSource,
)
from fangkong.obligations.services import notifications_post, obligations_meet, obligations_open
from fangkong.obligations.specs import Owner, WithinTest
from fangkong.org.access import AnyUser, Scope, scope, user_can
from fangkong.org.models import Membership, Unit
from fangkong.org.roles import Capability, Role
from fangkong.policy.classify import people_classify
from fangkong.policy.models import Trigger
from fangkong.policy.services import deadlines_open
from fangkong.tracing.models import Exposure

_STAGE = "labs_stage_results"
OUTCOMES = {
    "negative": Outcome.NEGATIVE, "阴性": Outcome.NEGATIVE, "-": Outcome.NEGATIVE,
    "positive": Outcome.POSITIVE, "阳性": Outcome.POSITIVE, "+": Outcome.POSITIVE,
    "invalid": Outcome.INVALID, "无效": Outcome.INVALID,
}  # fmt: skip
RESULT_COLUMNS = TableColumns(
    Column("barcode", gettext_lazy("barcode"), ("采样管条码", "管码"), required=True),
    Column("result", gettext_lazy("result"), ("检测结果",), required=True),
    Column("ct", gettext_lazy("Ct value"), ("ct",)),
    Column("tested_at", gettext_lazy("tested at"), ("报告时间",)),
)
# F-04: a single re-test of every member of a positive pool, at once.
RETEST_WITHIN = dt.timedelta(hours=6)


@dataclass(frozen=True)
class ResultInput:
    barcode: str
    outcome: str
    ct: Any = None
    tested_at: Any = None  # a time (None: now); anything else is refused
    row: int | None = None  # the file's row number, for errors


@dataclass
class ResultsOutcome:
    accepted: int = 0
    unchanged: int = 0
    conflicts: int = 0
    positives: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, index: int, name: str, reason: str) -> None:
        self.errors.append({"index": index, "field": name, "reason": reason})


def results_record(
    *, actor: AnyUser, lab: Unit, rows: Iterable[ResultInput], source: str = ""
) -> ResultsOutcome:
    """Record a lab's results for the tubes sent to it (or, for a commander, any tube of the
    commander's units not sent to a lab)."""
    if not user_can(actor, Capability.RUN_LAB, lab):
        raise PermissionDenied(_("You may not enter results for this lab."))
    lab_scope = scope(actor, Capability.RUN_LAB)
    outcome = ResultsOutcome()
    now = clock.now()
    try:
        with transaction.atomic():
            staged = stage(
                _STAGE,
                [("idx", "bigint"), ("barcode", "text"), ("outcome", "text"), ("ct", "numeric"),
                 ("tested_at", "timestamptz")],
                _checked(rows, now, outcome),
            )  # fmt: skip
            if staged:
                _write(actor, lab, lab_scope, now, source, staged, outcome)
            if outcome.accepted or outcome.conflicts:
                audit_record(
                    actor=actor,
                    action=AuditAction.CREATE,
                    object_type="tube_results",
                    unit_id=lab.pk,
                    summary=_(
                        "%(accepted)d results, %(positive)d positive, %(conflicts)d contradicting, "
                        "%(unchanged)d unchanged"
                    )
                    % {
                        "accepted": outcome.accepted,
                        "positive": len(outcome.positives),
                        "conflicts": outcome.conflicts,
                        "unchanged": outcome.unchanged,
                    }
                    + f" {source}",
                )
    finally:
        stages_drop(_STAGE)
    outcome.errors.sort(key=lambda e: e["index"])
    return outcome


def results_import(*, actor: AnyUser, lab: Unit, path: Path, name: str) -> ResultsOutcome:
    """A lab's result file (.xlsx or .csv, UTF-8 or GBK): a header row naming the columns
    (条码, 结果, Ct值, 检测时间 or their English names); errors name the file's row numbers and
    columns."""
    rows = read_rows(path, RESULT_COLUMNS)

    def inputs() -> Iterator[ResultInput]:
        for number, cells in rows:
            tested = cells.get("tested_at")
            yield ResultInput(
                barcode=str(cells.get("barcode") or "").strip(),
                outcome=str(cells.get("result") or "").strip(),
                ct=cells.get("ct"),
                tested_at=tested
                if isinstance(tested, dt.datetime) or tested is None
                else local_datetime_parse(str(tested)),
                row=number,
            )

    outcome = results_record(actor=actor, lab=lab, rows=inputs(), source=name)
    for error in outcome.errors:
        error["label"] = RESULT_COLUMNS.label(error["field"])
    return outcome


def _checked(
    rows: Iterable[ResultInput], now: dt.datetime, outcome: ResultsOutcome
) -> Iterator[tuple[int, str, str, Decimal | None, dt.datetime]]:
    allowed = dates_allowed()
    for index, row in enumerate(rows):
        at = row.row if row.row is not None else index
        bad = False
        value = OUTCOMES.get(str(row.outcome).strip().lower())
        if value is None:
            outcome.error(
                at,
                "result",
                _("Not a result: %(value)s (阴性, 阳性 or 无效).") % {"value": row.outcome},
            )
            bad = True
        ct: Decimal | None = None
        if row.ct not in (None, ""):
            try:
                ct = Decimal(str(row.ct)).quantize(Decimal("0.1"))
                if not 0 <= ct <= 50:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                outcome.error(at, "ct", _("Not a Ct value (0-50): %(value)s") % {"value": row.ct})
                bad = True
        tested = row.tested_at or now
        if isinstance(tested, dt.datetime) and tested.tzinfo is None:
            tested = tested.replace(tzinfo=clock.tz())
        if problem := moment_problem(tested, now + dt.timedelta(minutes=5), allowed):
            outcome.error(at, "tested_at", problem)
            bad = True
        if not row.barcode:
            outcome.error(at, "barcode", _("The tube barcode is missing."))
            bad = True
        if not bad:
            assert value is not None
            assert isinstance(tested, dt.datetime)
            yield at, row.barcode, str(value), ct, tested


def _write(
    actor: AnyUser,
    lab: Unit,
    lab_scope: Scope,
    now: dt.datetime,
    source: str,
    staged: int,
    outcome: ResultsOutcome,
) -> None:
    in_scope, params = lab_scope.units_sql("u.path")
    known = f"(t.lab_id = %s OR (t.lab_id IS NULL AND {in_scope}))"
    with connection.cursor() as cursor:
        # New positives are the rows this INSERT returns: an upload running at the same time
        # writes its own (and a tube it got first conflicts here), so none is counted twice.
        cursor.execute(
            "INSERT INTO labs_tuberesult"  # noqa: S608 - our table names
            " (tube_id, outcome, ct, tested_at, lab_id, conflict, source, recorded_at)"
            " SELECT t.id, s.outcome, s.ct, s.tested_at, %s, FALSE, %s, %s"
            f" FROM {_STAGE} s JOIN labs_tube t ON t.barcode = s.barcode"
            f" JOIN org_unit u ON u.id = t.unit_id WHERE {known} ON CONFLICT DO NOTHING"
            " RETURNING tube_id, outcome",
            [lab.pk, source[:200], now, lab.pk, *params],
        )
        accepted = cursor.fetchall()
        outcome.accepted = len(accepted)
        positive = sorted({tube_id for tube_id, value in accepted if value == Outcome.POSITIVE})
        if outcome.accepted < staged:
            _explain(cursor, known, [lab.pk, *params], lab, now, source, staged, outcome)
        cursor.execute(
            "SELECT DISTINCT x.person_id FROM labs_sample x"  # noqa: S608
            " JOIN labs_tube t ON t.id = x.tube_id"
            " JOIN tracing_exposure e ON e.person_id = x.person_id"
            f" WHERE t.barcode IN (SELECT barcode FROM {_STAGE})"
        )
        contacts = [pk for (pk,) in cursor.fetchall()]
        # A box's turnaround clock stops when every tube in it has a result.
        cursor.execute(
            "SELECT b.code FROM labs_box b WHERE b.id IN (SELECT t.box_id FROM labs_tube t"  # noqa: S608
            f" WHERE t.barcode IN (SELECT barcode FROM {_STAGE}) AND t.box_id IS NOT NULL)"
            " AND NOT EXISTS (SELECT 1 FROM labs_tube t WHERE t.box_id = b.id AND NOT EXISTS"
            " (SELECT 1 FROM labs_tuberesult r WHERE r.tube_id = t.id AND NOT r.conflict))"
        )
        complete = [code for (code,) in cursor.fetchall()]
    if complete:
        obligations_meet(
            Obligation.objects.filter(kind=ObligationKind.TEST_RESULT).of_boxes(complete),
            actor=actor,
            unit_id=lab.pk,
            summary=_("turnaround of boxes %(codes)s") % {"codes": "、".join(complete)},
        )
    individual = _positives(actor, lab, positive, now, outcome)
    # Results change the measures of contacts (release on negatives, D-12 upgrade on a positive).
    recompute = set(contacts) | individual
    if individual:
        recompute |= set(
            Exposure.objects.filter(via_id__in=individual).values_list("person_id", flat=True)
        )
    if recompute:
        people_classify(
            sorted(recompute), trigger=Trigger.RESULT, actor_id=getattr(actor, "pk", None)
        )


def _explain(
    cursor: Any,
    known: str,
    params: list[Any],
    lab: Unit,
    now: dt.datetime,
    source: str,
    staged: int,
    outcome: ResultsOutcome,
) -> None:
    """The rows not accepted: unknown tubes, the same result again, or a contradiction (kept)."""
    cursor.execute(
        "SELECT s.idx, s.barcode, s.outcome, s.ct, s.tested_at, t.id, r.outcome, r.ct"  # noqa: S608
        f" FROM {_STAGE} s LEFT JOIN (labs_tube t JOIN org_unit u ON u.id = t.unit_id"
        f" AND {known}) ON t.barcode = s.barcode"
        " LEFT JOIN labs_tuberesult r ON r.tube_id = t.id AND NOT r.conflict"
        " WHERE t.id IS NULL OR r.outcome <> s.outcome"
        " OR (r.ct IS NULL) <> (s.ct IS NULL) OR r.ct <> s.ct",
        params,
    )
    rows = cursor.fetchall()
    conflicts: list[TubeResult] = []
    seen = set(
        TubeResult.objects.filter(
            tube_id__in=[r[5] for r in rows if r[5] is not None], conflict=True
        ).values_list("tube_id", "outcome", "ct")
    )
    for index, barcode, value, ct, tested_at, tube_id, _accepted, _accepted_ct in rows:
        if tube_id is None:
            outcome.error(
                index, "barcode", _("No tube %(code)s sent to this lab.") % {"code": barcode}
            )
            continue
        ct = None if ct is None else Decimal(str(ct)).quantize(Decimal("0.1"))
        if (tube_id, value, ct) in seen:
            continue
        seen.add((tube_id, value, ct))
        tested_at = staged_time(tested_at)
        conflicts.append(
            TubeResult(
                tube_id=tube_id,
                outcome=value,
                ct=ct,
                tested_at=tested_at,
                lab=lab,
                conflict=True,
                source=source[:200],
                recorded_at=now,
            )  # fmt: skip
        )
    TubeResult.objects.bulk_create(conflicts)
    outcome.conflicts = len(conflicts)
    outcome.unchanged = (
        staged - outcome.accepted - outcome.conflicts - sum(1 for r in rows if r[5] is None)
    )


def _positives(
    actor: AnyUser, lab: Unit, tube_ids: list[int], now: dt.datetime, outcome: ResultsOutcome
) -> set[int]:
    """Push each new positive; a pool's members get a single re-test each (temporary control);
    an individual positive is the person's result. Returns the people individually positive."""
    individual: set[int] = set()
    if not tube_ids:
        return individual
    tubes = Tube.objects.filter(pk__in=tube_ids).select_related("unit")
    members: dict[int, list[int]] = {}
    for tube_id, person_id in Sample.objects.filter(tube_id__in=tube_ids).values_list(
        "tube_id", "person_id"
    ):
        members.setdefault(tube_id, []).append(person_id)
    retests: list[WithinTest] = []
    for tube in tubes:
        outcome.positives.append(tube.barcode)
        people = members.get(tube.pk, [])
        pooled = tube.kind in (TubeKind.POOL, TubeKind.HOUSEHOLD) and len(people) > 1
        for person_id in people:
            if pooled:
                clause = _(
                    "Pooled tube %(code)s positive: temporary control, single re-test at once "
                    "(单采单检)"
                ) % {"code": tube.barcode}
                owner = Owner(
                    tube.unit_id, ObligationSource.EVENT, person_id, rule_id="pool-positive",
                    clause=clause,
                )  # fmt: skip
                retests.append(WithinTest(owner, now + RETEST_WITHIN, retest_of=tube.barcode))
            else:
                individual.add(person_id)
        _notify_positive(tube, len(people), pooled, now)
        # G-03 / F-04: the pack's "report a positive at once" deadline, the lab answering.
        deadlines_open(trigger="positive_result", unit=lab, at=now, actor=actor)
    obligations_open(retests)
    return individual


def _notify_positive(tube: Tube, people: int, pooled: bool, now: dt.datetime) -> None:
    """The sampling unit's role holders and the county's (the top of the tree) hear at once."""
    top = "/" + tube.unit.path.strip("/").split("/")[0] + "/"
    users = set(
        Membership.objects.filter(unit__path__in=[tube.unit.path, top])
        .exclude(role=Role.VIEWER)
        .values_list("user_id", flat=True)
    )
    notifications_post(
        [
            Notification(
                user_id=user_id,
                unit=tube.unit,
                topic=NotificationTopic.POSITIVE,
                params={"tube": tube.barcode, "people": people, "pooled": pooled},
                link=f"/labs/tubes/{tube.barcode}/",
                created_at=now,
            )
            for user_id in users
        ]
    )

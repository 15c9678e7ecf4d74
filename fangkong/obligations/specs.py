"""What is owed and by when, typed: each spec owns its due-time convention and its ``detail``.

A spec is what an opener hands to ``obligations_open``; no other module writes or reads the keys of
``Obligation.detail`` (``date``, ``due_by``, ``since``, ``box``, ``retest_of`` …): the writers
build a spec here, the readers ask the queryset (``.of_box()``, ``.retests_of()``, …).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from fangkong.core import clock
from fangkong.core.bulk import JsonText
from fangkong.obligations.models import ObligationKind, ObligationSource

EMPTY = JsonText("{}")
# Periods are counted from a Monday, so a weekly period runs Monday to Sunday.
ANCHOR = dt.date(2020, 1, 6)


def period_of(day: dt.date, every_days: int) -> tuple[dt.date, dt.date]:
    """The period of ``every_days`` days holding ``day``: its first day and the day after it."""
    start = ANCHOR + dt.timedelta(days=(day - ANCHOR).days // every_days * every_days)
    return start, start + dt.timedelta(days=every_days)


@dataclass(frozen=True, slots=True)
class Owner:
    """Who answers for an obligation and which rule asks for it."""

    unit_id: int
    source: ObligationSource
    person_id: int | None = None
    pack_id: str = ""
    rule_id: str = ""
    clause: str = ""
    decision: uuid.UUID | str | None = None


@dataclass(frozen=True, slots=True)
class Due:
    """A deadline at a moment, with nothing more to say: a transfer, a report, a check-in slot."""

    owner: Owner
    kind: str
    due_at: dt.datetime

    def detail(self) -> JsonText:
        return EMPTY


@dataclass(frozen=True, slots=True)
class DayTest:
    """A test of a day (Dn of a schedule): due at the local midnight that ends the day, and met
    by a sample taken on that day."""

    owner: Owner
    day: dt.date
    double_sample: bool = False  # 双采双检 on the last test of a schedule
    kind = ObligationKind.TEST

    @property
    def due_at(self) -> dt.datetime:
        return clock.day_end(self.day)

    def detail(self) -> JsonText:
        if self.double_sample:
            return JsonText(json.dumps({"date": self.day.isoformat(), "double_sample": True}))
        return JsonText(f'{{"date": "{self.day.isoformat()}"}}')


@dataclass(frozen=True, slots=True)
class WithinTest:
    """A test within N hours of an event (due at ``due_by``), met by the earliest sample before
    it; ``retest_of`` names the positive pooled tube whose members each owe one (单采单检),
    ``drug_sale`` the pharmacy sale whose buyer owes one."""

    owner: Owner
    due_by: dt.datetime
    retest_of: str = ""
    drug_sale: int | None = None  # the pharmacy sale whose buyer it follows up (K-02)
    kind = ObligationKind.TEST

    @property
    def due_at(self) -> dt.datetime:
        return self.due_by

    def detail(self) -> JsonText:
        if self.drug_sale is not None:
            return JsonText(
                json.dumps({"due_by": self.due_by.isoformat(), "drug_sale": self.drug_sale})
            )
        if self.retest_of:
            return JsonText(
                json.dumps(
                    {
                        "retest_of": self.retest_of,
                        "due_by": self.due_by.isoformat(),
                        "control": True,
                    }
                )
            )
        return JsonText(f'{{"due_by": "{self.due_by.isoformat()}"}}')


@dataclass(frozen=True, slots=True)
class Periodic:
    """One test (or environment sample) per period of ``every_days`` days from ``since``: due at
    the local midnight that ends the period, met by any sample taken within it."""

    owner: Owner
    kind: str
    since: dt.date
    every_days: int

    @property
    def due_at(self) -> dt.datetime:
        return Periodic.due_for(self.since, self.every_days)

    @staticmethod
    def due_for(since: dt.date, every_days: int) -> dt.datetime:
        return clock.local_midnight(since + dt.timedelta(days=every_days))

    def detail(self) -> JsonText:
        return JsonText(
            json.dumps({"since": self.since.isoformat(), "every_days": self.every_days})
        )


@dataclass(frozen=True, slots=True)
class AfterEvent:
    """A pack's deadline counted from an event (a positive result, a sample received, a fever, a
    case, an outbreak, a pharmacy sale, a work injury): ``box`` is the box whose turnaround it
    is, ``fever_event`` the fever it follows up, ``case`` the case, ``outbreak`` the outbreak,
    ``drug_sale`` the pharmacy sale and ``work_injury`` the work injury it answers."""

    owner: Owner
    kind: str
    due_at: dt.datetime
    trigger: str = ""
    responsible: str = ""
    box: str = ""
    fever_event: int | None = None
    case: int | None = None
    outbreak: int | None = None
    drug_sale: int | None = None
    work_injury: int | None = None

    def detail(self) -> JsonText:
        detail: dict[str, Any] = {}
        if self.trigger:
            detail.update(trigger=self.trigger, responsible=self.responsible)
        if self.box:
            detail["box"] = self.box
        if self.fever_event is not None:
            detail["fever_event"] = self.fever_event
        if self.case is not None:
            detail["case"] = self.case
        if self.outbreak is not None:
            detail["outbreak"] = self.outbreak
        if self.drug_sale is not None:
            detail["drug_sale"] = self.drug_sale
        if self.work_injury is not None:
            detail["work_injury"] = self.work_injury
        return JsonText(json.dumps(detail))


@dataclass(frozen=True, slots=True)
class OfTravelRequest:
    """A deadline of a leave or travel request (J-01 … J-08): a step's decision, owed by the
    approver's unit before the trip, or the report on return, owed by the traveller's unit."""

    owner: Owner
    kind: str
    due_at: dt.datetime
    travel_request: int

    def detail(self) -> JsonText:
        return JsonText(f'{{"travel_request": {self.travel_request}}}')


@dataclass(frozen=True, slots=True)
class OfPlaybookRun:
    """A step of a playbook run live (N-01 … N-06): owed by the person named for the step's role
    (``responsible``), for the run's unit, by the step's minutes from the start."""

    owner: Owner
    kind: str
    due_at: dt.datetime
    playbook_run: int
    step: int
    responsible: str

    def detail(self) -> JsonText:
        return JsonText(
            json.dumps(
                {
                    "playbook_run": self.playbook_run,
                    "step": self.step,
                    "responsible": self.responsible,
                }
            )
        )


Spec = Due | DayTest | WithinTest | Periodic | AfterEvent | OfTravelRequest | OfPlaybookRun

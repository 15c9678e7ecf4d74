"""Reads of playbooks, scoped by ``org.access``: the playbooks of the plan in force at a unit,
the runs of the user's units, each step against the clock, and a run's score."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from fangkong.core import clock
from fangkong.org.access import AnyUser, any_role_scope
from fangkong.org.models import Unit
from fangkong.playbooks.models import PlaybookRun, RunStep
from fangkong.policy.packs import Playbook
from fangkong.policy.resolver import PackResolver

# A step done by its time earns full marks, one done late half, one not done none (ADR 0023).
ON_TIME_POINTS = 100
LATE_POINTS = 50
HISTORY_SHOWN = 50


def playbooks_at(unit: Unit) -> tuple[str, list[Playbook]]:
    """The plan in force at the unit (its id) and its playbooks."""
    pack = PackResolver.of_day(clock.localdate()).pack(unit.path)
    if pack is None:
        return "", []
    return pack.id, list(pack.playbooks)


def runs_visible(user: AnyUser) -> QuerySet[PlaybookRun]:
    """The runs of the units the user holds any role in (and of those below), newest first."""
    return (
        PlaybookRun.objects.filter(any_role_scope(user).units("unit__path"))
        .select_related("unit")
        .order_by("-started_at", "-id")
    )


@dataclass(frozen=True)
class Standing:
    """A step against the clock: done on time, done late, overdue, or still within its time;
    ``minutes_late`` counts the whole minutes past the step's due time."""

    state: str  # "on_time" | "late" | "overdue" | "open"
    minutes_late: int


def standing(step: RunStep, now: dt.datetime) -> Standing:
    moment = step.done_at or now
    late = max(0, int((moment - step.due_at).total_seconds() // 60))
    if step.done_at is not None:
        return Standing("on_time" if step.done_at <= step.due_at else "late", late)
    return Standing("overdue" if now > step.due_at else "open", late)


def score(steps: Iterable[RunStep]) -> int:
    """The run's score out of 100: the mean of its steps' points."""
    points = [
        0
        if step.done_at is None
        else ON_TIME_POINTS
        if step.done_at <= step.due_at
        else LATE_POINTS
        for step in steps
    ]
    return (2 * sum(points) + len(points)) // (2 * len(points)) if points else 0  # half up


def last_drill(user: AnyUser) -> PlaybookRun | None:
    """The latest scored drill of the user's units (the command view's panel)."""
    return (
        runs_visible(user)
        .filter(drill=True, finished_at__isnull=False)
        .order_by("-finished_at", "-id")
        .first()
    )

"""Reads of the work-plans app, all scoped through ``org.selectors.scope_q``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import Count, Q, QuerySet

from fangkong.core import clock
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.org.selectors import AnyUser, scope_q
from fangkong.policy.classify import local_midnight
from fangkong.policy.models import (
    Measure,
    MeasureStatus,
    Notification,
    Obligation,
    ObligationStatus,
    RiskArea,
)

ObligationState = Literal["overdue", "due_today", "open", "met"]


def obligations_list(
    user: AnyUser, *, state: ObligationState = "overdue", unit: Unit | None = None
) -> QuerySet[Obligation]:
    """The due/overdue list of the user's units (or of one unit's subtree), in due order.

    Overdue is open past its time or marked missed by the tick; each state reads one partial index
    (obligation_open_unit_due_idx, obligation_missed_unit_idx).
    """
    now = clock.now()
    rows = Obligation.objects.filter(scope_q(user, Capability.VIEW_PEOPLE, "unit__path"))
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    if state == "overdue":
        rows = rows.filter(
            Q(status=ObligationStatus.MISSED) | Q(status=ObligationStatus.OPEN, due_at__lt=now)
        )
    elif state == "due_today":
        end = local_midnight(clock.localdate() + dt.timedelta(days=1))
        rows = rows.filter(status=ObligationStatus.OPEN, due_at__gte=now, due_at__lt=end)
    elif state == "open":
        rows = rows.filter(status=ObligationStatus.OPEN)
    else:
        rows = rows.filter(status=ObligationStatus.MET)
    return rows.select_related("unit", "person").order_by("due_at", "id")


def obligations_counts(user: AnyUser, unit: Unit | None = None) -> dict[str, int]:
    return {
        state: obligations_list(user, state=state, unit=unit).order_by().count()
        for state in ("overdue", "due_today")
    }


def measures_active(user: AnyUser, *, unit: Unit | None = None) -> QuerySet[Measure]:
    """Who in my units is under which measure, and why (the rule and its explanation)."""
    rows = Measure.objects.filter(
        scope_q(user, Capability.VIEW_PEOPLE, "unit__path"), status=MeasureStatus.ACTIVE
    )
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    return rows.select_related("person", "unit", "site").order_by(
        "unit__path", "person_id", "phase"
    )


def measures_summary(user: AnyUser, unit: Unit | None = None) -> dict[str, int]:
    rows = measures_active(user, unit=unit).order_by().values("kind").annotate(n=Count("id"))
    return {row["kind"]: row["n"] for row in rows}


def risk_areas_current() -> QuerySet[RiskArea]:
    return RiskArea.objects.filter(is_current=True).select_related("region", "created_by")


def risk_area_history(area: RiskArea) -> list[RiskArea]:
    """The versions of an area, oldest first: predecessors then successors through replaced_by."""
    chain = [area]
    previous = RiskArea.objects.filter(replaced_by=area).first()
    while previous is not None:
        chain.insert(0, previous)
        previous = RiskArea.objects.filter(replaced_by=previous).first()
    following = area.replaced_by
    while following is not None:
        chain.append(following)
        following = following.replaced_by
    return chain


def inbox(user: AnyUser) -> QuerySet[Notification]:
    if user.pk is None:
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk).select_related("unit")

"""Reads of deadlines and the inbox, scoped through ``org.access``."""

from __future__ import annotations

from typing import Literal

from django.db.models import QuerySet

from fangkong.core import clock
from fangkong.obligations.models import Notification, Obligation, ObligationQuerySet
from fangkong.org.access import AnyUser, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability

ObligationState = Literal["overdue", "due_today", "open", "met"]


def obligations_list(
    user: AnyUser,
    *,
    state: ObligationState = "overdue",
    unit: Unit | None = None,
    capability: Capability = Capability.VIEW_PEOPLE,
) -> ObligationQuerySet:
    """The due/overdue list of the user's units (or of one unit's subtree), in due order.

    Overdue is open past its time, or marked missed by the tick; both read the partial indexes of
    pending rows (obligation_pending_due_idx, obligation_pending_unit_idx).
    """
    now = clock.now()
    rows = Obligation.objects.filter(scope(user, capability).units("unit__path"))
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    if state == "overdue":
        rows = rows.overdue(now)
    elif state == "due_today":
        end = clock.day_end(clock.localdate())
        # A test of a day is due at the midnight that ends it: that is still "today".
        rows = rows.open().filter(due_at__gte=now, due_at__lte=end)
    elif state == "open":
        rows = rows.open()
    else:
        rows = rows.met()
    return rows.select_related("unit", "person").order_by("due_at", "id")


COUNT_CAP = 10_000


def obligations_counts(user: AnyUser, unit: Unit | None = None) -> dict[str, int]:
    """Overdue and due-today counts, counted up to COUNT_CAP (the page shows "10000+"): beyond
    that a headquarters needs the list by unit, not a bigger number, and counting stays fast."""
    return {
        state: obligations_list(user, state=state, unit=unit)  # type: ignore[arg-type]
        .order_by()
        .values("pk")[: COUNT_CAP + 1]
        .count()
        for state in ("overdue", "due_today")
    }


def inbox(user: AnyUser) -> QuerySet[Notification]:
    if user.pk is None:
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk).select_related("unit")

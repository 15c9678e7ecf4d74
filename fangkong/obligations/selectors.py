"""Reads of deadlines and the inbox, scoped through ``org.access``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db.models import Count, Min, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.obligations.models import (
    Notification,
    Obligation,
    ObligationKind,
    ObligationQuerySet,
    ObligationStatus,
)
from fangkong.org.access import AnyUser, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.people.timeline import Entry, before_filter, timeline_reader

ObligationState = Literal["overdue", "due_today", "open", "met"]

# How a list may be ordered: the key a page or API accepts, and the columns it orders by.
ORDERS = {
    "due": ("due_at", "id"),
    "-due": ("-due_at", "-id"),
    "unit": ("unit__path", "due_at", "id"),
    "kind": ("kind", "due_at", "id"),
}


def obligations_list(
    user: AnyUser,
    *,
    state: ObligationState = "overdue",
    unit: Unit | None = None,
    capability: Capability = Capability.VIEW_PEOPLE,
    only_unit: bool = False,
    kind: str = "",
    order: str = "due",
) -> ObligationQuerySet:
    """The due/overdue list of the user's units (or of one unit's subtree, or of that unit alone
    with ``only_unit``: a group's drill-down), in due order unless ``order`` says otherwise.

    Overdue is open past its time, or marked missed by the tick; both read the partial indexes of
    pending rows (obligation_pending_due_idx, obligation_pending_unit_idx).
    """
    now = clock.now()
    rows = Obligation.objects.filter(scope(user, capability).units("unit__path"))
    if unit is not None:
        rows = (
            rows.filter(unit=unit) if only_unit else rows.filter(unit__path__startswith=unit.path)
        )
    if kind:
        rows = rows.filter(kind=kind)
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
    return rows.select_related("unit", "person").order_by(*ORDERS.get(order, ORDERS["due"]))


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


# The groups a page shows: beyond that, a headquarters narrows to a unit first.
GROUP_CAP = 500

# How groups may be ordered.
GROUP_ORDERS = {
    "-count": ("-count", "unit__path", "kind"),
    "count": ("count", "unit__path", "kind"),
    "unit": ("unit__path", "kind"),
    "kind": ("kind", "-count"),
    "due": ("earliest", "unit__path"),
}


@dataclass(frozen=True)
class ObligationGroup:
    """The deadlines of one state that one unit answers for, of one kind."""

    unit: Unit
    kind: str
    count: int
    earliest: dt.datetime

    @property
    def kind_label(self) -> str:
        return str(ObligationKind(self.kind).label) if self.kind in ObligationKind.values else ""


def obligations_grouped(
    user: AnyUser,
    *,
    state: ObligationState = "overdue",
    unit: Unit | None = None,
    order: str = "-count",
) -> list[ObligationGroup]:
    """Counts by responsible unit and kind (one GROUP BY over the same rows as the list), at
    most GROUP_CAP groups; each group drills down to the list of that unit and kind."""
    rows = list(
        obligations_list(user, state=state, unit=unit)
        .order_by()
        .values("unit", "kind")
        .annotate(count=Count("id"), earliest=Min("due_at"))
        .order_by(*GROUP_ORDERS.get(order, GROUP_ORDERS["-count"]))[:GROUP_CAP]
    )
    units = Unit.objects.in_bulk({row["unit"] for row in rows})
    return [
        ObligationGroup(units[row["unit"]], row["kind"], row["count"], row["earliest"])
        for row in rows
    ]


def inbox(user: AnyUser) -> QuerySet[Notification]:
    if user.pk is None:
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk).select_related("unit")


@timeline_reader
def _deadlines(
    person: Person, viewer: AnyUser, before: dt.datetime | None, limit: int
) -> list[Entry]:
    """The person's deadlines at their due time (an upcoming one tops the file)."""
    rows = (
        Obligation.objects.filter(person=person)
        .filter(before_filter("due_at", before))
        .select_related("unit")
        .order_by("-due_at", "-id")[:limit]
    )
    link = reverse("obligation-list")
    return [
        Entry(
            obligation.due_at,
            "deadline",
            _("%(kind)s due, %(status)s")
            % {"kind": obligation.get_kind_display(), "status": obligation.get_status_display()}
            + (f" {obligation.met_at:%m-%d %H:%M}" if obligation.met_at else "")
            + (f" · {obligation.note}" if obligation.note else ""),
            f"{link}?unit={obligation.unit_id}&only=1&kind={obligation.kind}"
            f"&state={'met' if obligation.status == ObligationStatus.MET else 'open'}",
            alert=obligation.status == ObligationStatus.MISSED,
        )
        for obligation in rows
    ]

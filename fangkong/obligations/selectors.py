"""Reads of deadlines and the inbox, scoped through ``org.access``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.obligations.models import (
    MET_ON_TIME,
    PENDING,
    Notification,
    Obligation,
    ObligationKind,
    ObligationQuerySet,
    ObligationSource,
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


# The units named as answering for late deadlines, most late first.
SIZAO_UNITS_LISTED = 200


@dataclass
class LateUnit:
    """A unit answering for late deadlines of one kind: how many were late, how many still open."""

    unit_id: int
    name: str
    late: int
    open_late: int

    def link(self, kind: str) -> str:
        """The deadline list of this unit and kind: the open late ones, or the met ones (the
        contacts' transfers among the unit's transfers)."""
        state = "overdue" if self.open_late else "met"
        kind = ObligationKind.TRANSFER if kind == CONTACTS_PLACED else kind
        return f"{reverse('obligation-list')}?state={state}&unit={self.unit_id}&only=1&kind={kind}"


# The board's kind of a contact's transfer to quarantine within 12 h (G-08, 密接和次密接转运),
# which the contact's classification opens: the contacts placed, apart from the cases' transfers
# (G-06, G-09) that an event opens.
CONTACTS_PLACED = "contacts_placed"
_BOARD_KIND = Case(
    When(
        kind=ObligationKind.TRANSFER,
        source=ObligationSource.CLASSIFICATION,
        then=Value(CONTACTS_PLACED),
    ),
    default=F("kind"),
    output_field=CharField(),
)


@dataclass
class SizaoKind:
    """One kind of deadline in the period: how many fell due, met on time, met late, still open
    and late, not yet due; the median and worst lateness of the late ones, and who answers."""

    kind: str
    due: int
    on_time: int
    met_late: int
    open_late: int
    not_yet_due: int
    worst: dt.timedelta | None
    median: dt.timedelta | None = None
    units: list[LateUnit] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.kind == CONTACTS_PLACED:
            return _("contacts placed (transfer to quarantine)")
        return str(ObligationKind(self.kind).label) if self.kind in ObligationKind.values else ""

    @property
    def late(self) -> int:
        return self.met_late + self.open_late

    @property
    def on_time_share(self) -> float | None:
        """Of those whose time has come (met, or past due), the share met on time."""
        settled = self.due - self.not_yet_due
        return self.on_time / settled if settled else None

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "label": self.label,
            "due": self.due,
            "on_time": self.on_time,
            "met_late": self.met_late,
            "open_late": self.open_late,
            "not_yet_due": self.not_yet_due,
            "median_late_minutes": span_minutes(self.median),
            "worst_late_minutes": span_minutes(self.worst),
            "units": [
                {
                    "unit_id": u.unit_id,
                    "name": u.name,
                    "late": u.late,
                    "open_late": u.open_late,
                    "link": u.link(self.kind),
                }
                for u in self.units
            ],
        }


def span_minutes(span: dt.timedelta | None) -> int | None:
    """A span in whole minutes, for the API."""
    return None if span is None else round(span.total_seconds() / 60)


def sizao_rows(
    user: AnyUser, start: dt.datetime, end: dt.datetime, unit: Unit | None = None
) -> ObligationQuerySet:
    """The 四早 board's deadlines due from ``start`` up to ``end`` in the user's units (or one
    unit's subtree); obligation_response_due_idx serves the period."""
    rows = Obligation.objects.responses().filter(
        scope(user, Capability.VIEW_PEOPLE).units("unit__path"), due_at__gte=start, due_at__lt=end
    )
    return rows.filter(unit__path__startswith=unit.path) if unit is not None else rows


def sizao_board(
    user: AnyUser, start: dt.datetime, end: dt.datetime, unit: Unit | None = None
) -> list[SizaoKind]:
    """Each kind of deadline due in the period, in the kinds' order (the contacts placed after
    the transfers): three grouped queries over the period's rows (counts and the worst lateness;
    the middle late rows of each kind; the units answering for late ones), whatever the number
    of rows."""
    now = clock.now()
    rows = sizao_rows(user, start, end, unit).order_by().annotate(board_kind=_BOARD_KIND)
    met = Q(status=ObligationStatus.MET)
    met_late = met & Q(met_at__gt=F("due_at"))
    open_late = Q(status__in=PENDING, due_at__lt=now)
    late = met_late | open_late
    lateness = ExpressionWrapper(
        Coalesce("met_at", Value(now)) - F("due_at"), output_field=DurationField()
    )
    kinds = {
        row[0]: SizaoKind(*row)
        for row in rows.values_list("board_kind").annotate(
            due=Count("id"),
            on_time=Count("id", filter=MET_ON_TIME),
            met_late=Count("id", filter=met_late),
            open_late=Count("id", filter=open_late),
            not_yet_due=Count("id", filter=Q(status__in=PENDING, due_at__gte=now)),
            worst=Max(lateness, filter=late),
        )
    }
    # The median: the one or two middle rows of each kind's late ones, by lateness.
    middle: dict[str, list[dt.timedelta]] = defaultdict(list)
    for kind, span in (
        rows.filter(late)
        .annotate(lateness=lateness)
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("board_kind")], order_by=[F("lateness").asc()]
            ),
            total=Window(Count("id"), partition_by=[F("board_kind")]),
        )
        .filter(position__gte=F("total") / 2.0, position__lte=F("total") / 2.0 + 1)
        .values_list("board_kind", "lateness")
    ):
        middle[kind].append(span)
    for kind, spans in middle.items():
        if kind in kinds:
            kinds[kind].median = sum(spans, dt.timedelta()) / len(spans)
    for kind, unit_id, name, n, still_open in (
        rows.filter(late)
        .values_list("board_kind", "unit_id", "unit__name")
        .annotate(n=Count("id"), still_open=Count("id", filter=open_late))
        .order_by("-n", "unit__name")[:SIZAO_UNITS_LISTED]
    ):
        if kind in kinds:
            kinds[kind].units.append(LateUnit(unit_id, name, n, still_open))
    order = {kind: 2 * number for number, kind in enumerate(ObligationKind.values)}
    order[CONTACTS_PLACED] = order[ObligationKind.TRANSFER] + 1
    return sorted(kinds.values(), key=lambda row: order.get(row.kind, 2 * len(order)))

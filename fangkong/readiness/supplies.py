"""Supplies (防疫物资): a unit's stock by batch and expiry, receipts and consumption, requests to
the unit above and issues down, and the cover in days against the plan's targets (L-07).

Writes are one transaction each with their audit row; a draw (consumption, an issue) takes the
batches that expire first, locked in id order, and is refused whole when the stock is short.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.inputs import date_problem
from fangkong.org.access import AnyUser, Scope, acting_user, any_role_scope, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Person, PersonUnit
from fangkong.policy.packs import SupplyTarget
from fangkong.policy.resolver import PackResolver
from fangkong.readiness.models import (
    ITEM_MEASURES,
    MoveKind,
    RequestStatus,
    StockBatch,
    StockMove,
    SupplyItem,
    SupplyRequest,
)

QUANTITY_MAX = 10_000_000
# Stock expiring within these days is flagged (口罩过期 … L-07).
EXPIRING_DAYS = 30
# The days of consumption a unit's daily use is averaged over, for targets with no per-person use.
USE_DAYS = 30
# The units the overview and the command view weigh at most (a county's schools and villages).
OVERVIEW_UNITS = 500


def _quantity_problems(item: str, quantity: int) -> dict[str, str]:
    problems: dict[str, str] = {}
    if item not in SupplyItem.values:
        problems["item"] = _("Choose an item of the catalogue.")
    if not 1 <= quantity <= QUANTITY_MAX:
        problems["quantity"] = _("The quantity is a whole number from 1 to 10,000,000.")
    return problems


def _may_keep(actor: AnyUser, unit: Unit) -> None:
    if not user_can(actor, Capability.KEEP_SUPPLIES, unit):
        raise PermissionDenied(_("You may not keep this unit's supplies."))


def _move(
    actor: AnyUser, unit: Unit, item: str, kind: MoveKind, change: int, other: Unit | None = None
) -> None:
    StockMove.objects.create(
        unit=unit,
        item=item,
        kind=kind,
        change=change,
        other_unit=other,
        at=clock.now(),
        by=acting_user(actor),
    )


@transaction.atomic
def stock_receive(
    *, actor: AnyUser, unit: Unit, item: str, quantity: int, expires_on: dt.date | None
) -> StockBatch:
    """A receipt (入库): a new batch of the item with its expiry."""
    _may_keep(actor, unit)
    problems = _quantity_problems(item, quantity)
    if expires_on is not None and (problem := date_problem(expires_on)):
        problems["expires_on"] = problem
    if problems:
        raise ValidationError(problems)
    batch = StockBatch.objects.create(
        unit=unit, item=item, quantity=quantity, expires_on=expires_on, received_at=clock.now()
    )
    _move(actor, unit, item, MoveKind.RECEIPT, quantity)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="stock",
        object_id=batch.pk,
        unit_id=unit.pk,
        summary=f"{SupplyItem(item).label} +{quantity}",
    )
    return batch


def _draw(unit: Unit, item: str, quantity: int) -> list[tuple[StockBatch, int]]:
    """Take ``quantity`` from the unit's unexpired batches of the item, the first to expire
    first; the batches and what was taken of each. Refused naming ``quantity`` when short."""
    today = clock.localdate()
    batches = list(
        StockBatch.objects.select_for_update()
        .filter(unit=unit, item=item, quantity__gt=0)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .order_by(F("expires_on").asc(nulls_last=True), "id")
    )
    held = sum(batch.quantity for batch in batches)
    if held < quantity:
        raise ValidationError(
            {
                "quantity": _("Only %(held)d %(measure)s in stock.")
                % {"held": held, "measure": ITEM_MEASURES[SupplyItem(item)]}
            }
        )
    taken: list[tuple[StockBatch, int]] = []
    left = quantity
    for batch in batches:
        if not left:
            break
        take = min(left, batch.quantity)
        batch.quantity -= take
        left -= take
        taken.append((batch, take))
    StockBatch.objects.bulk_update([batch for batch, _take in taken], ["quantity"])
    return taken


@transaction.atomic
def stock_consume(*, actor: AnyUser, unit: Unit, item: str, quantity: int) -> int:
    """Consumption (消耗): the quantity used, drawn from the batches that expire first."""
    _may_keep(actor, unit)
    problems = _quantity_problems(item, quantity)
    if problems:
        raise ValidationError(problems)
    _draw(unit, item, quantity)
    _move(actor, unit, item, MoveKind.CONSUMPTION, -quantity)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="stock",
        object_id="",
        unit_id=unit.pk,
        summary=f"{SupplyItem(item).label} -{quantity}",
    )
    return quantity


@transaction.atomic
def supply_request(
    *, actor: AnyUser, unit: Unit, item: str, quantity: int, note: str = ""
) -> SupplyRequest:
    """A request (申领) to the unit above: village → township → county."""
    _may_keep(actor, unit)
    problems = _quantity_problems(item, quantity)
    above = unit.parent_id
    if above is None:
        problems["unit"] = _("The top unit has nobody above it to ask.")
    if problems or above is None:
        raise ValidationError(problems)
    request = SupplyRequest.objects.create(
        unit=unit,
        to_unit_id=above,
        item=item,
        quantity=quantity,
        note=note.strip()[:200],
        created_at=clock.now(),
        created_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="supply_request",
        object_id=request.pk,
        unit_id=unit.pk,
        summary=f"{SupplyItem(item).label} ×{quantity}",
    )
    return request


@transaction.atomic
def stock_issue(
    *,
    actor: AnyUser,
    from_unit: Unit,
    to_unit: Unit,
    item: str,
    quantity: int,
    request: SupplyRequest | None = None,
) -> list[StockBatch]:
    """An issue down (下拨): the stock moves from the giver's batches into the same expiries at
    a unit below it; it answers the request when one is named."""
    _may_keep(actor, from_unit)
    problems = _quantity_problems(item, quantity)
    if to_unit.pk == from_unit.pk or not to_unit.path.startswith(from_unit.path):
        problems["to_unit"] = _("Supplies are issued to a unit below.")
    if request is not None and (
        request.status != RequestStatus.OPEN
        or request.to_unit_id != from_unit.pk
        or request.unit_id != to_unit.pk
        or request.item != item
    ):
        problems["request"] = _("This request is not open for this issue.")
    if problems:
        raise ValidationError(problems)
    now = clock.now()
    received = StockBatch.objects.bulk_create(
        [
            StockBatch(
                unit=to_unit, item=item, quantity=take, expires_on=batch.expires_on, received_at=now
            )
            for batch, take in _draw(from_unit, item, quantity)
        ]
    )
    _move(actor, from_unit, item, MoveKind.ISSUED, -quantity, to_unit)
    _move(actor, to_unit, item, MoveKind.RECEIVED, quantity, from_unit)
    if request is not None:
        SupplyRequest.objects.filter(pk=request.pk).update(status=RequestStatus.ISSUED)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="stock",
        object_id=received[0].pk,
        unit_id=from_unit.pk,
        summary=f"{SupplyItem(item).label} ×{quantity} → {to_unit.name}",
    )
    return received


# --- reads -------------------------------------------------------------------------------


def batches_visible(user: AnyUser) -> QuerySet[StockBatch]:
    return StockBatch.objects.filter(any_role_scope(user).units("unit__path"), quantity__gt=0)


def requests_visible(user: AnyUser) -> QuerySet[SupplyRequest]:
    """Requests made by or to the user's units."""
    reach = any_role_scope(user)
    return SupplyRequest.objects.filter(
        reach.units("unit__path") | reach.units("to_unit__path")
    ).select_related("unit", "to_unit")


@dataclass
class Cover:
    """One item of a unit: what it holds unexpired, what expires soon, and against the plan's
    target (when one applies) how many days of use that is."""

    item: SupplyItem
    held: int = 0
    expiring: int = 0
    expiring_on: dt.date | None = None
    target: SupplyTarget | None = None
    daily_use: float | None = None

    @property
    def measure(self) -> str:
        return str(ITEM_MEASURES[self.item])

    @property
    def days(self) -> float | None:
        if not self.daily_use:
            return None
        return self.held / self.daily_use

    @property
    def short(self) -> bool:
        """Below the plan's target: fewer days than it asks, or nothing held of a target item."""
        if self.target is None:
            return False
        if self.days is None:
            return self.held == 0
        return self.days < self.target.days

    @property
    def needed(self) -> int:
        """What would bring the stock up to the target (0 when unknown or covered)."""
        if self.target is None or not self.daily_use:
            return 0
        return max(0, round(self.target.days * self.daily_use) - self.held)


@dataclass
class UnitCover:
    unit: Unit
    items: list[Cover] = field(default_factory=list)

    @property
    def short(self) -> list[Cover]:
        return [cover for cover in self.items if cover.short]

    @property
    def expiring(self) -> list[Cover]:
        return [cover for cover in self.items if cover.expiring]


def covers(units: list[Unit], resolver: PackResolver | None = None) -> list[UnitCover]:
    """The cover of each unit's items: three aggregate queries for all of them (stock, recent
    consumption, headcount), the plans read in memory. Items with neither stock nor a target
    are left out."""
    if not units:
        return []
    today = clock.localdate()
    resolver = resolver or PackResolver.of_day(today)
    ids = [unit.pk for unit in units]
    soon = today + dt.timedelta(days=EXPIRING_DAYS)
    unexpired = Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    stock = {
        (row["unit_id"], row["item"]): row
        for row in StockBatch.objects.filter(unexpired, unit_id__in=ids, quantity__gt=0)
        .values("unit_id", "item")
        .annotate(
            held=Sum("quantity"),
            expiring=Sum("quantity", filter=Q(expires_on__lte=soon)),
        )
    }
    first_expiry = {
        (row["unit_id"], row["item"]): row["first"]
        for row in StockBatch.objects.filter(
            unit_id__in=ids, quantity__gt=0, expires_on__gte=today, expires_on__lte=soon
        )
        .values("unit_id", "item")
        .annotate(first=Min("expires_on"))
    }
    since = clock.now() - dt.timedelta(days=USE_DAYS)
    used = {
        (row["unit_id"], row["item"]): -row["used"]
        for row in StockMove.objects.filter(
            unit_id__in=ids, kind=MoveKind.CONSUMPTION, at__gte=since
        )
        .values("unit_id", "item")
        .annotate(used=Sum("change"))
    }
    targets = {unit.pk: _targets(unit, resolver) for unit in units}
    per_person = [unit for unit in units if any(t.per_person_daily for t in targets[unit.pk])]
    heads = _headcounts(per_person)
    answer = []
    for unit in units:
        unit_targets = {target.item: target for target in targets[unit.pk]}
        unit_cover = UnitCover(unit)
        for item in SupplyItem:
            row = stock.get((unit.pk, item.value))
            target = unit_targets.get(item.value)
            if row is None and target is None:
                continue
            cover = Cover(item, target=target)
            if row is not None:
                cover.held = row["held"] or 0
                cover.expiring = row["expiring"] or 0
                cover.expiring_on = first_expiry.get((unit.pk, item.value))
            if target is not None and target.per_person_daily:
                cover.daily_use = heads.get(unit.pk, 0) * target.per_person_daily or None
            elif (unit.pk, item.value) in used:
                cover.daily_use = used[(unit.pk, item.value)] / USE_DAYS
            unit_cover.items.append(cover)
        answer.append(unit_cover)
    return answer


def _targets(unit: Unit, resolver: PackResolver) -> list[SupplyTarget]:
    pack = resolver.pack(unit.path)
    if pack is None:
        return []
    return [target for target in pack.supplies if unit.kind in target.unit_kinds]


def _headcounts(units: list[Unit]) -> dict[int, int]:
    """The people of each unit's subtree (师生总数): those registered there (one query grouped by
    the people's own unit) and those registered elsewhere who belong to it — a pupil registered
    in the home village and tied to a class (one query of the ties) — each person once."""
    if not units:
        return {}
    wanted = {unit.path: unit.pk for unit in units}
    counts = dict.fromkeys(wanted.values(), 0)
    scope = Scope(tuple(wanted))
    rows = (
        Person.objects.filter(scope.units("unit__path"))
        .values_list("unit__path")
        .annotate(n=Count("pk"))
    )
    for path, n in rows:
        for unit_path in _ancestors(path):
            if unit_path in wanted:
                counts[wanted[unit_path]] += n
    tied: dict[int, set[int]] = {pk: set() for pk in counts}
    for path, person_id, home in PersonUnit.objects.filter(scope.units("unit__path")).values_list(
        "unit__path", "person_id", "person__unit__path"
    ):
        for unit_path in _ancestors(path):
            if unit_path in wanted and not home.startswith(unit_path):
                tied[wanted[unit_path]].add(person_id)
    return {pk: n + len(tied[pk]) for pk, n in counts.items()}


def _ancestors(path: str) -> list[str]:
    """A unit path and the paths of the units above it."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:depth]) + "/" for depth in range(1, len(parts) + 1)]


def covers_short_first(user: AnyUser) -> list[UnitCover]:
    """The user's units that hold stock or that a plan sets a target (at most OVERVIEW_UNITS),
    those short of it first, then those with stock expiring, by path: the county overview."""
    resolver = PackResolver.of_day(clock.localdate())
    kinds = {k for pack in resolver.packs for t in pack.supplies for k in t.unit_kinds}
    reach = any_role_scope(user)
    stocked = StockBatch.objects.filter(quantity__gt=0).values("unit_id")
    units = list(
        Unit.objects.filter(reach.units())
        .filter(Q(kind__in=kinds) | Q(pk__in=stocked))
        .order_by("path")[:OVERVIEW_UNITS]
    )
    found = covers(units, resolver)
    found.sort(key=lambda cover: (not cover.short, not cover.expiring, cover.unit.path))
    return found


def requests_open_to(unit: Unit) -> QuerySet[SupplyRequest]:
    return SupplyRequest.objects.filter(to_unit=unit, status=RequestStatus.OPEN).select_related(
        "unit"
    )


def moves_of(unit: Unit, limit: int) -> list[StockMove]:
    return list(StockMove.objects.filter(unit=unit).select_related("other_unit")[:limit])


def short_counts(user: AnyUser) -> dict[str, int]:
    """The command view's panel: how many of the user's units are short of a target, how many
    hold stock expiring soon."""
    found = covers_short_first(user)
    return {
        "short": sum(1 for cover in found if cover.short),
        "expiring": sum(1 for cover in found if cover.expiring),
    }

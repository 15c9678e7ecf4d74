"""Reads of the pharmacy purchase register, scoped by ``org.access``: a pharmacist sees the sales
of their pharmacy alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from fangkong.core import clock
from fangkong.obligations.models import Obligation, ObligationKind, ObligationStatus
from fangkong.org.access import AnyUser, scope
from fangkong.org.roles import Capability
from fangkong.pharmacy.models import DrugSale

FOLLOW_UP_RULE = "pharmacy-follow-up"  # the rule id of the buyer's follow-up test (services)


def sales_visible(user: AnyUser) -> QuerySet[DrugSale]:
    """Sales of the pharmacies where the user keeps the register, newest first."""
    return (
        DrugSale.objects.filter(scope(user, Capability.RECORD_SALES).units("pharmacy__path"))
        .select_related("pharmacy", "person")
        .order_by("-sold_at", "-id")
    )


def sale_obligations(sales: Sequence[DrugSale]) -> dict[int, dict[str, ObligationStatus]]:
    """{sale id: {"report": status, "follow_up": status}} of the shown sales, in one read."""
    found: dict[int, dict[str, ObligationStatus]] = {}
    for detail, kind, status in Obligation.objects.filter(
        detail__drug_sale__in=[sale.pk for sale in sales]
    ).values_list("detail", "kind", "status"):
        found.setdefault(int(detail["drug_sale"]), {})[
            "follow_up" if kind == ObligationKind.TEST else "report"
        ] = ObligationStatus(status)
    return found


@dataclass(frozen=True)
class PharmacyCount:
    name: str
    today: int
    week: int
    follow_ups_open: int


def pharmacy_counts(user: AnyUser) -> list[PharmacyCount]:
    """Per pharmacy the user sees: sales today, in the last 7 days, and buyers whose follow-up
    test is still owed (the command view's sentinel panel, K-04, K-05). One statement."""
    now = clock.now()
    today = clock.day_bounds(clock.localdate())[0]
    owed = Obligation.objects.pending().filter(
        person_id=OuterRef("person_id"), rule_id=FOLLOW_UP_RULE
    )
    rows = (
        DrugSale.objects.filter(
            scope(user, Capability.RECORD_SALES).units("pharmacy__path"),
            sold_at__gte=now - dt.timedelta(days=7),
        )
        .values("pharmacy_id")
        .annotate(
            today=Count("id", filter=Q(sold_at__gte=today)),
            week=Count("id"),
            follow_ups_open=Count("id", filter=Q(Exists(owed))),
        )
        .values_list("pharmacy__name", "today", "week", "follow_ups_open")
        .order_by("pharmacy__name")
    )
    return [PharmacyCount(*row) for row in rows]

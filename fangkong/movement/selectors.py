"""Reads of gathering applications, scoped by ``org.access``."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fangkong.movement.models import ApplicationStatus, GatheringApplication
from fangkong.org.access import AnyUser, scope
from fangkong.org.roles import Capability


def gatherings_visible(user: AnyUser) -> QuerySet[GatheringApplication]:
    """Applications filed with the user's units, and those the user decides, newest first."""
    filed = scope(user, Capability.VIEW_PEOPLE)
    decided = scope(user, Capability.APPROVE_GATHERINGS)
    # An empty Q (everywhere) would vanish from an OR: everywhere is no filter at all.
    everywhere = filed.paths is None or decided.paths is None
    return (
        GatheringApplication.objects.filter(
            Q() if everywhere else filed.units("unit__path") | decided.units("approver_unit__path")
        )
        .select_related("unit")
        .order_by("-created_at", "-id")
    )


def gatherings_to_decide(user: AnyUser) -> QuerySet[GatheringApplication]:
    """The approver's queue: pending applications whose deciding unit is in the user's units."""
    return (
        GatheringApplication.objects.filter(status=ApplicationStatus.PENDING)
        .filter(scope(user, Capability.APPROVE_GATHERINGS).units("approver_unit__path"))
        .select_related("unit")
        .order_by("held_on", "id")
    )

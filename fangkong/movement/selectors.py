"""Reads of gathering applications and of leave and travel requests, scoped by ``org.access``."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fangkong.core import clock
from fangkong.movement.models import (
    ApplicationStatus,
    ApprovalStep,
    GatheringApplication,
    ReturneeReport,
    StepStatus,
    TravelRequest,
)
from fangkong.org.access import AnyUser, role_scope, scope
from fangkong.org.roles import ROLE_CAPABILITIES, Capability, Role


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


def gatherings_planned(user: AnyUser) -> QuerySet[GatheringApplication]:
    """What is planned in the user's area (a village sees its own): gatherings filed with the
    user's units still to be held, today or later and not refused, the soonest first."""
    return (
        GatheringApplication.objects.filter(scope(user, Capability.VIEW_PEOPLE).units("unit__path"))
        .filter(held_on__gte=clock.localdate())
        .exclude(status=ApplicationStatus.REFUSED)
        .select_related("unit")
        .order_by("held_on", "id")
    )


def gatherings_to_decide(user: AnyUser) -> QuerySet[GatheringApplication]:
    """The approver's queue: pending applications whose deciding unit is in the user's units."""
    return (
        GatheringApplication.objects.filter(status=ApplicationStatus.PENDING)
        .filter(scope(user, Capability.APPROVE_GATHERINGS).units("approver_unit__path"))
        .select_related("unit")
        .order_by("held_on", "id")
    )


def travel_requests_visible(user: AnyUser) -> QuerySet[TravelRequest]:
    """Requests of people of the user's units, newest first (the approvers see theirs in the
    queue)."""
    return (
        TravelRequest.objects.filter(scope(user, Capability.VIEW_PEOPLE).units("unit__path"))
        .select_related("person", "unit", "to_region")
        .order_by("-created_at", "-id")
    )


def steps_to_decide(user: AnyUser) -> QuerySet[ApprovalStep]:
    """The approver's queue: the steps waiting for a role the user holds over the step's unit
    (a commander stands in for every role below); trips leaving soonest first."""
    deciders = [
        role
        for role in Role
        if Capability.APPROVE_REQUESTS in ROLE_CAPABILITIES[role] and role != Role.COMMANDER
    ]
    commanded = role_scope(user, Role.COMMANDER)
    steps = ApprovalStep.objects.filter(status=StepStatus.WAITING)
    if not commanded.everywhere:
        mine = commanded.units("approver_unit__path")
        for role in deciders:
            mine |= Q(role=role) & role_scope(user, role).units("approver_unit__path")
        steps = steps.filter(mine)
    return steps.select_related(
        "request__person", "request__unit", "request__to_region", "approver_unit"
    ).order_by("request__leave_on", "id")


def returnee_reports_visible(user: AnyUser) -> QuerySet[ReturneeReport]:
    """Reports received by the user's units, newest first."""
    return (
        ReturneeReport.objects.filter(scope(user, Capability.VIEW_PEOPLE).units("unit__path"))
        .select_related("person", "unit", "from_region")
        .order_by("-created_at", "-id")
    )

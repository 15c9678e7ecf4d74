from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fangkong.audit.models import AuditEvent
from fangkong.org.access import scope, user_can
from fangkong.org.roles import Capability


@login_required
def audit_list_view(request: HttpRequest) -> HttpResponse:
    """The audit trail of the user's units, newest first (keyset paging on id)."""
    if not user_can(request.user, Capability.VIEW_AUDIT):
        raise PermissionDenied
    events = AuditEvent.objects.filter(
        scope(request.user, Capability.VIEW_AUDIT).units("unit__path")
    )
    action = request.GET.get("action", "")
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    before = request.GET.get("before", "")
    if before.isdigit():
        events = events.filter(pk__lt=int(before))
    page = list(events.select_related("actor", "unit").order_by("-id")[:101])
    return render(
        request,
        "audit/list.html",
        {
            "events": page[:100],
            "has_next": len(page) > 100,
            "next_before": page[99].pk if len(page) > 100 else None,
            "actions": AuditEvent.Action.choices,
            "action": action,
        },
    )

"""The audit trail of the user's units, on a page and as a download."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from fangkong.audit.exports import list_export
from fangkong.audit.models import AuditEvent
from fangkong.audit.templatetags.fangkong_audit import object_type_label
from fangkong.core.exports import Format
from fangkong.core.inputs import query_choice
from fangkong.org.access import request_user, scope, user_can
from fangkong.org.roles import Capability


def _events(request: HttpRequest) -> tuple[QuerySet[AuditEvent], str]:
    """The events of the user's audit scope, of the action chosen (all when none)."""
    if not user_can(request.user, Capability.VIEW_AUDIT):
        raise PermissionDenied
    events = AuditEvent.objects.filter(
        scope(request.user, Capability.VIEW_AUDIT).units("unit__path")
    )
    action = query_choice(request.GET, "action", AuditEvent.Action.values, "")
    return (events.filter(action=action) if action else events), action


@login_required
def audit_list_view(request: HttpRequest) -> HttpResponse:
    """The audit trail of the user's units, newest first (keyset paging on id)."""
    events, action = _events(request)
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
            "can_export": user_can(request.user, Capability.EXPORT),
        },
    )


@login_required
def audit_export_view(request: HttpRequest, kind: Format) -> HttpResponseBase:
    """The audit trail as on its page (the action chosen), for a user who may also export."""
    events, action = _events(request)
    if not user_can(request.user, Capability.EXPORT):
        raise PermissionDenied
    actions = dict(AuditEvent.Action.choices)
    return list_export(
        actor=request_user(request),
        kind=kind,
        title=_("Audit trail"),
        object_type="audit_trail",
        unit_id=scope(request.user, Capability.VIEW_AUDIT).covering_unit_id(),
        header=[
            _("Time"),
            _("User"),
            _("Action"),
            _("Object"),
            _("Object no."),
            _("Unit"),
            _("From address"),
            _("Summary"),
        ],  # fmt: skip
        rows=events.order_by("-id"),
        columns=(
            "at",
            "actor__username",
            "action",
            "object_type",
            "object_id",
            "unit__name",
            "ip_address",
            "summary",
        ),  # fmt: skip
        shape=lambda row: [
            row[0],
            row[1],
            str(actions.get(row[2], row[2])),
            object_type_label(row[3]),
            *row[4:],
        ],  # fmt: skip
        filters=str(actions[action]) if action else "",
    )

"""Writing the audit trail. Every create, change, delete, unmasked view and export calls this."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from fangkong.audit.middleware import current_request
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.org.models import Unit


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: object = "",
    unit_id: int | None = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    request = current_request.get()
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        unit_id=unit_id,
        ip_address=request.ip_address if request else None,
        summary=summary,
        changes=changes or {},
    )


def audit_unit_covering(paths: list[str] | None) -> int | None:
    """The unit an action over several subtrees is audited under, so that the auditors of all
    of them see it: the deepest unit containing every path; the root for None (everywhere)."""
    if paths:
        common = os.path.commonprefix([path.rstrip("/").split("/") for path in paths])
        covering = Unit.objects.filter(path="/".join(common) + "/").values_list("pk", flat=True)
        if (unit_id := covering.first()) is not None:
            return unit_id
    return Unit.objects.filter(parent=None).order_by("path").values_list("pk", flat=True).first()

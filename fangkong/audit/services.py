"""Writing the audit trail. Every create, change, delete, unmasked view and export calls this."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from fangkong.audit.middleware import current_request
from fangkong.audit.models import AuditAction, AuditEvent
from fangkong.core import clock


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: AuditAction,
    object_type: str,
    object_id: object = "",
    unit_id: int | None = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        **_fields(actor, action, object_type),
        object_id=str(object_id),
        unit_id=unit_id,
        summary=summary,
        changes=changes or {},
    )


def audit_record_many(
    *,
    actor: User | AnonymousUser | None,
    action: AuditAction,
    object_type: str,
    entries: Iterable[tuple[object, int | None, str]],
) -> list[AuditEvent]:
    """One audit row per (object id, unit id, summary), written in one statement: the records
    a service writes as a set (a line list's new people and exposures)."""
    fields = _fields(actor, action, object_type)
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(**fields, object_id=str(object_id), unit_id=unit_id, summary=summary)
            for object_id, unit_id, summary in entries
        ]
    )


def _fields(
    actor: User | AnonymousUser | None, action: AuditAction, object_type: str
) -> dict[str, Any]:
    """What every audit row of one action carries: when, who, from where."""
    request = current_request.get()
    return {
        "at": clock.now(),
        "actor": actor if actor is not None and actor.is_authenticated else None,
        "action": action,
        "object_type": object_type,
        "ip_address": request.ip_address if request else None,
    }

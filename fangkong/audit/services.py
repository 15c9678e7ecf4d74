"""Writing the audit trail. Every create, change, delete, unmasked view and export calls this."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser, User

from fangkong.audit.middleware import current_request
from fangkong.audit.models import AuditAction, AuditEvent
from fangkong.core import clock


def _fields(
    actor: User | AnonymousUser | None,
    action: AuditAction,
    object_type: str,
    object_id: object,
    unit_id: int | None,
    summary: str,
    changes: dict[str, Any] | None,
) -> dict[str, Any]:
    request = current_request.get()
    return {
        "at": clock.now(),
        "actor": actor if actor is not None and actor.is_authenticated else None,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "unit_id": unit_id,
        "ip_address": request.ip_address if request else None,
        "summary": summary,
        "changes": changes or {},
    }


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
        **_fields(actor, action, object_type, object_id, unit_id, summary, changes)
    )


def audits_record(
    *,
    actor: User | AnonymousUser | None,
    action: AuditAction,
    object_type: str,
    rows: Iterable[tuple[object, int | None, str]],
) -> list[AuditEvent]:
    """One audit row each of many objects written together, in one insert: (object id, unit id,
    summary) a row."""
    return AuditEvent.objects.bulk_create(
        AuditEvent(**_fields(actor, action, object_type, object_id, unit_id, summary, None))
        for object_id, unit_id, summary in rows
    )

"""Background work of deadlines; each task takes ids and calls a service (idempotent).

The task names keep their ``policy.`` prefix from before the move, so messages already queued (and
the beat schedule of a running deployment) still find them.
"""

from __future__ import annotations

from celery import shared_task

from fangkong.obligations.channels import notifications_send
from fangkong.obligations.services import obligations_tick


@shared_task(name="policy.tick")
def obligations_tick_run() -> int:
    """Every minute (Celery beat in production, ``fangkong tick`` in the embedded default)."""
    return obligations_tick().missed


@shared_task(name="policy.notifications_send", acks_late=True)
def obligations_notifications_send(notification_ids: list[int]) -> int:
    """Send new inbox messages by e-mail and SMS; each once, however often this is delivered."""
    return notifications_send(notification_ids)

"""Background work of the work-plans app; each task takes ids and calls a service (idempotent)."""

from __future__ import annotations

from celery import shared_task

from fangkong.org.models import Unit
from fangkong.policy.classify import people_classify
from fangkong.policy.models import Trigger
from fangkong.policy.services import people_affected_by_region


@shared_task(name="policy.recompute_region", acks_late=True)
def policy_recompute_region(region_code: str, actor_id: int | None) -> int:
    """A risk area changed: recompute the people whose recent travel lies in its city."""
    outcome = people_classify(
        people_affected_by_region(region_code), trigger=Trigger.RISK_AREA, actor_id=actor_id
    )
    return outcome.changed


@shared_task(name="policy.recompute_unit", acks_late=True)
def policy_recompute_unit(unit_id: int, actor_id: int | None) -> int:
    """A plan was assigned: recompute everyone in the unit's subtree."""
    unit = Unit.objects.get(pk=unit_id)
    return people_classify(within=unit, trigger=Trigger.PLAN, actor_id=actor_id).changed

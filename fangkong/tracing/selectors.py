"""Reads of contact tracing."""

from __future__ import annotations

from collections.abc import Iterable

from fangkong.core.lookups import Ids
from fangkong.policy.facts import ExposureFact
from fangkong.tracing.models import Exposure


def exposures_latest(ids: Iterable[int]) -> dict[int, ExposureFact]:
    """Each person's latest exposure (the one the contact rules count from), one query."""
    latest: dict[int, ExposureFact] = {}
    for person_id, kind, last_at, identified_at, via_id in (
        Exposure.objects.filter(person_id__any=Ids(ids))
        .order_by("person_id", "-last_exposed_at", "-id")
        .values_list("person_id", "kind", "last_exposed_at", "identified_at", "via_id")
    ):
        latest.setdefault(person_id, ExposureFact(kind, last_at, identified_at, via_id))
    return latest

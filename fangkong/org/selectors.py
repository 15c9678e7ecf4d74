"""Reads of regions. Who may see which units and people is decided in ``org.access``."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fangkong.core.text import search_term
from fangkong.org.models import Region, RegionAlias


def region_get(code: str) -> Region | None:
    """A region by its code, following a code that was abolished or renumbered."""
    code = search_term(code)
    region = Region.objects.filter(code=code).first()
    if region is None:
        alias = RegionAlias.objects.select_related("region").filter(old_code=code).first()
        region = alias.region if alias else None
    return region


def region_search(text: str, *, limit: int = 20) -> QuerySet[Region]:
    """Regions whose code starts with, or whose name contains, the text; old names included."""
    text = search_term(text)
    if text.isdigit():
        return Region.objects.filter(
            Q(code__startswith=text) | Q(aliases__old_code__startswith=text)
        ).distinct()[:limit]
    return (
        Region.objects.filter(
            Q(name__contains=text)
            | Q(full_name__contains=text)
            | Q(aliases__old_name__contains=text)
        )
        .distinct()
        .order_by("level", "code")[:limit]
    )

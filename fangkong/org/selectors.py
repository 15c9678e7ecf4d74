"""Reads of regions and units. Who may see which units and people is decided in ``org.access``:
the unit reads here take a queryset it has already scoped."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fangkong.core.inputs import ID_MAX
from fangkong.core.text import search_term
from fangkong.org.models import Region, RegionAlias, Unit


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


def region_pick(text: str) -> Region | None:
    """The region a person typed into a region picker: a code (old ones included), or a name
    that only one region has (浦东新区, or 上海市 浦东新区)."""
    text = search_term(text)
    if not text:
        return None
    if text.isdigit():
        return region_get(text)
    named = list(Region.objects.filter(Q(name=text) | Q(full_name=text))[:2])
    return named[0] if len(named) == 1 else None


def unit_search(units: QuerySet[Unit], text: str, *, limit: int) -> QuerySet[Unit]:
    """Units of ``units`` (already scoped) whose name contains, or whose code starts with, the
    text: the unit pickers."""
    text = search_term(text)
    return (
        units.filter(Q(name__contains=text) | Q(code__istartswith=text))
        .select_related("parent")
        .order_by("depth", "path")[:limit]
    )


def unit_pick(units: QuerySet[Unit], text: str) -> Unit | None:
    """The unit a person typed into a unit picker: its id (what the picker posts), its code, or
    a name that only one of ``units`` has."""
    text = search_term(text)
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= len(str(ID_MAX)):
        found = units.filter(pk=int(text)).first()
        if found is not None:
            return found
    named = list(units.filter(Q(code=text) | Q(name=text))[:2])
    return named[0] if len(named) == 1 else None

"""Reads of regions and units, and the one scoping selector every query of people goes through."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from fangkong.org.models import Membership, Region, RegionAlias, Unit
from fangkong.org.roles import ROLE_CAPABILITIES, Capability

AnyUser = AbstractBaseUser | AnonymousUser


def region_get(code: str) -> Region | None:
    """A region by its code, following a code that was abolished or renumbered."""
    code = code.strip()
    region = Region.objects.filter(code=code).first()
    if region is None:
        alias = RegionAlias.objects.select_related("region").filter(old_code=code).first()
        region = alias.region if alias else None
    return region


def region_search(text: str, *, limit: int = 20) -> QuerySet[Region]:
    """Regions whose code starts with, or whose name contains, the text; old names included."""
    text = text.strip()
    if text.isdigit():
        return Region.objects.filter(
            Q(code__startswith=text) | Q(aliases__old_code__startswith=text)
        ).distinct()[:limit]
    return Region.objects.filter(
        Q(name__contains=text) | Q(full_name__contains=text) | Q(aliases__old_name__contains=text)
    ).distinct().order_by("level", "code")[:limit]


def user_scope_paths(user: AnyUser, capability: Capability) -> list[str] | None:
    """Unit paths in which the user holds a role granting the capability.

    None means "everywhere" (a superuser); an empty list means nowhere.
    """
    if not user.is_authenticated or not user.is_active:
        return []
    if getattr(user, "is_superuser", False):
        return None
    roles_granting = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
    paths = sorted(
        Membership.objects.filter(user_id=user.pk, role__in=roles_granting)
        .values_list("unit__path", flat=True)
        .distinct()
    )
    # Drop paths inside another path of the list: they add nothing but OR terms.
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return kept


def scope_q(user: AnyUser, capability: Capability, path_field: str) -> Q:
    """The filter restricting any query to the units the user acts on for that capability.

    ``path_field`` is the lookup of the unit path on the queried model ("path", "unit__path").
    Every page, API endpoint, export and search of people or health data uses this.
    """
    paths = user_scope_paths(user, capability)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


def user_can(user: AnyUser, capability: Capability, unit: Unit | None = None) -> bool:
    """Whether the user holds the capability somewhere, or in the subtree containing ``unit``."""
    paths = user_scope_paths(user, capability)
    if paths is None:
        return True
    if unit is None:
        return bool(paths)
    return any(unit.path.startswith(path) for path in paths)


def units_visible_to(user: AnyUser) -> QuerySet[Unit]:
    """Units in the subtrees where the user holds any role (the unit tree page, pickers)."""
    if getattr(user, "is_superuser", False):
        return Unit.objects.all()
    if not user.is_authenticated:
        return Unit.objects.none()
    q = Q(pk__in=[])
    for path in Membership.objects.filter(user_id=user.pk).values_list("unit__path", flat=True):
        q |= Q(path__startswith=path)
    return Unit.objects.filter(q)

"""Reads of regions and units, and the one scoping selector every query of people goes through."""

from __future__ import annotations

import os
from typing import Protocol

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from fangkong.core.text import search_term
from fangkong.org.models import Membership, Region, RegionAlias, Unit
from fangkong.org.roles import ROLE_CAPABILITIES, Capability

AnyUser = User | AnonymousUser


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


class _WithUser(Protocol):
    @property
    def user(self) -> object: ...


def request_user(request: _WithUser) -> User:
    """The signed-in user of a page or API request that requires one."""
    if not isinstance(request.user, User) or not request.user.is_active:
        raise PermissionDenied
    return request.user


def _roles_by_path(user: User) -> list[tuple[str, str]]:
    """The user's (unit path, role) pairs, read once per user object (that is, per request)."""
    memo: list[tuple[str, str]] | None = user.__dict__.get("_fangkong_roles")
    if memo is None:
        memo = list(Membership.objects.filter(user=user).values_list("unit__path", "role"))
        user.__dict__["_fangkong_roles"] = memo
    return memo


def _outermost(paths: list[str]) -> list[str]:
    """Drop paths inside another path of the list: they add nothing but OR terms."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return kept


def user_scope_paths(user: AnyUser, capability: Capability) -> list[str] | None:
    """Unit paths in which the user holds a role granting the capability.

    None means "everywhere" (a superuser); an empty list means nowhere.
    """
    if not isinstance(user, User) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    return _outermost(
        [
            path
            for path, role in _roles_by_path(user)
            if capability in ROLE_CAPABILITIES.get(role, frozenset())
        ]
    )


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


def unit_id_covering(paths: list[str] | None) -> int | None:
    """The deepest unit containing every path (the root for None: everywhere); an action over
    several subtrees is audited under it, so that the auditors of all of them see it."""
    if paths:
        common = os.path.commonprefix([path.rstrip("/").split("/") for path in paths])
        covering = Unit.objects.filter(path="/".join(common) + "/").values_list("pk", flat=True)
        if (unit_id := covering.first()) is not None:
            return unit_id
    return Unit.objects.filter(parent=None).order_by("path").values_list("pk", flat=True).first()


def units_visible_to(user: AnyUser) -> QuerySet[Unit]:
    """Units in the subtrees where the user holds any role (the unit tree page, pickers)."""
    if not isinstance(user, User) or not user.is_active:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    q = Q(pk__in=[])
    for path in _outermost([path for path, _role in _roles_by_path(user)]):
        q |= Q(path__startswith=path)
    return Unit.objects.filter(q)


def acting_user(actor: AnyUser | None) -> User | None:
    """The user to stamp on a row (created_by …): None for anonymous or system work."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None

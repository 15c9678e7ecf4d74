"""Who may see or change what: the one access module.

A user's memberships (user, unit, role) and the capabilities of each role (``org.roles``) give,
for each capability, the subtrees of the unit tree the user acts on: a ``Scope``. Every decision
of access is asked of a scope, in the form the caller needs:

- ``scope.units(field)`` / ``scope.people(prefix)``: a filter for an ORM query;
- ``scope.units_sql(column)`` / ``scope.people_sql(person, home_path)``: the same filter as an SQL
  fragment with its parameters, for the raw statements of the hot paths;
- ``scope.covers(unit)`` / ``scope.covers_person(person)``: yes or no for one unit or person.

"May act on this person" means: the person's home unit, or a further unit the person is tied to
(a class, a department: ``people.PersonUnit``), lies in the scope — or, for a quarantine site's
manager (``roles.PLACED_PEOPLE_ROLES``), the person is placed in a room of their site now
(``quarantine.Placement``): the manager sees the people at the site, their masked IDs and their
measures, and nothing else of the register; the placement's release takes them out of sight. It
is written here once, in the three forms. Someone outside the scope is as unknown as someone who
does not exist.

Units form one tree with a materialised path (``/1/4/17/``); a scope is a set of path prefixes,
served by an index with ``varchar_pattern_ops`` on PostgreSQL. The memberships are read once per
user object, that is once per request.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Protocol

from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q

from fangkong.org.models import Membership, Unit
from fangkong.org.roles import PLACED_PEOPLE_ROLES, ROLE_CAPABILITIES, Capability

AnyUser = User | AnonymousUser

# The table tying a person to further units (classes, departments). The register owns the model;
# access reads it by name so that the org layer does not import the register at load time.
_TIES = "people.PersonUnit"
# The people in a quarantine site's rooms, read by name likewise.
_PLACEMENTS = "quarantine.Placement"
# The gates and checkpoints (门岗, 卡口) and who keeps which, read by name likewise.
_GATES = "gates.Gate"
_GATE_KEEPERS = "gates.GateKeeper"


class _HasPath(Protocol):
    path: str


@dataclass(frozen=True)
class Scope:
    """The unit subtrees a user acts on for one capability. ``paths`` None: everywhere;
    ``sites``: the quarantine sites whose placed people the scope reaches as well."""

    paths: tuple[str, ...] | None
    sites: tuple[str, ...] = ()

    @property
    def everywhere(self) -> bool:
        return self.paths is None

    @property
    def nowhere(self) -> bool:
        return self.paths == ()

    def __bool__(self) -> bool:
        """Whether the scope holds any unit at all."""
        return not self.nowhere

    # --- yes or no -------------------------------------------------------------------------

    def covers(self, unit: _HasPath | str | None) -> bool:
        """Whether the unit (or a unit path) lies in the scope; None asks "anywhere at all"."""
        if self.paths is None:
            return True
        if unit is None:
            return bool(self.paths)
        path = unit if isinstance(unit, str) else unit.path
        return path.startswith(self.paths)

    def covers_person(self, person: Any) -> bool:
        """Whether the person's home unit, or a unit the person is tied to, lies in the scope."""
        if self.covers(person.unit):
            return True
        if self.nowhere:
            return False
        ties = apps.get_model(_TIES).objects.filter(person_id=person.pk)
        if ties.filter(self.units("unit__path")).exists():
            return True
        return bool(self.sites) and self._placed().filter(person_id=person.pk).exists()

    def _placed(self) -> Any:
        """The open placements at the scope's sites."""
        return apps.get_model(_PLACEMENTS).objects.filter(
            Scope(self.sites).units("room__site__path"), released_at__isnull=True
        )

    def within(self, path: str) -> Scope:
        """This scope narrowed to the subtree at ``path``: what of it the user reaches."""
        sites = tuple(site for site in self.sites if site.startswith(path))
        if self.covers(path):
            return Scope((path,), sites)
        return Scope(tuple(inner for inner in self.paths or () if inner.startswith(path)), sites)

    def covering_unit_id(self) -> int | None:
        """The deepest unit containing the whole scope (the root when everywhere): an action
        over several subtrees is audited under it, so that the auditors of all of them see it."""
        if self.paths:
            common = os.path.commonprefix([path.rstrip("/").split("/") for path in self.paths])
            found = Unit.objects.filter(path="/".join(common) + "/").values_list("pk", flat=True)
            if (unit_id := found.first()) is not None:
                return unit_id
        return root_unit_id()

    # --- ORM filters -----------------------------------------------------------------------

    def units(self, path_field: str = "path") -> Q:
        """Rows whose unit lies in the scope; ``path_field`` is the lookup of the unit's path
        on the queried model (``path``, ``unit__path``, ``lab__path``)."""
        if self.paths is None:
            return Q()
        q = Q(pk__in=[])
        for path in self.paths:
            q |= Q(**{f"{path_field}__startswith": path})
        return q

    def units_and_above(self, path_field: str = "path") -> Q:
        """Rows whose unit lies in the scope or above it: a township's round reaches the
        villages of the scope."""
        if self.paths is None:
            return Q()
        above: set[str] = set()
        for path in self.paths:
            parts = path.strip("/").split("/")
            above.update("/" + "/".join(parts[:depth]) + "/" for depth in range(1, len(parts)))
        return self.units(path_field) | Q(**{f"{path_field}__in": sorted(above)})

    def people(self, prefix: str = "") -> Q:
        """Rows of people the user may act on: home unit or a tie in the scope. ``prefix`` leads
        from the queried model to the person (``""`` on Person, ``"person__"`` on a sample)."""
        if self.paths is None:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        person = OuterRef(f"{prefix}pk" if prefix else "pk")
        ties = apps.get_model(_TIES).objects.filter(self.units("unit__path"), person=person)
        reached = self.units(f"{prefix}unit__path") | Q(Exists(ties))
        if self.sites:
            reached |= Q(Exists(self._placed().filter(person=person)))
        return reached

    # --- SQL fragments ---------------------------------------------------------------------

    def units_sql(self, column: str) -> tuple[str, list[str]]:
        """``(column LIKE %s OR …)`` with its parameters; ``TRUE`` / ``FALSE`` when trivial."""
        if self.paths is None:
            return "TRUE", []
        if not self.paths:
            return "FALSE", []
        clause = " OR ".join([f"{column} LIKE %s"] * len(self.paths))
        return f"({clause})", [f"{path}%" for path in self.paths]

    def people_sql(self, person_id: str, home_path: str) -> tuple[str, list[str]]:
        """The people filter in SQL: ``person_id`` is the column of the person's id and
        ``home_path`` that of the home unit's path in the caller's statement."""
        home, params = self.units_sql(home_path)
        if self.paths is None or not self.paths:
            return home, params
        tied, tied_params = self.units_sql("tu.path")
        placed, placed_params = "", list[str]()
        if self.sites:
            at_site, placed_params = Scope(self.sites).units_sql("su.path")
            placed = (
                " OR EXISTS (SELECT 1 FROM quarantine_placement pl"  # noqa: S608 - our columns
                " JOIN quarantine_room qr ON qr.id = pl.room_id"
                " JOIN org_unit su ON su.id = qr.site_id"
                f" WHERE pl.person_id = {person_id} AND pl.released_at IS NULL AND {at_site})"
            )
        return (
            f"({home} OR EXISTS (SELECT 1 FROM people_personunit tie"  # noqa: S608 - our columns
            f" JOIN org_unit tu ON tu.id = tie.unit_id"
            f" WHERE tie.person_id = {person_id} AND {tied}){placed})",
            params + tied_params + placed_params,
        )


_EVERYWHERE = Scope(None)
_NOWHERE = Scope(())


def root_unit_id() -> int | None:
    """The top of the unit tree: where what concerns every unit (a risk area) is audited."""
    return Unit.objects.filter(parent=None).order_by("path").values_list("pk", flat=True).first()


def _roles_by_path(user: User) -> list[tuple[str, str]]:
    """The user's (unit path, role) pairs, read once per user object (that is, per request)."""
    memo: list[tuple[str, str]] | None = user.__dict__.get("_fangkong_roles")
    if memo is None:
        memo = list(Membership.objects.filter(user=user).values_list("unit__path", "role"))
        user.__dict__["_fangkong_roles"] = memo
    return memo


def _outermost(paths: list[str]) -> tuple[str, ...]:
    """Drop paths inside another path of the list: they add nothing but OR terms."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(kept)


def _active(user: object) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def scope(user: AnyUser | None, capability: Capability) -> Scope:
    """The subtrees in which the user holds a role granting the capability."""
    active = _active(user)
    if active is None:
        return _NOWHERE
    if active.is_superuser:
        return _EVERYWHERE
    granting = [
        (path, role)
        for path, role in _roles_by_path(active)
        if capability in ROLE_CAPABILITIES.get(role, frozenset())
    ]
    return Scope(
        _outermost([path for path, _role in granting]),
        _outermost([path for path, role in granting if role in PLACED_PEOPLE_ROLES]),
    )


def role_scope(user: AnyUser | None, role: str) -> Scope:
    """The subtrees in which the user holds this role: a step of an approval chain names the role
    that decides it (J-04: the class teacher, then 德育处 …), not only a capability."""
    active = _active(user)
    if active is None:
        return _NOWHERE
    if active.is_superuser:
        return _EVERYWHERE
    return Scope(_outermost([path for path, held in _roles_by_path(active) if held == role]))


def any_role_scope(user: AnyUser | None) -> Scope:
    """The subtrees in which the user holds any role at all (the unit tree, pickers)."""
    active = _active(user)
    if active is None:
        return _NOWHERE
    if active.is_superuser:
        return _EVERYWHERE
    return Scope(_outermost([path for path, _role in _roles_by_path(active)]))


def user_can(user: AnyUser | None, capability: Capability, unit: _HasPath | None = None) -> bool:
    """Whether the user holds the capability somewhere, or in the subtree containing ``unit``."""
    return scope(user, capability).covers(unit)


def gates_kept(user: AnyUser | None) -> Q:
    """The gates (a filter on ``gates.Gate``) whose entries the user reads and registers: every
    gate of the units where the user manages gates, and the gates assigned to them where they
    hold a gate keeper's role. A keeper sees their own gate, not the unit's others."""
    managed = scope(user, Capability.MANAGE_GATES)
    if managed.everywhere:
        return Q()
    kept = scope(user, Capability.KEEP_GATE)
    if kept.nowhere:
        return managed.units("unit__path")
    assigned = apps.get_model(_GATE_KEEPERS).objects.filter(gate=OuterRef("pk"), user=user)
    return managed.units("unit__path") | (kept.units("unit__path") & Q(Exists(assigned)))


def gate_reach(user: AnyUser | None, gate: Any) -> Scope:
    """The people a user registers at a gate they keep (or manage): those of the gate's unit and
    the units below it; nowhere at a gate they do not keep."""
    if not apps.get_model(_GATES).objects.filter(gates_kept(user), pk=gate.pk).exists():
        return _NOWHERE
    return Scope((gate.unit.path,))


def user_can_everywhere(user: AnyUser | None, capability: Capability) -> bool:
    """Whether the user holds the capability over the whole installation: at every unit without
    a parent (risk areas apply to every person, so one township may not publish them)."""
    found = scope(user, capability)
    roots = Unit.objects.filter(parent__isnull=True).values_list("path", flat=True)
    return bool(found) and all(found.covers(root) for root in roots)


def may_act_on(user: AnyUser | None, capability: Capability, person: Any) -> bool:
    """Whether the user may act on the person (home unit or tie in the scope)."""
    return scope(user, capability).covers_person(person)


def units_in(user: AnyUser | None, capability: Capability) -> Any:
    """The units where the user holds the capability (forms' unit pickers)."""
    return Unit.objects.filter(scope(user, capability).units("path"))


def units_visible_to(user: AnyUser | None) -> Any:
    """Units in the subtrees where the user holds any role (the unit tree page, pickers)."""
    return Unit.objects.filter(any_role_scope(user).units("path"))


class _WithUser(Protocol):
    @property
    def user(self) -> object: ...


def request_user(request: _WithUser) -> User:
    """The signed-in user of a page or API request that requires one."""
    active = _active(request.user)
    if active is None:
        raise PermissionDenied
    return active


def acting_user(actor: AnyUser | None) -> User | None:
    """The user to stamp on a row (created_by …): None for anonymous or system work."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None

"""Writes to the organisation tree."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.org.access import root_unit_id, user_can
from fangkong.org.auth import token_expired
from fangkong.org.models import Membership, Region, Unit
from fangkong.org.roles import Capability


def _require_manage(actor: User | None, unit: Unit | None) -> None:
    """``actor`` None is the system itself (migrations, the demo builder, setup commands)."""
    if actor is None:
        return
    if unit is None and not actor.is_superuser:
        raise PermissionDenied(_("Only an administrator may create a top-level unit."))
    if unit is not None and not user_can(actor, Capability.MANAGE_UNITS, unit):
        raise PermissionDenied(_("You may not manage the units of %(unit)s.") % {"unit": unit.name})


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    region: Region,
    parent: Unit | None = None,
    actor: User | None = None,
) -> Unit:
    """Add a unit under ``parent``; an actor needs the manage-units capability there."""
    _require_manage(actor, parent)
    unit = Unit(code=code, name=name, kind=kind, region=region, parent=parent, path="/")
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0
    Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="unit",
        object_id=unit.pk,
        unit_id=unit.pk,
        summary=unit.name,
    )
    return unit


@transaction.atomic
def membership_grant(*, user: User, unit: Unit, role: str, actor: User | None = None) -> Membership:
    """Give a user a role in a unit; an actor needs the manage-units capability there."""
    _require_manage(actor, unit)
    membership = Membership(user=user, unit=unit, role=role)
    try:
        membership.full_clean()
    except ValidationError as error:
        raise ValidationError({"role": error.messages}) from error
    membership.save()
    user.__dict__.pop("_fangkong_roles", None)  # the selectors' memo of the user's roles
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="membership",
        object_id=membership.pk,
        unit_id=unit.pk,
        summary=_("%(user)s granted %(role)s")
        % {"user": user.get_username(), "role": membership.get_role_display()},
    )
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor: User) -> None:
    _require_manage(actor, membership.unit)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type="membership",
        object_id=membership.pk,
        unit_id=membership.unit_id,
        summary=_("%(user)s no longer %(role)s")
        % {"user": membership.user.get_username(), "role": membership.get_role_display()},
    )
    membership.user.__dict__.pop("_fangkong_roles", None)
    membership.delete()


def api_token_issue(*, user: User) -> str:
    """The user's API token; a new one when there is none or it has expired."""
    token = Token.objects.filter(user=user).first()
    if token is None or token_expired(token.created):
        return api_token_rotate(user=user)
    return token.key


@transaction.atomic
def api_token_rotate(*, user: User) -> str:
    """A new API token for the user; the old one stops working."""
    api_tokens_revoke(user=user, reason=_("a new token was issued"))
    return Token.objects.create(user=user).key


@transaction.atomic
def api_tokens_revoke(*, user: User, reason: str, actor: User | None = None) -> int:
    """Revoke the user's API tokens, audited under the user's first unit (the key is never
    written down). ``actor`` is None for the command line and for a password change, whose
    request the audit row still names by its address."""
    deleted, _per_model = Token.objects.filter(user=user).delete()
    if deleted:
        unit_id = (
            Membership.objects.filter(user=user)
            .order_by("unit__path")
            .values_list("unit_id", flat=True)
            .first()
        ) or root_unit_id()
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            object_type="api_token",
            object_id=user.pk,
            unit_id=unit_id,
            summary=_("API token of %(user)s revoked: %(reason)s")
            % {"user": user.get_username(), "reason": reason},
        )
    return deleted

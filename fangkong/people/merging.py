"""Merging a person registered twice (重复登记) into one file: every record of the duplicate
moves to the person kept, and the duplicate's file goes.

The records are found through the relations other apps declare to Person (hidden ones
included: a scan or a placement names its person without a reverse accessor), so the register
imports no app above it and a new table that names a person is merged without a change here.
Where a unique constraint holds one row per person (a check-in slot, a scan of one venue at one
time, the classification), the two people's rows record the same fact: the older row is kept
and the newer one deleted, its values copied into the merge's audit row, so nothing is lost. A
newer row that other records hang on (a case with its investigation) is not deleted: the merge is
refused, naming it, for a person to settle first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.fields.related import ForeignObjectRel
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.org.access import user_can
from fangkong.org.roles import Capability
from fangkong.people.models import Person

# The fields of the file the kept person takes from the duplicate when their own is empty.
_FILLED_FROM_DUPLICATE = ("phone", "address", "address_region_id", "household_id", "birth_date")


@dataclass
class MergeOutcome:
    """What a merge did: the person kept, the rows moved (by table), the rows folded into the
    kept person's equal row (their values), and the fields of the file filled in."""

    kept: Person
    moved: Counter[str] = field(default_factory=Counter)
    folded: list[dict[str, str]] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)


def _relations() -> list[ForeignObjectRel]:
    """Every relation from another table to Person, the hidden (related_name="+") ones too."""
    return [
        relation
        for relation in Person._meta.get_fields(include_hidden=True)
        if isinstance(relation, ForeignObjectRel) and not relation.many_to_many
    ]


def _unique_keys(relation: ForeignObjectRel) -> list[tuple[list[str], models.Q | None]]:
    """The other fields and the condition of each unique constraint that holds the relation's
    field: two rows equal on them cannot both name one person."""
    name = relation.field.name
    if relation.one_to_one:
        return [([], None)]
    model = relation.related_model
    keys: list[tuple[list[str], models.Q | None]] = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and name in constraint.fields:
            others = [other for other in constraint.fields if other != name]
            keys.append((others, constraint.condition))  # type: ignore[arg-type]
    return keys


def _rows(relation: ForeignObjectRel, person: Person, condition: models.Q | None) -> Any:
    rows = relation.related_model._default_manager.filter(**{relation.field.name: person})
    return rows.filter(condition) if condition is not None else rows


def _referenced_by(row: models.Model) -> list[str]:
    """The kinds of records that name this row (they would go with it)."""
    kinds = []
    for relation in row._meta.get_fields(include_hidden=True):
        if isinstance(relation, ForeignObjectRel) and not relation.many_to_many:
            model = relation.related_model
            if model._default_manager.filter(**{relation.field.name: row}).exists():
                kinds.append(str(model._meta.verbose_name))
    return kinds


def _values(row: models.Model) -> dict[str, str]:
    values = {"table": row._meta.label, "id": str(row.pk)}
    for column in row._meta.concrete_fields:
        if not isinstance(column, models.BinaryField):
            values[column.attname] = str(getattr(row, column.attname))
    return values


def _fold(
    relation: ForeignObjectRel, kept: Person, duplicate: Person, outcome: MergeOutcome
) -> None:
    """Delete the newer of each pair of rows the relation's unique constraints allow only once."""
    model = relation.related_model
    for others, condition in _unique_keys(relation):
        held = {
            tuple(values[1:]): values[0]
            for values in _rows(relation, kept, condition).values_list("pk", *others)
        }
        for values in _rows(relation, duplicate, condition).values_list("pk", *others):
            kept_pk = held.get(tuple(values[1:]))
            # A null is equal to no other in a unique constraint: no clash.
            if kept_pk is None or None in values[1:]:
                continue
            newer = model._default_manager.get(pk=max(kept_pk, values[0]))
            if kinds := _referenced_by(newer):
                raise ValidationError(
                    {
                        "duplicate": _(
                            "Both people have a %(record)s that only one person can have, and"
                            " other records (%(kinds)s) hang on it: settle it first."
                        )
                        % {"record": model._meta.verbose_name, "kinds": "、".join(kinds)}
                    }
                )
            outcome.folded.append(_values(newer))
            newer.delete()


def _require(actor: User, person: Person) -> None:
    if not user_can(actor, Capability.EDIT_PEOPLE, person.unit):
        raise PermissionDenied(
            _("You may not change the register of %(unit)s.") % {"unit": person.unit.name}
        )


@transaction.atomic
def person_merge(*, actor: User, kept: Person, duplicate: Person) -> MergeOutcome:
    """Merge ``duplicate`` into ``kept`` (合并重复人员): both must be people the actor may
    change. Every row naming the duplicate names the kept person after; the duplicate's file is
    deleted; one audit row on each person says what moved."""
    if kept.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("A person cannot be merged with themselves.")})
    _require(actor, kept)
    _require(actor, duplicate)
    # Both files locked in id order, as every merge takes them, so two merges cannot deadlock.
    pair = Person.objects.filter(pk__in=[kept.pk, duplicate.pk])
    by_pk = {person.pk: person for person in pair.select_for_update().order_by("pk")}
    kept, duplicate = by_pk[kept.pk], by_pk[duplicate.pk]
    outcome = MergeOutcome(kept)
    for relation in _relations():
        _fold(relation, kept, duplicate, outcome)
        moved = (
            relation.related_model._default_manager.filter(**{relation.field.name: duplicate})
        ).update(**{relation.field.name: kept})
        if moved:
            outcome.moved[str(relation.related_model._meta.verbose_name_plural)] += moved
    for name in _FILLED_FROM_DUPLICATE:
        if not getattr(kept, name) and getattr(duplicate, name):
            setattr(kept, name, getattr(duplicate, name))
            outcome.filled.append(name)
    kept.save()
    summary = _("%(name)s %(id)s (person %(pk)s) merged into this file") % {
        "name": duplicate.name,
        "id": duplicate.id_masked,
        "pk": duplicate.pk,
    }
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="person",
        object_id=kept.pk,
        unit_id=kept.unit_id,
        summary=summary,
        changes={
            "merged_person": duplicate.pk,
            "moved": dict(outcome.moved),
            "folded": outcome.folded,
            "filled": outcome.filled,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type="person",
        object_id=duplicate.pk,
        unit_id=duplicate.unit_id,
        summary=_("%(name)s %(id)s merged into person %(pk)s")
        % {"name": duplicate.name, "id": duplicate.id_masked, "pk": kept.pk},
    )
    duplicate.delete()
    return outcome

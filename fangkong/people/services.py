"""Writes to the register: people, travel history, and the audited unmasked view."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record, audit_record_many
from fangkong.core import clock
from fangkong.core.countries import country_name
from fangkong.org.access import AnyUser, user_can
from fangkong.org.models import Region, Unit
from fangkong.org.roles import Capability
from fangkong.org.selectors import region_get
from fangkong.people.identity import (
    IdType,
    InvalidIdentity,
    id_decrypt,
    id_encrypt,
    id_hash,
    mask_id_number,
    normalize_phone,
    parse_resident_id,
    validate_other_id,
)
from fangkong.people.models import Category, Household, Person, PersonCategory, TravelRecord
from fangkong.people.selectors import people_visible_to
from fangkong.people.signals import arrival_recorded
from fangkong.people.validation import category_age_errors


@dataclass(frozen=True)
class ProtectedId:
    id_type: str
    id_hash: str
    id_cipher: bytes
    id_masked: str
    birth_date: dt.date | None
    sex: str

    def fields(self) -> dict[str, object]:
        """The Person fields this sets."""
        return dataclasses.asdict(self)


def identity_protect(id_type: str, number: str, *, today: dt.date) -> ProtectedId:
    """Validate an ID number of a type and return what is stored of it. Raises InvalidIdentity."""
    birth_date: dt.date | None = None
    sex = ""
    if id_type == IdType.RESIDENT:
        parsed = parse_resident_id(number, today=today)
        number, birth_date, sex = parsed.number, parsed.birth_date, parsed.sex
    elif id_type in Person.IdTypes.values:
        number = validate_other_id(number)
    else:
        raise InvalidIdentity(_("Unknown ID type %(type)s.") % {"type": id_type})
    return ProtectedId(
        id_type=id_type,
        id_hash=id_hash(number),
        id_cipher=id_encrypt(number),
        id_masked=mask_id_number(number),
        birth_date=birth_date,
        sex=sex,
    )


@dataclass
class PersonInput:
    name: str
    id_type: str
    id_number: str
    unit: Unit
    phone: str = ""
    nationality: str = "CHN"
    address_region_code: str = ""
    address: str = ""
    household_code: str = ""
    categories: list[str] = field(default_factory=list)

    @classmethod
    def from_cleaned(cls, data: Mapping[str, Any]) -> PersonInput:
        """From the cleaned data of the person form or the API serializer (same field names)."""
        return cls(
            name=data["name"],
            id_type=data["id_type"],
            id_number=data["id_number"],
            unit=data["unit"],
            phone=data["phone"],
            nationality=data["nationality"],
            address_region_code=data["address_region"],
            address=data["address"],
            household_code=data["household"],
            categories=[c.code for c in data["categories"]],
        )


def registered_outside_message() -> str:
    """What someone is told of an ID number registered to a person they may not open."""
    return _(
        "This ID number is already registered outside your units; "
        "ask the county to move the person."
    )


def _require(user: AnyUser, capability: Capability, unit: Unit) -> None:
    if not user_can(user, capability, unit):
        raise PermissionDenied(
            _("You may not change the register of %(unit)s.") % {"unit": unit.name}
        )


def _resolve(data: PersonInput) -> tuple[dict[str, Any], list[Category]]:
    """Validate everything about one person; raises ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "name": data.name.strip(),
        "unit": data.unit,
        "nationality": (data.nationality or "CHN").strip().upper(),
    }
    if not values["name"]:
        errors["name"] = [_("The name is required.")]
    elif len(values["name"]) > 50:
        errors["name"] = [_("The name is longer than 50 characters.")]
    try:
        values["identity"] = identity_protect(data.id_type, data.id_number, today=clock.localdate())
    except InvalidIdentity as error:
        errors["id_number"] = [str(error)]
    values["phone"] = ""
    if data.phone.strip():
        try:
            values["phone"] = normalize_phone(data.phone)
        except InvalidIdentity as error:
            errors["phone"] = [str(error)]
    values["address_region"] = None
    if data.address_region_code.strip():
        values["address_region"] = region_get(data.address_region_code)
        if values["address_region"] is None:
            errors["address_region"] = [
                _("No region has the code %(code)s.") % {"code": data.address_region_code}
            ]
    values["address"] = data.address.strip()
    if len(values["address"]) > 200:
        errors["address"] = [_("The address is longer than 200 characters.")]
    if len(data.household_code.strip()) > 40:
        errors["household"] = [_("The household code is longer than 40 characters.")]
    categories = list(Category.objects.filter(code__in=data.categories))
    unknown = set(data.categories) - {c.code for c in categories}
    if unknown:
        errors["categories"] = [
            _("Unknown categories: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
        ]
    if identity := values.get("identity"):
        if misfits := category_age_errors(
            [(c.code, c.name_zh) for c in categories], identity.birth_date, clock.localdate()
        ):
            errors["categories"] = misfits
    if errors:
        raise ValidationError(errors)
    return values, categories


def _household(unit: Unit, code: str, region: Region | None, address: str) -> Household | None:
    code = code.strip()
    if not code:
        return None
    household, _created = Household.objects.get_or_create(
        unit=unit, code=code, defaults={"address_region": region, "address": address}
    )
    return household


@transaction.atomic
def person_create(
    *, actor: User, data: PersonInput, capability: Capability = Capability.EDIT_PEOPLE
) -> Person:
    """Register a person in a unit where the actor holds ``capability``: the register keepers'
    EDIT_PEOPLE, or INVESTIGATE for a contact an investigation's line list finds unregistered."""
    _require(actor, capability, data.unit)
    values, categories = _resolve(data)
    return _person_insert(actor, data, values, categories)


@transaction.atomic
def person_find_or_register(*, actor: User | None, data: PersonInput) -> Person:
    """The registered person with this ID number, or a new one in ``data.unit``: for a record
    that brings a person in from outside the register (a pharmacy's buyer, K-01, a visitor with a
    fever at a gate; ``actor`` None: a booking by real name through a venue's link). The caller
    has checked the actor may make that record; a registered person stays as the register has
    them."""
    values, categories = _resolve(data)
    existing = Person.objects.filter(id_hash=values["identity"].id_hash).first()
    if existing is not None:
        return existing
    return _person_insert(actor, data, values, categories)


@transaction.atomic
def people_register(
    *, actor: User, data: list[PersonInput], capability: Capability = Capability.EDIT_PEOPLE
) -> list[Person]:
    """Register several people at once, all or none (the new contacts of a line list): each
    checked as ``person_create`` checks one, then one INSERT of the people, one of their
    categories and one of their audit rows. An ID number registered already, or twice in
    ``data``, is refused (ValidationError naming the field)."""
    for unit in {entry.unit.pk: entry.unit for entry in data}.values():
        _require(actor, capability, unit)
    resolved = [(entry, *_resolve(entry)) for entry in data]
    people = [_person_build(actor, entry, values) for entry, values, _categories in resolved]
    hashes = {person.id_hash for person in people}
    if len(hashes) < len(people) or Person.objects.filter(id_hash__in=hashes).exists():
        raise ValidationError({"id_number": [_("This ID number is already registered.")]})
    try:
        with transaction.atomic():
            Person.objects.bulk_create(people)
    except IntegrityError:  # registered by someone else a moment ago
        raise ValidationError({"id_number": [_("This ID number is already registered.")]}) from None
    PersonCategory.objects.bulk_create(
        [
            PersonCategory(person=person, category=category)
            for person, (_entry, _values, categories) in zip(people, resolved, strict=True)
            for category in categories
        ]
    )
    audit_record_many(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="person",
        entries=[(person.pk, person.unit_id, person.name) for person in people],
    )
    return people


def _person_build(actor: User | None, data: PersonInput, values: dict[str, Any]) -> Person:
    """The validated person, not saved yet."""
    identity: ProtectedId = values.pop("identity")
    return Person(
        **values,
        **identity.fields(),
        household=_household(
            data.unit, data.household_code, values["address_region"], values["address"]
        ),
        created_by=actor,
    )


def _person_insert(
    actor: User | None, data: PersonInput, values: dict[str, Any], categories: list[Category]
) -> Person:
    """Register one validated person, audited; ``actor`` None: the person registered themselves
    through a unit's link (a returnee report)."""
    person = _person_build(actor, data, values)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Only a person the actor may open is named: anyone else learns no name and no number.
        existing = (
            people_visible_to(actor or AnonymousUser())
            .filter(id_hash=person.id_hash)
            .values_list("pk", flat=True)
            .first()
        )
        message = (
            _("This ID number is already registered (person %(id)s).") % {"id": existing}
            if existing
            else registered_outside_message()
        )
        raise ValidationError({"id_number": [message]}) from None
    PersonCategory.objects.bulk_create(
        [PersonCategory(person=person, category=c) for c in categories]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="person",
        object_id=person.pk,
        unit_id=data.unit.pk,
        summary=person.name,
    )
    return person


_AUDITED_FIELDS = (
    "name",
    "id_masked",
    "phone",
    "nationality",
    "unit_id",
    "household_id",
    "address_region_id",
    "address",
)


@transaction.atomic
def person_update(*, actor: User, person: Person, data: PersonInput) -> Person:
    _require(actor, Capability.EDIT_PEOPLE, person.unit)
    _require(actor, Capability.EDIT_PEOPLE, data.unit)
    before = {f: getattr(person, f) for f in _AUDITED_FIELDS}
    values, categories = _resolve(data)
    identity: ProtectedId = values.pop("identity")
    for name, value in values.items():
        setattr(person, name, value)
    if identity.id_hash != person.id_hash or identity.id_type != person.id_type:
        if Person.objects.filter(id_hash=identity.id_hash).exclude(pk=person.pk).exists():
            raise ValidationError({"id_number": [_("This ID number is already registered.")]})
        for name, value in identity.fields().items():
            setattr(person, name, value)
    person.household = _household(
        data.unit, data.household_code, person.address_region, person.address
    )
    person.save()
    person.categories.set(categories)
    after = {f: getattr(person, f) for f in _AUDITED_FIELDS}
    changes = {f: [str(before[f]), str(after[f])] for f in _AUDITED_FIELDS if before[f] != after[f]}
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="person",
        object_id=person.pk,
        unit_id=person.unit_id,
        summary=person.name,
        changes=changes,
    )
    return person


# What the plan derived for a person goes with their file; anything else that names them
# (a sample, a check-in, a group seat, an exposure …) is a record to keep, so it blocks deletion.
_DERIVED_FROM_FILE = frozenset(
    {"policy.Classification", "policy.Measure", "obligations.Obligation"}
)


def person_records(person: Person) -> list[str]:
    """The kinds of records that keep a person's file from being deleted, by their names."""
    kinds = []
    for relation in Person._meta.related_objects:
        model = relation.related_model
        label = model._meta.label
        if model._meta.app_label == "people" or label in _DERIVED_FROM_FILE:
            continue
        if model._default_manager.filter(**{relation.field.name: person}).exists():
            kinds.append(str(model._meta.verbose_name_plural))
    return kinds


@transaction.atomic
def person_delete(*, actor: User, person: Person) -> None:
    """Delete a file entered by mistake; a person with records of their own is kept."""
    _require(actor, Capability.EDIT_PEOPLE, person.unit)
    kinds = person_records(person)
    if kinds:
        raise ValidationError(
            _(
                "%(name)s cannot be deleted: there are records of them (%(kinds)s), and records"
                " are kept. Correct the file instead."
            )
            % {"name": person.name, "kinds": "、".join(kinds)}
        )
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type="person",
        object_id=person.pk,
        unit_id=person.unit_id,
        summary=f"{person.name} {person.id_masked}",
    )
    person.delete()


def person_reveal_id(*, actor: AnyUser, person: Person) -> str:
    """The full ID number, for roles that may see it; every call is audited."""
    if not user_can(actor, Capability.REVEAL_ID, person.unit):
        raise PermissionDenied(_("Your role may not see full ID numbers."))
    number = id_decrypt(person.id_cipher)
    audit_record(
        actor=actor,
        action=AuditAction.VIEW_FULL,
        object_type="person",
        object_id=person.pk,
        unit_id=person.unit_id,
        summary=_("full ID number viewed"),
    )
    return number


@dataclass
class TravelInput:
    start_date: dt.date
    end_date: dt.date
    region_code: str = ""
    country: str = ""
    place: str = ""


@transaction.atomic
def travel_add(*, actor: User, person: Person, data: TravelInput) -> TravelRecord:
    _require(actor, Capability.EDIT_PEOPLE, person.unit)
    return _travel_insert(actor, person, data)


def _travel_insert(actor: User | None, person: Person, data: TravelInput) -> TravelRecord:
    """Validate and record one stay, audited, and tell the plans of the arrival."""
    errors: dict[str, list[str]] = {}
    region = None
    if data.region_code.strip():
        region = region_get(data.region_code)
        if region is None:
            errors["region"] = [_("No region has the code %(code)s.") % {"code": data.region_code}]
    country = data.country.strip().upper()
    if country and (len(country) != 3 or not country.isalpha()):
        errors["country"] = [_("A country is its three-letter ISO code, such as USA or JPN.")]
    if not data.region_code.strip() and not country:
        errors["region"] = [_("Give a region code of China or a country.")]
    if data.start_date > data.end_date:
        errors["end_date"] = [_("The stay ends before it starts.")]
    if len(data.place) > 200:
        errors["place"] = [_("The place is longer than 200 characters.")]
    if errors:
        raise ValidationError(errors)
    record = TravelRecord.objects.create(
        person=person,
        region=region,
        country=country,
        place=data.place.strip(),
        start_date=data.start_date,
        end_date=data.end_date,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="person",
        object_id=person.pk,
        unit_id=person.unit_id,
        summary=_("stay added: %(place)s %(start)s – %(end)s")
        % {
            "place": region.full_name if region else country_name(country),
            "start": data.start_date,
            "end": data.end_date,
        },
        changes={"travel_record": record.pk},
    )
    # An arrival: the plan in force classifies the person again (policy listens: it reads the
    # register, so the register does not know it).
    arrival_recorded.send(sender=Person, person=person, actor=actor)
    return record


@transaction.atomic
def returnee_register(
    *, actor: User | None, data: PersonInput, stay: TravelInput
) -> tuple[Person, bool, TravelRecord]:
    """A returnee's report (返乡人员报备, G-19, B-16) landing in the register of ``data.unit``: the
    person already registered with this ID number anywhere (one person, one file), else a new
    person of the unit; the stay joins their travel history, which is the arrival the plan
    classifies. ``actor`` None: the returnee reported through the unit's link, which the caller
    checked; a user must keep the unit's register. Returns the person, whether they are new, and
    the stay."""
    if actor is not None:
        _require(actor, Capability.EDIT_PEOPLE, data.unit)
    try:
        identity = identity_protect(data.id_type, data.id_number, today=clock.localdate())
    except InvalidIdentity as error:
        raise ValidationError({"id_number": [str(error)]}) from None
    person = Person.objects.filter(id_hash=identity.id_hash).first()
    created = person is None
    if person is None:
        values, categories = _resolve(data)
        person = _person_insert(actor, data, values, categories)
    return person, created, _travel_insert(actor, person, stay)

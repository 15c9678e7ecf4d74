"""Reads of the register. Every query of people starts from ``people_visible_to``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from fangkong.core.inputs import BadInput, whole_number
from fangkong.core.text import search_term
from fangkong.org.access import AnyUser, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.identity import id_hash, id_number_searched, mask_id_number
from fangkong.people.models import ImportJob, ImportStatus, Person, PersonCategory, TravelRecord


def people_visible_to(
    user: AnyUser, capability: Capability = Capability.VIEW_PEOPLE
) -> QuerySet[Person]:
    """People whose home unit, or a further unit (class, department), is in the user's scope."""
    return Person.objects.filter(scope(user, capability).people())


@dataclass(frozen=True)
class PersonFilter:
    """The register's search and filters, shared by the page, the API and the export."""

    text: str = ""
    unit_id: int | None = None
    category: str = ""
    sex: str = ""
    # The keyed hash of an ID number searched for: the number itself stays out of URLs.
    id_hash: str = ""

    def for_audit(self) -> str:
        """The filters as an audit row may keep them: an ID number searched for only masked."""
        number = id_number_searched(search_term(self.text))
        text = mask_id_number(number) if number else self.text
        return ", ".join(
            f"{name}={value}"
            for name, value in (
                ("text", text),
                ("unit_id", self.unit_id),
                ("category", self.category),
                ("sex", self.sex),
                ("id_hash", self.id_hash),
            )
            if value
        )


def person_search_params(search: Mapping[str, str]) -> dict[str, str]:
    """The query string of a register search, where an ID number searched for is replaced by
    its keyed hash: a URL ends up in server logs, browser history and Referer headers."""
    params = {key: value for key in ("q", "unit", "category", "sex") if (value := search.get(key))}
    number = id_number_searched(search_term(params.get("q", "")))
    if number:
        del params["q"]
        params["id_hash"] = id_hash(number)
    return params


def person_list(
    user: AnyUser, filters: PersonFilter, capability: Capability = Capability.VIEW_PEOPLE
) -> QuerySet[Person]:
    people = people_visible_to(user, capability)
    text = search_term(filters.text)
    if text:
        if id_number_searched(text):
            # A query string ends up in server logs, browser history and Referer headers.
            raise BadInput(
                "q",
                _(
                    "Search an ID number with the search form (the API: POST search/),"
                    " not in the address."
                ),
            )
        if text.isdigit():
            people = people.filter(phone=text)
        else:
            # Any part of a name: "涛明" finds 李涛明. Within the scope's rows, so the prefix
            # index is not needed; a trigram index would not serve two-character names either.
            people = people.filter(name__contains=text)
    if filters.id_hash:
        people = people.filter(id_hash=search_term(filters.id_hash))
    if filters.unit_id:
        unit_path = Unit.objects.filter(pk=filters.unit_id).values_list("path", flat=True).first()
        people = people.filter(unit__path__startswith=unit_path) if unit_path else people.none()
    if filters.category:
        category = search_term(filters.category)
        people = people.filter(
            Exists(PersonCategory.objects.filter(person=OuterRef("pk"), category_id=category))
        )
    if filters.sex:
        people = people.filter(sex=filters.sex)
    return people.select_related("unit").order_by("-id")


def person_get_visible(
    user: AnyUser, person_id: int, capability: Capability = Capability.VIEW_PEOPLE
) -> Person | None:
    return (
        people_visible_to(user, capability)
        .select_related("unit", "household", "address_region")
        .filter(pk=person_id)
        .first()
    )


def person_household_members(user: AnyUser, person: Person) -> QuerySet[Person]:
    """The other members of the person's household whom the user may open: seeing one member
    (a student through the class) shows nobody else of the family."""
    if person.household_id is None:
        return Person.objects.none()
    return people_visible_to(user).filter(household_id=person.household_id).exclude(pk=person.pk)


def person_travel(person: Person) -> QuerySet[TravelRecord]:
    return person.travel.select_related("region").all()


def import_jobs_of(user: AnyUser) -> QuerySet[ImportJob]:
    """The user's imports, newest first, less the cancelled ones."""
    return ImportJob.objects.filter(created_by_id=user.pk).exclude(status=ImportStatus.CANCELLED)


def person_search(
    user: AnyUser, text: str, *, limit: int, capability: Capability = Capability.VIEW_PEOPLE
) -> QuerySet[Person]:
    """People the user may act on whose name contains the text, or whose person number or phone
    is the number typed: the person pickers."""
    text = search_term(text)
    people = people_visible_to(user, capability).select_related("unit")
    if text.isascii() and text.isdigit():
        number = whole_number(text)
        people = people.filter(Q(phone=text) | Q(pk=number or 0))
    else:
        people = people.filter(name__contains=text)
    return people.order_by("name", "pk")[:limit]


def person_pick(
    user: AnyUser, text: str, capability: Capability = Capability.VIEW_PEOPLE
) -> Person | None:
    """The person typed into a person picker: the person number it posts, or a name that only
    one person the user may act on has."""
    text = search_term(text)
    number = whole_number(text)
    if number is not None:
        return person_get_visible(user, number, capability)
    named = list(people_visible_to(user, capability).filter(name=text).select_related("unit")[:2])
    return named[0] if len(named) == 1 else None

"""REST API of the person register and travel history. Thin: parse, call a service, serialize."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import CodeRelatedField
from fangkong.core.inputs import query_int, validate_plausible_date
from fangkong.org.access import request_user, units_visible_to
from fangkong.org.models import Region, Unit
from fangkong.org.roles import Capability
from fangkong.people.merging import person_merge
from fangkong.people.models import Category, Household, Person, PersonCategory, TravelRecord
from fangkong.people.selectors import (
    PersonFilter,
    person_get_visible,
    person_list,
    person_search_params,
    person_travel,
)
from fangkong.people.services import (
    PersonInput,
    TravelInput,
    person_create,
    person_delete,
    person_reveal_id,
    person_update,
    travel_add,
)
from fangkong.people.timeline import TOPICS, person_timeline, timeline_cursor, timeline_next


class PersonSerializer(serializers.ModelSerializer):
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    household: serializers.SlugRelatedField[Household] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    address_region: serializers.PrimaryKeyRelatedField[Region] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_type",
            "id_masked",
            "birth_date",
            "sex",
            "phone",
            "nationality",
            "unit",
            "household",
            "address_region",
            "address",
            "categories",
            "created_at",
            "updated_at",
        ]

    def get_categories(self, person: Person) -> list[str]:
        return [tie.category_id for tie in person.personcategory_set.all()]


class PersonWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_type = serializers.ChoiceField(
        choices=Person.IdTypes.choices, default=Person.IdTypes.RESIDENT
    )
    id_number = serializers.CharField(max_length=40, write_only=True)
    unit = CodeRelatedField(slug_field="code", queryset=Unit.objects.all())
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    nationality = serializers.CharField(max_length=3, required=False, default="CHN")
    address_region = serializers.CharField(
        max_length=12, required=False, allow_blank=True, default=""
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    household = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    categories = serializers.ListField(
        child=CodeRelatedField(slug_field="code", queryset=Category.objects.all()),
        required=False,
        default=list,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A unit outside the user's subtrees does not exist as far as they can tell.
            self.fields["unit"] = CodeRelatedField(
                slug_field="code", queryset=units_visible_to(request.user)
            )

    def to_input(self) -> PersonInput:
        return PersonInput.from_cleaned(self.validated_data)


class PersonSearchSerializer(serializers.Serializer):
    """The list's filters, sent in a body so that an ID number stays out of the URL."""

    q = serializers.CharField(max_length=100, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
    category = serializers.CharField(max_length=40, required=False, allow_blank=True)
    sex = serializers.CharField(max_length=1, required=False, allow_blank=True)


class PersonMergeSerializer(serializers.Serializer):
    duplicate = serializers.IntegerField(
        min_value=1, help_text="the number of the person registered twice, merged into this one"
    )


class TravelSerializer(serializers.ModelSerializer):
    region = serializers.CharField(
        source="region_id",
        max_length=12,
        required=False,
        allow_blank=True,
        allow_null=True,
        default="",
    )
    country = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    class Meta:
        model = TravelRecord
        fields = ["id", "region", "country", "place", "start_date", "end_date", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "start_date": {"validators": [validate_plausible_date]},
            "end_date": {"validators": [validate_plausible_date]},
        }


@extend_schema(
    parameters=[
        OpenApiParameter(
            "q", str, description="any part of a name, or a phone (ID numbers: POST search/)"
        ),
        OpenApiParameter("unit", int, description="a unit id: its subtree only"),
        OpenApiParameter("category", str, description="a category code"),
        OpenApiParameter("sex", str, enum=["M", "F"]),
        OpenApiParameter(
            "id_hash", str, description="the keyed hash of an ID number, from POST search/"
        ),
    ]
)
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The person register, limited to the user's units. ID numbers are masked."""

    serializer_class = PersonSerializer

    def get_queryset(self) -> QuerySet[Person]:
        request: Request = self.request  # type: ignore[assignment]
        filters = PersonFilter()
        if self.action == "list":  # a created or named person is found whatever the query says
            params = request.query_params
            filters = PersonFilter(
                text=params.get("q", ""),
                unit_id=query_int(params, "unit"),
                category=params.get("category", ""),
                sex=params.get("sex", "") if params.get("sex") in {"M", "F"} else "",
                id_hash=params.get("id_hash", ""),
            )
        return (
            person_list(request.user, filters)
            .select_related("household")
            .prefetch_related(
                Prefetch(
                    "personcategory_set",
                    queryset=PersonCategory.objects.only("person_id", "category_id"),
                )
            )
        )

    @extend_schema(request=PersonWriteSerializer, responses={201: PersonSerializer})
    def create(self, request: Request) -> Response:
        form = PersonWriteSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        person = person_create(actor=request_user(request), data=form.to_input())
        return Response(
            PersonSerializer(self.get_queryset().get(pk=person.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=PersonWriteSerializer, responses={200: PersonSerializer})
    def update(self, request: Request, pk: str | None = None) -> Response:
        person = self.get_object()
        form = PersonWriteSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        person_update(actor=request_user(request), person=person, data=form.to_input())
        return Response(PersonSerializer(self.get_queryset().get(pk=person.pk)).data)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        person_delete(actor=request_user(request), person=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "PersonIdentity",
                {"id_type": serializers.CharField(), "id_number": serializers.CharField()},
            )
        },
    )
    @action(detail=True, methods=["post"])
    def identity(self, request: Request, pk: str | None = None) -> Response:
        """The full ID number, for roles that may see it; every call is audited."""
        person = self.get_object()
        return Response(
            {
                "id_type": person.id_type,
                "id_number": person_reveal_id(actor=request_user(request), person=person),
            }
        )

    @extend_schema(
        request=PersonMergeSerializer,
        responses={
            200: inline_serializer(
                "PersonMerged",
                {
                    "person": PersonSerializer(),
                    "moved": serializers.DictField(child=serializers.IntegerField()),
                    "folded": serializers.IntegerField(),
                },
            )
        },
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """合并重复人员: the person ``duplicate`` names, registered twice, merged into this one —
        every record of theirs moves here and their file is deleted (audited). Both must be
        people the user may change. ``moved`` counts the rows moved by kind; ``folded`` the rows
        equal to one of this person's, kept in the audit row only."""
        kept = self.get_object()
        form = PersonMergeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        duplicate = person_get_visible(
            request.user, form.validated_data["duplicate"], Capability.EDIT_PEOPLE
        )
        if duplicate is None:
            raise serializers.ValidationError(
                {"duplicate": [_("No person with this number among the people you may change.")]}
            )
        outcome = person_merge(actor=request_user(request), kept=kept, duplicate=duplicate)
        return Response(
            {
                "person": PersonSerializer(self.get_queryset().get(pk=kept.pk)).data,
                "moved": dict(outcome.moved),
                "folded": len(outcome.folded),
            }
        )

    @extend_schema(request=PersonSearchSerializer, responses={303: None})
    @action(detail=False, methods=["post"])
    def search(self, request: Request) -> Response:
        """Search by a full ID number without putting it in a URL: answers 303 with the list URL,
        where the number is replaced by its keyed hash (``id_hash``)."""
        form = PersonSearchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        search = person_search_params(form.validated_data)
        list_url = request.build_absolute_uri(f"../?{urlencode(search)}")
        return Response(status=status.HTTP_303_SEE_OTHER, headers={"Location": list_url})

    @extend_schema(methods=["get"], responses={200: TravelSerializer(many=True)})
    @extend_schema(methods=["post"], request=TravelSerializer, responses={201: TravelSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def travel(self, request: Request, pk: str | None = None) -> Response:
        """The person's travel history (旅居史), newest first; POST adds a stay."""
        person = self.get_object()
        if request.method == "GET":
            return Response(TravelSerializer(person_travel(person), many=True).data)
        form = TravelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        record = travel_add(
            actor=request_user(request),
            person=person,
            data=TravelInput(
                start_date=data["start_date"],
                end_date=data["end_date"],
                region_code=data.get("region_id") or "",
                country=data.get("country", ""),
                place=data.get("place", ""),
            ),
        )
        return Response(TravelSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("before", str, description="`next.before` of the previous page"),
            OpenApiParameter("skip", int, description="`next.skip` of the previous page"),
        ],
        responses={
            200: inline_serializer(
                "PersonTimeline",
                {
                    "entries": inline_serializer(
                        "TimelineEntry",
                        {
                            "at": serializers.DateTimeField(),
                            "topic": serializers.ChoiceField(choices=list(TOPICS)),
                            "label": serializers.CharField(),
                            "text": serializers.CharField(),
                            "link": serializers.CharField(),
                            "alert": serializers.BooleanField(),
                        },
                        many=True,
                    ),
                    "next": inline_serializer(
                        "TimelineCursor",
                        {"before": serializers.DateTimeField(), "skip": serializers.IntegerField()},
                        allow_null=True,
                    ),
                },
            )
        },
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        """The person's file (一人一档), newest first, a page at a time: stays, check-ins and
        fevers, absences, samples and results, exposures, measures, deadlines and changes."""
        page = person_timeline(
            self.get_object(), request.user, cursor=timeline_cursor(request.query_params)
        )
        return Response(
            {
                "entries": [{**asdict(entry), "label": entry.label} for entry in page.entries],
                "next": timeline_next(page) or None,
            }
        )

"""REST API of gathering applications: the caller's units' applications, filing one (judged at
once by the plan in force), and the approver's decision."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as BadRequest
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.movement.models import GatheringApplication, GatheringType, Organiser, Purpose
from fangkong.movement.selectors import gatherings_to_decide, gatherings_visible
from fangkong.movement.services import GatheringInput, gathering_apply, gathering_decide
from fangkong.org.access import request_user, units_in
from fangkong.org.roles import Capability


class GatheringInSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    type = serializers.ChoiceField(choices=GatheringType.choices)
    organiser = serializers.ChoiceField(choices=Organiser.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices, default=Purpose.OTHER)
    people = serializers.IntegerField(min_value=1, max_value=100_000)
    tables = serializers.IntegerField(min_value=1, max_value=10_000, required=False)
    classes = serializers.IntegerField(min_value=1, max_value=1_000, required=False)
    place = serializers.CharField(max_length=100)
    held_on = serializers.DateField()
    organiser_name = serializers.CharField(max_length=50)
    organiser_phone = serializers.RegexField(r"^\+?[0-9-]{5,20}$", max_length=20)


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class GatheringSerializer(serializers.ModelSerializer):
    class Meta:
        model = GatheringApplication
        fields = [
            "id",
            "unit",
            "type",
            "organiser",
            "purpose",
            "people",
            "tables",
            "classes",
            "place",
            "held_on",
            "organiser_name",
            "organiser_phone",
            "pack_id",
            "verdict",
            "clause",
            "approver",
            "status",
            "reason",
            "created_at",
            "decided_at",
        ]


def _refused(error: ValidationError) -> BadRequest:
    return BadRequest(error.message_dict)


class GatheringViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Gathering applications of the caller's units and of the units the caller decides for;
    POST files one; ``queue/`` lists those awaiting the caller; ``{id}/decide/`` decides one."""

    serializer_class = GatheringSerializer
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[GatheringApplication]:
        return gatherings_visible(self.request.user)

    @extend_schema(request=GatheringInSerializer, responses={201: GatheringSerializer})
    def create(self, request: Request) -> Response:
        incoming = GatheringInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        unit = units_in(request.user, Capability.EDIT_PEOPLE).filter(pk=data.pop("unit")).first()
        if unit is None:
            raise NotFound
        try:
            application = gathering_apply(
                actor=request_user(request), data=GatheringInput(unit=unit, **data)
            )
        except ValidationError as error:
            raise _refused(error) from error
        return Response(GatheringSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: GatheringSerializer(many=True)})
    @action(detail=False)
    def queue(self, request: Request) -> Response:
        page = self.paginate_queryset(gatherings_to_decide(request.user))
        return self.get_paginated_response(GatheringSerializer(page, many=True).data)

    @extend_schema(request=DecisionSerializer, responses={200: GatheringSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        application = gatherings_to_decide(request.user).filter(pk=pk).first()
        if application is None:
            raise NotFound
        incoming = DecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            application = gathering_decide(
                actor=request_user(request),
                application_id=application.pk,
                approve=incoming.validated_data["approve"],
                reason=incoming.validated_data["reason"],
            )
        except ValidationError as error:
            raise _refused(error) from error
        return Response(GatheringSerializer(application).data)

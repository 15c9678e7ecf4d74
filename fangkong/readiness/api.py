"""REST API of the duty roster: the shifts of the caller's units (POST adds some), a shift's
handover, removing a shift not yet begun, who is on duty now and a unit's gaps."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as BadRequest
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core import clock
from fangkong.core.inputs import query_int
from fangkong.org.access import request_user, units_in, units_visible_to
from fangkong.org.roles import Capability
from fangkong.policy.describe import plan_name
from fangkong.readiness.models import Shift
from fangkong.readiness.selectors import coverage, on_duty, shifts_visible, uncovered_now
from fangkong.readiness.services import (
    REPEAT_DAYS_MAX,
    ShiftInput,
    shift_handover,
    shift_remove,
    shifts_add,
)


class ShiftSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Shift
        fields = [
            "id",
            "unit",
            "unit_name",
            "name",
            "phone",
            "leader",
            "starts_at",
            "ends_at",
            "handover",
        ]


class ShiftInSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    name = serializers.CharField(max_length=50)
    phone = serializers.RegexField(r"^\+?[0-9-]{5,20}$", max_length=20)
    leader = serializers.BooleanField(default=False)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    days = serializers.IntegerField(min_value=1, max_value=REPEAT_DAYS_MAX, default=1)


class HandoverSerializer(serializers.Serializer):
    handover = serializers.CharField(max_length=500)


def _span(pair: tuple[Any, Any]) -> dict[str, str]:
    return {"from": pair[0].isoformat(), "to": pair[1].isoformat()}


class ShiftViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Shifts of the caller's units (``?unit=`` one unit, with those below), oldest first; POST
    adds a shift and, with ``days``, the same hours on the following days."""

    serializer_class = ShiftSerializer
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[Shift]:
        shifts = shifts_visible(self.request.user)
        if "unit" in self.request.query_params:
            unit_id = query_int(self.request.query_params, "unit")
            if unit_id is None:
                raise BadRequest({"unit": [_("A unit id is a whole number.")]})
            shifts = shifts.filter(unit_id=unit_id)
        return shifts

    @extend_schema(request=ShiftInSerializer, responses={201: ShiftSerializer(many=True)})
    def create(self, request: Request) -> Response:
        incoming = ShiftInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        unit = units_in(request.user, Capability.KEEP_ROSTER).filter(pk=data.pop("unit")).first()
        if unit is None:
            raise NotFound
        shifts = shifts_add(actor=request_user(request), data=ShiftInput(unit=unit, **data))
        return Response(ShiftSerializer(shifts, many=True).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        shift = self.get_object()
        shift_remove(actor=request_user(request), shift_id=shift.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=HandoverSerializer, responses={200: ShiftSerializer})
    @action(detail=True, methods=["post"])
    def handover(self, request: Request, pk: str) -> Response:
        shift = self.get_object()
        incoming = HandoverSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        shift = shift_handover(
            actor=request_user(request),
            shift_id=shift.pk,
            note=incoming.validated_data["handover"],
        )
        return Response(ShiftSerializer(shift).data)

    @extend_schema(responses={200: dict})
    @action(detail=False)
    def now(self, request: Request) -> Response:
        """Who is on duty now, and the units the plan wants on duty with nobody now."""
        at = clock.now()
        missing = uncovered_now(request.user, at)
        return Response(
            {
                "at": at.isoformat(),
                "on_duty": ShiftSerializer(on_duty(request.user, at)[:100], many=True).data,
                "uncovered": {
                    "count": missing.total,
                    "units": [{"id": u.pk, "name": u.name} for u in missing.units],
                },
            }
        )

    @extend_schema(parameters=[OpenApiParameter("unit", int, required=True)], responses={200: dict})
    @action(detail=False)
    def coverage(self, request: Request) -> Response:
        """The unit's gaps in the next days against its plan's roster rule."""
        unit_id = query_int(request.query_params, "unit")
        if unit_id is None:
            raise BadRequest({"unit": [_("A unit id is a whole number.")]})
        unit = units_visible_to(request.user).filter(pk=unit_id).first()
        if unit is None:
            raise NotFound
        cover = coverage(unit, clock.now())
        if cover is None:
            return Response({"unit": unit.pk, "required": False})
        return Response(
            {
                "unit": unit.pk,
                "required": True,
                "plan": plan_name(cover.pack_id),
                "clause": cover.rule.clause,
                "leader": cover.rule.leader,
                "from": cover.start.isoformat(),
                "to": cover.end.isoformat(),
                "gaps": [_span(g) for g in cover.gaps],
                "leader_gaps": [_span(g) for g in cover.leader_gaps],
            }
        )

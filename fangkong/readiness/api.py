"""REST API of readiness: the duty roster (the shifts of the caller's units, handovers, who is on
duty now, a unit's gaps), supplies (cover, batches, receipts, consumption, requests up and issues
down), disinfection (schedules, what is owed, the log) and the work injuries employers report
(G-13)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as BadRequest
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core import clock
from fangkong.core.inputs import ID_MAX, validate_plausible_date
from fangkong.core.viewsets import ServiceViewSetMixin, found, unit_narrowed, unit_param
from fangkong.obligations.models import Obligation
from fangkong.org.access import request_user, units_in, units_visible_to
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.policy.describe import plan_name
from fangkong.readiness.disinfection import (
    CONCENTRATION_MAX,
    DURATION_MAX,
    TIMES_PER_DAY_MAX,
    LogInput,
    disinfection_log,
    logs_visible,
    owed_visible,
    schedule_add,
    schedule_stop,
    schedules_visible,
)
from fangkong.readiness.injuries import (
    InjuryInput,
    injuries_visible,
    injury_mark_reported,
    injury_offices,
    injury_record,
    report_of,
)
from fangkong.readiness.models import (
    DisinfectionLog,
    DisinfectionSchedule,
    Shift,
    StockBatch,
    SupplyItem,
    SupplyRequest,
    WorkInjury,
)
from fangkong.readiness.selectors import coverage, on_duty, shifts_visible, uncovered_now
from fangkong.readiness.services import (
    REPEAT_DAYS_MAX,
    ShiftInput,
    shift_handover,
    shift_remove,
    shifts_add,
)
from fangkong.readiness.supplies import (
    QUANTITY_MAX,
    UnitCover,
    batches_visible,
    covers,
    covers_short_first,
    requests_open_to,
    requests_visible,
    stock_consume,
    stock_issue,
    stock_receive,
    supply_request,
)

OWED_SHOWN = 200


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
    ServiceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Shifts of the caller's units (``?unit=`` one unit, with those below), oldest first; POST
    adds a shift and, with ``days``, the same hours on the following days."""

    serializer_class = ShiftSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    input_serializer_class = ShiftInSerializer
    creates_many = True

    def get_queryset(self) -> QuerySet[Shift]:
        return unit_narrowed(shifts_visible(self.request.user), self.request.query_params)

    def perform_service(self, request: Request, data: dict[str, Any]) -> list[Shift]:
        unit = found(units_in(request.user, Capability.KEEP_ROSTER), data.pop("unit"))
        return shifts_add(actor=request_user(request), data=ShiftInput(unit=unit, **data))

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
        unit = found(units_visible_to(request.user), unit_param(request.query_params))
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


# --- supplies (L-03, L-07) ---------------------------------------------------------------


def _keepable(request: Request, unit_id: int) -> Unit:
    """One of the units whose supplies the caller keeps, or 404 (a neighbour's is not there)."""
    return found(units_in(request.user, Capability.KEEP_SUPPLIES), unit_id)


def _cover_data(cover: UnitCover) -> dict[str, Any]:
    return {
        "unit": cover.unit.pk,
        "unit_name": cover.unit.name,
        "items": [
            {
                "item": item.item.value,
                "name": str(item.item.label),
                "measure": item.measure,
                "held": item.held,
                "expiring": item.expiring,
                "expiring_on": item.expiring_on.isoformat() if item.expiring_on else None,
                "daily_use": item.daily_use,
                "days": round(item.days, 1) if item.days is not None else None,
                "target_days": item.target.days if item.target else None,
                "clause": item.target.clause if item.target else "",
                "short": item.short,
                "needed": item.needed,
            }
            for item in cover.items
        ],
    }


class QuantitySerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    item = serializers.ChoiceField(choices=SupplyItem.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=QUANTITY_MAX)


class ReceiptSerializer(QuantitySerializer):
    expires_on = serializers.DateField(
        required=False, allow_null=True, validators=[validate_plausible_date]
    )


class IssueSerializer(QuantitySerializer):
    to_unit = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    request = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)


class BatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockBatch
        fields = ["id", "unit", "item", "quantity", "expires_on", "received_at"]


class SupplyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Supplies of the caller's units: the batches in stock (``?unit=`` one unit), the cover of
    each unit against its plan's target, receipts, consumption and issues down."""

    serializer_class = BatchSerializer

    def get_queryset(self) -> QuerySet[StockBatch]:
        batches = batches_visible(self.request.user).order_by("unit__path", "expires_on", "id")
        return unit_narrowed(batches, self.request.query_params)

    @extend_schema(parameters=[OpenApiParameter("unit", int)], responses={200: dict})
    @action(detail=False)
    def cover(self, request: Request) -> Response:
        """The cover of one unit's items (``?unit=``), or of the caller's units, those short of
        their plan's target first."""
        if "unit" in request.query_params:
            unit = found(units_visible_to(request.user), unit_param(request.query_params))
            return Response([_cover_data(cover) for cover in covers([unit])])
        return Response([_cover_data(cover) for cover in covers_short_first(request.user)])

    @extend_schema(request=ReceiptSerializer, responses={201: BatchSerializer})
    @action(detail=False, methods=["post"])
    def receive(self, request: Request) -> Response:
        incoming = ReceiptSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        batch = stock_receive(
            actor=request_user(request),
            unit=_keepable(request, data["unit"]),
            item=data["item"],
            quantity=data["quantity"],
            expires_on=data.get("expires_on"),
        )
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=QuantitySerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def consume(self, request: Request) -> Response:
        incoming = QuantitySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        unit = _keepable(request, data["unit"])
        stock_consume(
            actor=request_user(request), unit=unit, item=data["item"], quantity=data["quantity"]
        )
        return Response([_cover_data(cover) for cover in covers([unit])])

    @extend_schema(request=IssueSerializer, responses={201: BatchSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def issue(self, request: Request) -> Response:
        incoming = IssueSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        giver = _keepable(request, data["unit"])
        to_unit = Unit.objects.filter(pk=data["to_unit"], path__startswith=giver.path).first()
        if to_unit is None:
            raise BadRequest({"to_unit": [_("Supplies are issued to a unit below.")]})
        asked = None
        if "request" in data:
            asked = requests_open_to(giver).filter(pk=data["request"]).first()
            if asked is None:
                raise BadRequest({"request": [_("This request is not open for this issue.")]})
        batches = stock_issue(
            actor=request_user(request),
            from_unit=giver,
            to_unit=to_unit,
            item=data["item"],
            quantity=data["quantity"],
            request=asked,
        )
        return Response(BatchSerializer(batches, many=True).data, status=status.HTTP_201_CREATED)


class SupplyRequestSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    to_unit_name = serializers.CharField(source="to_unit.name", read_only=True)

    class Meta:
        model = SupplyRequest
        fields = [
            "id",
            "unit",
            "unit_name",
            "to_unit",
            "to_unit_name",
            "item",
            "quantity",
            "note",
            "status",
            "created_at",
        ]


class SupplyRequestInSerializer(QuantitySerializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SupplyRequestViewSet(
    ServiceViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Requests made by the caller's units or to them, newest first; POST asks the unit above."""

    serializer_class = SupplyRequestSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    input_serializer_class = SupplyRequestInSerializer

    def get_queryset(self) -> QuerySet[SupplyRequest]:
        return requests_visible(self.request.user)

    def perform_service(self, request: Request, data: dict[str, Any]) -> SupplyRequest:
        return supply_request(
            actor=request_user(request),
            unit=_keepable(request, data["unit"]),
            item=data["item"],
            quantity=data["quantity"],
            note=data.get("note", ""),
        )


# --- disinfection (L-02, L-08, L-12) -----------------------------------------------------


class ScheduleSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = DisinfectionSchedule
        fields = [
            "id",
            "unit",
            "unit_name",
            "place",
            "times_per_day",
            "once_by",
            "case",
            "clause",
            "active",
        ]


class ScheduleInSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    place = serializers.CharField(max_length=100)
    times_per_day = serializers.IntegerField(min_value=1, max_value=TIMES_PER_DAY_MAX)


class LogSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="schedule.place", read_only=True)

    class Meta:
        model = DisinfectionLog
        fields = [
            "id",
            "schedule",
            "place",
            "unit",
            "agent",
            "concentration_mg_l",
            "duration_minutes",
            "done_by",
            "done_at",
        ]


class LogInSerializer(serializers.Serializer):
    schedule = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    agent = serializers.CharField(max_length=50)
    concentration_mg_l = serializers.IntegerField(min_value=1, max_value=CONCENTRATION_MAX)
    duration_minutes = serializers.IntegerField(min_value=1, max_value=DURATION_MAX)
    done_by = serializers.CharField(max_length=50)
    done_at = serializers.DateTimeField(validators=[validate_plausible_date])


class OwedSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Obligation
        fields = ["id", "unit", "unit_name", "rule_id", "due_at", "status"]


class DisinfectionScheduleViewSet(
    ServiceViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The disinfection schedules of the caller's units (``?unit=`` one unit); POST adds a
    place disinfected so many times a day; ``owed`` lists the disinfections still owed."""

    serializer_class = ScheduleSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    input_serializer_class = ScheduleInSerializer

    def get_queryset(self) -> QuerySet[DisinfectionSchedule]:
        return unit_narrowed(schedules_visible(self.request.user), self.request.query_params)

    def perform_service(self, request: Request, data: dict[str, Any]) -> DisinfectionSchedule:
        return schedule_add(
            actor=request_user(request),
            unit=_keepable(request, data["unit"]),
            place=data["place"],
            times_per_day=data["times_per_day"],
        )

    @extend_schema(request=None, responses={200: ScheduleSerializer})
    @action(detail=True, methods=["post"])
    def stop(self, request: Request, pk: str) -> Response:
        schedule = schedule_stop(actor=request_user(request), schedule=self.get_object())
        return Response(ScheduleSerializer(schedule).data)

    @extend_schema(responses={200: OwedSerializer(many=True)})
    @action(detail=False)
    def owed(self, request: Request) -> Response:
        """The disinfections still owed in the caller's units, overdue ones first."""
        rows = owed_visible(request.user)[:OWED_SHOWN]
        return Response(OwedSerializer(rows, many=True).data)


class DisinfectionLogViewSet(
    ServiceViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The disinfection log of the caller's units, newest first; POST logs one done."""

    serializer_class = LogSerializer
    lookup_value_regex = r"[0-9]{1,18}"
    input_serializer_class = LogInSerializer

    def get_queryset(self) -> QuerySet[DisinfectionLog]:
        return logs_visible(self.request.user)

    def perform_service(self, request: Request, data: dict[str, Any]) -> DisinfectionLog:
        schedule = found(schedules_visible(request.user), data.pop("schedule"))
        return disinfection_log(
            actor=request_user(request), schedule=schedule, data=LogInput(**data)
        )


class _InjuriesSerializer(serializers.ListSerializer):  # type: ignore[type-arg]
    """A list of injuries reads the written reports they opened in one query."""

    def to_representation(self, data: Any) -> Any:
        rows = list(data.all() if hasattr(data, "all") else data)
        assert isinstance(self.child, InjurySerializer)  # noqa: S101 - its Meta names this class
        self.child.reports = report_of(rows)
        return super().to_representation(rows)


class InjurySerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    report_due_at = serializers.SerializerMethodField()
    report_status = serializers.SerializerMethodField()

    class Meta:
        model = WorkInjury
        list_serializer_class = _InjuriesSerializer
        fields = [
            "id",
            "unit",
            "unit_name",
            "employer",
            "name",
            "phone",
            "occurred_at",
            "hospital",
            "description",
            "reported_at",
            "report_due_at",
            "report_status",
        ]

    reports: dict[int, Obligation] | None = None

    def _report(self, injury: WorkInjury) -> Obligation | None:
        if self.reports is None:
            self.reports = report_of([injury])
        return self.reports.get(injury.pk)

    def get_report_due_at(self, injury: WorkInjury) -> str | None:
        report = self._report(injury)
        return None if report is None else report.due_at.isoformat()

    def get_report_status(self, injury: WorkInjury) -> str | None:
        """open, met or missed: the written report the plan asks (G-13)."""
        report = self._report(injury)
        return None if report is None else report.status


class InjuryInSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    employer = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(validators=[validate_plausible_date])
    hospital = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    description = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )


class WorkInjuryViewSet(
    ServiceViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The work injuries in the registers of the caller's offices (G-13), each with the written
    report it opened; POST records one an employer reported; ``reported`` marks its written
    report received."""

    serializer_class = InjurySerializer
    lookup_value_regex = r"[0-9]{1,18}"
    input_serializer_class = InjuryInSerializer

    def get_queryset(self) -> QuerySet[WorkInjury]:
        return unit_narrowed(injuries_visible(self.request.user), self.request.query_params)

    def perform_service(self, request: Request, data: dict[str, Any]) -> WorkInjury:
        data["unit"] = found(injury_offices(request.user), data["unit"])
        return injury_record(actor=request_user(request), data=InjuryInput(**data))

    @extend_schema(request=None, responses={200: InjurySerializer})
    @action(detail=True, methods=["post"])
    def reported(self, request: Request, pk: str) -> Response:
        injury = injury_mark_reported(actor=request_user(request), injury=self.get_object())
        return Response(InjurySerializer(injury).data)

"""REST API of playbooks: the runs of the caller's units (``?unit=``; POST starts one), a run with
its steps against the clock, a step marked done, a run finished and scored, and the playbooks of
the plan in force at a unit."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core import clock
from fangkong.core.viewsets import ServiceViewSetMixin, found, unit_narrowed, unit_param
from fangkong.org.access import request_user, units_in, units_visible_to
from fangkong.org.roles import Capability
from fangkong.playbooks.models import PlaybookRun, RunStep
from fangkong.playbooks.selectors import playbooks_at, runs_visible, standing
from fangkong.playbooks.services import NAME_MAX, run_finish, run_start, step_done


class StepSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    minutes_late = serializers.SerializerMethodField()

    class Meta:
        model = RunStep
        fields = [
            "position",
            "title",
            "role",
            "assignee",
            "clause",
            "due_at",
            "done_at",
            "state",
            "minutes_late",
        ]

    def get_state(self, step: RunStep) -> str:
        return standing(step, clock.now()).state

    def get_minutes_late(self, step: RunStep) -> int:
        return standing(step, clock.now()).minutes_late


class RunSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = PlaybookRun
        fields = [
            "id",
            "unit",
            "unit_name",
            "playbook_id",
            "name",
            "drill",
            "started_at",
            "finished_at",
            "score",
        ]


class RunDetailSerializer(RunSerializer):
    steps = StepSerializer(many=True, read_only=True)

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "steps"]


class StartSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    playbook = serializers.CharField(max_length=64)
    drill = serializers.BooleanField(default=True)
    names = serializers.DictField(
        child=serializers.CharField(max_length=NAME_MAX, allow_blank=True), default=dict
    )


class StepDoneSerializer(serializers.Serializer):
    step = serializers.IntegerField(min_value=1, max_value=1000)


class PlaybookRunViewSet(
    ServiceViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Runs of the caller's units, newest first (``?unit=`` one unit's history); POST starts
    one; ``{id}/done/`` marks a step done; ``{id}/finish/`` scores the run."""

    lookup_value_regex = r"[0-9]{1,18}"
    input_serializer_class = StartSerializer

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return RunDetailSerializer if self.action != "list" else RunSerializer

    def get_queryset(self) -> QuerySet[PlaybookRun]:
        runs = runs_visible(self.request.user)
        if self.action != "list":
            return runs.prefetch_related("steps")
        return unit_narrowed(runs, self.request.query_params)

    def perform_service(self, request: Request, data: dict[str, Any]) -> PlaybookRun:
        return run_start(
            actor=request_user(request),
            unit=found(units_in(request.user, Capability.KEEP_ROSTER), data["unit"]),
            playbook_id=data["playbook"],
            drill=data["drill"],
            names=data["names"],
        )

    @extend_schema(request=StepDoneSerializer, responses={200: RunDetailSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str) -> Response:
        run = self.get_object()
        incoming = StepDoneSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        step_done(
            actor=request_user(request), run_id=run.pk, position=incoming.validated_data["step"]
        )
        return Response(RunDetailSerializer(self.get_queryset().get(pk=run.pk)).data)

    @extend_schema(request=None, responses={200: RunDetailSerializer})
    @action(detail=True, methods=["post"])
    def finish(self, request: Request, pk: str) -> Response:
        run = run_finish(actor=request_user(request), run_id=self.get_object().pk)
        return Response(RunDetailSerializer(run).data)

    @extend_schema(parameters=[OpenApiParameter("unit", int, required=True)], responses={200: dict})
    @action(detail=False)
    def available(self, request: Request) -> Response:
        """The playbooks of the plan in force at the unit, with their steps."""
        unit = found(units_visible_to(request.user), unit_param(request.query_params))
        pack_id, playbooks = playbooks_at(unit)
        return Response(
            {"unit": unit.pk, "plan": pack_id, "playbooks": [p.model_dump() for p in playbooks]}
        )

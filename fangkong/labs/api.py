"""REST API of testing: sampling in batches (sampling apps), lab results (lab systems), tubes,
screening rounds with their coverage, and the pool-size planner."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import CodeRelatedField, batch_body, row_text, row_time
from fangkong.labs.models import POOL_SIZES, SamplingPoint, ScreeningRound, Tube, TubeKind
from fangkong.labs.planner import MAX_POOL, PoolPlanError, planner_input, pool_size
from fangkong.labs.results import ResultInput, results_record
from fangkong.labs.sampling import SampleInput, samples_record
from fangkong.labs.selectors import round_coverage, rounds_visible, tubes_visible
from fangkong.labs.services import round_create
from fangkong.org.access import request_user, scope, units_in
from fangkong.org.models import Unit
from fangkong.org.roles import Capability

BATCH_MAX = 10_000

_Outcome = inline_serializer(
    "BatchOutcome",
    {
        "samples": serializers.IntegerField(),
        "tubes": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField()),
    },
)


class SampleInSerializer(serializers.Serializer):
    """One person into one tube, for the OpenAPI description; the view checks it by hand."""

    tube = serializers.CharField(max_length=32)
    person = serializers.IntegerField(required=False)
    id_number = serializers.CharField(required=False, max_length=40)
    sampled_at = serializers.DateTimeField(required=False)


class SamplingInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[TubeKind.SINGLE, TubeKind.HOUSEHOLD, TubeKind.POOL], default=TubeKind.POOL
    )
    round = serializers.IntegerField(required=False)
    point = serializers.IntegerField(required=False)
    unit = serializers.CharField(required=False, help_text="unit code, without a point or round")
    samples = SampleInSerializer(many=True)


class ResultInSerializer(serializers.Serializer):
    tube = serializers.CharField(max_length=32)
    result = serializers.ChoiceField(choices=["negative", "positive", "invalid"])
    ct = serializers.DecimalField(max_digits=4, decimal_places=1, required=False)
    tested_at = serializers.DateTimeField(required=False)


class ResultsInSerializer(serializers.Serializer):
    lab = serializers.CharField(help_text="the lab's unit code")
    results = ResultInSerializer(many=True)


class SamplingViewSet(viewsets.ViewSet):
    """Sampling apps post tubes and the people swabbed into them, up to 10,000 rows a request."""

    parser_classes = [JSONParser]  # the rows are nested JSON; no form encoding
    renderer_classes = [JSONRenderer]

    @extend_schema(request=SamplingInSerializer, responses={200: _Outcome})
    def create(self, request: Request) -> Response:
        user = request_user(request)
        data, items = batch_body(request, BATCH_MAX, "samples")
        screening = point = unit = None
        if data.get("round") is not None:
            screening = rounds_visible(user).filter(pk=_int(data["round"], "round")).first()
            if screening is None:
                raise ValidationError({"round": ["No such round among yours."]})
        if data.get("point") is not None:
            point = (
                SamplingPoint.objects.filter(scope(user, Capability.SAMPLE).units("unit__path"))
                .filter(pk=_int(data["point"], "point"))
                .first()
            )
            if point is None:
                raise ValidationError({"point": ["No such sampling point among yours."]})
        if data.get("unit") is not None:
            unit = units_in(user, Capability.SAMPLE).filter(code=row_text(data, "unit")).first()
            if unit is None:
                raise ValidationError({"unit": ["No such unit among yours."]})
        kind = data.get("kind", TubeKind.POOL)
        if kind not in (TubeKind.SINGLE, TubeKind.HOUSEHOLD, TubeKind.POOL):
            raise ValidationError({"kind": ["single, household or pool."]})
        rows = []
        refused: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            person = item.get("person") if isinstance(item, dict) else None
            if not isinstance(item, dict) or (
                person is not None and (type(person) is not int or not 0 < person < 2**63)
            ):
                refused.append({"index": index, "field": "person", "reason": "Not a person id."})
                rows.append(SampleInput(barcode="", person_id=None))
                continue
            rows.append(
                SampleInput(
                    barcode=row_text(item, "tube"),
                    person_id=person,
                    id_number=row_text(item, "id_number"),
                    sampled_at=row_time(item, "sampled_at"),
                )
            )
        result = samples_record(
            actor=user, rows=rows, kind=kind, round=screening, point=point, unit=unit
        )
        bad = {e["index"] for e in refused}
        errors = refused + [e for e in result.errors if e["index"] not in bad]
        return Response(
            {
                "samples": result.samples,
                "tubes": result.tubes,
                "unchanged": result.unchanged,
                "errors": sorted(errors, key=lambda e: e["index"]),
            }
        )


def _int(value: Any, name: str) -> int:
    if type(value) is not int or not 0 < value < 2**63:
        raise ValidationError({name: ["An id (a positive integer) is required."]})
    return value


class LabResultViewSet(viewsets.ViewSet):
    """Lab systems post results of the tubes sent to the lab, up to 10,000 a request."""

    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        request=ResultsInSerializer,
        responses={
            200: inline_serializer(
                "ResultsOutcome",
                {
                    "accepted": serializers.IntegerField(),
                    "unchanged": serializers.IntegerField(),
                    "conflicts": serializers.IntegerField(),
                    "positives": serializers.ListField(child=serializers.CharField()),
                    "errors": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def create(self, request: Request) -> Response:
        user = request_user(request)
        data, items = batch_body(request, BATCH_MAX, "results")
        lab = (
            units_in(user, Capability.RUN_LAB)
            .filter(code=row_text(data, "lab"), kind="lab")
            .first()
        )
        if lab is None:
            raise ValidationError({"lab": ["No such lab among yours."]})
        rows = [
            ResultInput(
                barcode=row_text(item, "tube"),
                outcome=row_text(item, "result"),
                ct=item.get("ct") if isinstance(item.get("ct"), int | float | str) else None,
                tested_at=row_time(item, "tested_at"),
            )
            if isinstance(item, dict)
            else ResultInput(barcode="", outcome="")
            for item in items
        ]
        outcome = results_record(actor=user, lab=lab, rows=rows, source="api")
        return Response(
            {
                "accepted": outcome.accepted,
                "unchanged": outcome.unchanged,
                "conflicts": outcome.conflicts,
                "positives": outcome.positives,
                "errors": outcome.errors,
            }
        )


class TubeSerializer(serializers.ModelSerializer):
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    members = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()

    class Meta:
        model = Tube
        fields = ["barcode", "kind", "capacity", "round", "unit", "place", "sampled_at", "sealed",
                  "members", "results"]  # fmt: skip

    def get_members(self, tube: Tube) -> list[int]:
        return [s.person_id for s in tube.samples.all()]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_results(self, tube: Tube) -> list[dict[str, Any]]:
        return [
            {"result": r.outcome, "ct": None if r.ct is None else str(r.ct),
             "tested_at": r.tested_at.isoformat(), "conflict": r.conflict}
            for r in tube.results.all()
        ]  # fmt: skip


class TubeViewSet(viewsets.ReadOnlyModelViewSet):
    """Tubes sampled in the caller's units or sent to the caller's lab, by barcode."""

    serializer_class = TubeSerializer
    lookup_field = "barcode"

    def get_queryset(self) -> QuerySet[Tube]:
        return (
            tubes_visible(self.request.user)
            .select_related("unit")
            .prefetch_related("samples", "results")
            .order_by("-id")
        )


class RoundSerializer(serializers.ModelSerializer):
    unit = CodeRelatedField(slug_field="code", queryset=Unit.objects.all())
    lab = CodeRelatedField(
        slug_field="code", queryset=Unit.objects.filter(kind="lab"), required=False, allow_null=True
    )
    pool_size = serializers.ChoiceField(choices=POOL_SIZES, default=10)
    deadline = serializers.DateTimeField(required=False)

    class Meta:
        model = ScreeningRound
        fields = ["id", "name", "unit", "lab", "pool_size", "starts_at", "deadline", "status"]
        read_only_fields = ["status"]


class RoundViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Screening rounds (全员核酸筛查) of the caller's units; coverage by unit."""

    serializer_class = RoundSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ScreeningRound]:
        return rounds_visible(self.request.user).order_by("-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = RoundSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        screening = round_create(
            actor=request_user(request), unit=data["unit"], name=data["name"],
            starts_at=data["starts_at"], deadline=data.get("deadline"),
            pool_size=data["pool_size"], lab=data.get("lab"),
        )  # fmt: skip
        return Response(RoundSerializer(screening).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            200: inline_serializer(
                "Coverage",
                {
                    "unit": serializers.CharField(),
                    "registered": serializers.IntegerField(),
                    "sampled": serializers.IntegerField(),
                },
                many=True,
            )
        }
    )
    @action(detail=True)
    def coverage(self, request: Request, pk: str) -> Response:
        screening = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(
            [
                {"unit": row.unit.code, "registered": row.registered, "sampled": row.sampled}
                for row in round_coverage(screening, request.user)
            ]
        )


class PoolSizeViewSet(viewsets.ViewSet):
    """Dorfman's pool size for a positivity: E = 1/k + 1 - (1 - p)^k tests per person."""

    @extend_schema(
        parameters=[
            OpenApiParameter("positivity", float, required=True),
            OpenApiParameter("max_size", int, required=False),
        ],
        responses={
            200: inline_serializer(
                "PoolSize",
                {
                    "pool_size": serializers.IntegerField(),
                    "tests_per_person": serializers.FloatField(),
                },
            )
        },
    )
    def list(self, request: Request) -> Response:
        try:
            positivity, largest = planner_input(
                request.query_params.get("positivity", ""),
                request.query_params.get("max_size", str(MAX_POOL)),
            )
            plan = pool_size(positivity, largest)
        except PoolPlanError as error:
            raise ValidationError({error.field: [str(error)]}) from error
        return Response({"pool_size": plan.pool_size, "tests_per_person": plan.tests_per_person})

"""REST API of the work plans: packs and scenarios, risk areas, measures, obligations.

Thin: parse, call a service or selector, serialize. Everything read is scoped like the pages.
"""

from __future__ import annotations

from typing import Any, get_args

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from pydantic import ValidationError as PydanticError
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core import clock
from fangkong.core.api import CodeRelatedField
from fangkong.core.inputs import ID_MAX, query_int, validate_plausible_date, whole_number
from fangkong.core.text import NUL
from fangkong.obligations.models import Obligation
from fangkong.obligations.selectors import (
    GROUP_ORDERS,
    ObligationState,
    obligations_grouped,
    obligations_list,
)
from fangkong.obligations.services import (
    SELECTION_MAX,
    obligation_meet,
    obligations_meet_selected,
    obligations_remind,
)
from fangkong.org.access import request_user, scope, units_in
from fangkong.org.models import Region
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.people.selectors import person_get_visible
from fangkong.policy.describe import reason_named, release_verdict, rule_table
from fangkong.policy.models import Measure, ReleaseFactKind, RiskArea
from fangkong.policy.packs import packs_all
from fangkong.policy.scenario import Scenario, ScenarioError, scenario_problems
from fangkong.policy.selectors import measures_active, person_release_check, risk_areas_current
from fangkong.policy.services import (
    ReleaseFactInput,
    RiskAreaInput,
    measures_release,
    release_fact_record,
    risk_area_create,
    risk_area_withdraw,
)


class RiskAreaSerializer(serializers.ModelSerializer):
    region: serializers.SlugRelatedField[Region] = CodeRelatedField(
        slug_field="code", queryset=Region.objects.all()
    )

    class Meta:
        model = RiskArea
        fields = ["id", "region", "level", "start_date", "end_date", "source", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "start_date": {"validators": [validate_plausible_date]},
            "end_date": {"validators": [validate_plausible_date]},
        }


class RiskAreaViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Published risk areas (current versions). Publishing or withdrawing needs the plan-manager
    capability; the people affected are reclassified in the background."""

    serializer_class = RiskAreaSerializer

    def get_queryset(self) -> QuerySet[RiskArea]:
        return risk_areas_current().order_by("-id")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        if NUL in data.get("level", "") + data.get("source", ""):
            raise ValidationError({"level": ["NUL characters are not allowed."]})
        serializer.instance = risk_area_create(
            actor=request_user(self.request),
            data=RiskAreaInput(
                data["region"],
                data["level"],
                data["start_date"],
                data.get("end_date"),
                data.get("source", ""),
            ),
        )

    def perform_destroy(self, instance: RiskArea) -> None:
        risk_area_withdraw(actor=request_user(self.request), area=instance)


class MeasureSerializer(serializers.ModelSerializer):
    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    site: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id",
            "person",
            "unit",
            "site",
            "kind",
            "start_date",
            "end_date",
            "pack_id",
            "rule_id",
            "trigger",
            "explanation",
            "release",
            "status",
            "created_at",
        ]

    def get_explanation(self, measure: Measure) -> list[dict[str, Any]]:
        """The rules that decided the measure, the reason naming regions and countries."""
        return [
            {**entry, "because": reason_named(entry.get("because", ""))}
            for entry in measure.explanation
        ]


class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    """Active measures of the people in the caller's units, with the rule and the reason."""

    serializer_class = MeasureSerializer

    def get_queryset(self) -> QuerySet[Measure]:
        return measures_active(self.request.user).order_by("-id")


class ObligationSerializer(serializers.ModelSerializer):
    unit: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Obligation
        fields = [
            "id",
            "kind",
            "person",
            "unit",
            "due_at",
            "status",
            "cancel_reason",
            "source",
            "pack_id",
            "rule_id",
            "clause",
            "detail",
            "met_at",
            "note",
        ]


STATES = list(get_args(ObligationState))


class _MeetSelection(serializers.Serializer[Any]):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        allow_empty=False,
        max_length=SELECTION_MAX,
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)

    def validate_note(self, note: str) -> str:
        if NUL in note:
            raise serializers.ValidationError("NUL")
        return note


class ObligationViewSet(viewsets.ReadOnlyModelViewSet):
    """Deadlines of the caller's units: ``state`` overdue (default), due_today, open or met."""

    serializer_class = ObligationSerializer

    def get_queryset(self) -> QuerySet[Obligation]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Obligation.objects.none()
        state = self.request.query_params.get("state", "overdue")
        if state not in STATES:
            raise ValidationError({"state": [f"one of {', '.join(STATES)}"]})
        return obligations_list(self.request.user, state=state).order_by("-id")  # type: ignore[arg-type]

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=STATES)],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=inline_serializer(
            "ObligationMeet", {"note": serializers.CharField(required=False, max_length=300)}
        ),
        responses=ObligationSerializer,
    )
    @action(detail=True, methods=["post"])
    def meet(self, request: Request, pk: str | None = None) -> Response:
        """Record that the obligation is met (late if it was already missed)."""
        obligation = self.get_object()
        note = request.data.get("note", "") if isinstance(request.data, dict) else ""
        if not isinstance(note, str) or NUL in note or len(note) > 300:
            raise ValidationError({"note": ["At most 300 characters, without NUL."]})
        done = obligation_meet(actor=request_user(request), obligation=obligation, note=note)
        return Response(ObligationSerializer(done).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=STATES),
            OpenApiParameter("unit", int, description="a unit id: its subtree only"),
            OpenApiParameter("order", str, enum=[*GROUP_ORDERS]),
        ],
        responses=inline_serializer(
            "ObligationGroup",
            {
                "unit": serializers.IntegerField(),
                "unit_name": serializers.CharField(),
                "kind": serializers.CharField(),
                "kind_label": serializers.CharField(),
                "count": serializers.IntegerField(),
                "earliest": serializers.DateTimeField(),
            },
            many=True,
        ),
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def groups(self, request: Request) -> Response:
        """Counts by responsible unit and kind, most first (at most GROUP_CAP groups); a group's
        rows are ``GET obligations/?unit=<unit>&only=1&kind=<kind>`` on the page."""
        params = request.query_params
        state = params.get("state", "overdue")
        order = params.get("order", "-count")
        if state not in STATES:
            raise ValidationError({"state": [f"one of {', '.join(STATES)}"]})
        if order not in GROUP_ORDERS:
            raise ValidationError({"order": [f"one of {', '.join(GROUP_ORDERS)}"]})
        unit_id = query_int(params, "unit")
        unit = units_in(request.user, Capability.VIEW_PEOPLE).filter(pk=unit_id).first()
        if unit_id and unit is None:
            raise NotFound
        return Response(
            [
                {
                    "unit": group.unit.pk,
                    "unit_name": group.unit.name,
                    "kind": group.kind,
                    "kind_label": group.kind_label,
                    "count": group.count,
                    "earliest": group.earliest,
                }
                for group in obligations_grouped(
                    request.user,
                    state=state,  # type: ignore[arg-type]
                    unit=unit,
                    order=order,
                )
            ]
        )

    @extend_schema(
        operation_id="obligations_meet_selected",
        request=inline_serializer(
            "ObligationsMeet",
            {
                "ids": serializers.ListField(
                    child=serializers.IntegerField(), max_length=SELECTION_MAX
                ),
                "note": serializers.CharField(required=False, max_length=300),
            },
        ),
        responses=inline_serializer("ObligationsMet", {"met": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="meet")
    def meet_selected(self, request: Request) -> Response:
        """Meet a selection (at most SELECTION_MAX) with one note: all of them or none."""
        form = _MeetSelection(data=request.data)
        form.is_valid(raise_exception=True)
        met = obligations_meet_selected(
            actor=request_user(request),
            ids=form.validated_data["ids"],
            note=form.validated_data.get("note", ""),
        )
        return Response({"met": met})

    @extend_schema(
        request=inline_serializer("ObligationsRemind", {"unit": serializers.IntegerField()}),
        responses=inline_serializer(
            "ObligationsReminded", {"messages": serializers.IntegerField()}
        ),
    )
    @action(detail=False, methods=["post"])
    def remind(self, request: Request) -> Response:
        """Remind a unit of its overdue deadlines (inbox, then e-mail and SMS after commit)."""
        data = request.data if isinstance(request.data, dict) else {}
        unit_id = whole_number(str(data.get("unit", "")))
        unit = units_in(request.user, Capability.VIEW_PEOPLE).filter(pk=unit_id or 0).first()
        if unit is None:
            raise NotFound
        return Response({"messages": obligations_remind(actor=request_user(request), unit=unit)})

    def get_object(self) -> Obligation:
        # Any state: a met or open obligation is the caller's to read and meet, within scope.
        pk = str(self.kwargs.get("pk", ""))
        row = (
            Obligation.objects.filter(
                scope(self.request.user, Capability.VIEW_PEOPLE).units("unit__path"), pk=int(pk)
            ).first()
            if pk.isdigit()
            else None
        )
        if row is None:
            raise NotFound
        return row


class PlanViewSet(viewsets.ViewSet):
    """The shipped work-plan packs, their rules, and the evaluation of a scenario."""

    lookup_value_regex = r"[A-Za-z0-9_-]+"

    @extend_schema(
        responses=inline_serializer(
            "Plan",
            {
                "id": serializers.CharField(),
                "title": serializers.CharField(),
                "plan": serializers.CharField(),
            },
            many=True,
        )
    )
    def list(self, request: Request) -> Response:
        return Response(
            [
                {"id": p.id, "title": p.source.title, "plan": p.source.plan}
                for p in packs_all().values()
            ]
        )

    @extend_schema(responses=inline_serializer("PlanRules", {"rules": serializers.ListField()}))
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        pack = packs_all().get(pk or "")
        if pack is None:
            raise NotFound
        return Response(
            {
                "id": pack.id,
                "title": pack.source.title,
                "rules": [row.__dict__ for row in rule_table(pack)],
                "out_of_scope": pack.out_of_scope,
            }
        )

    @extend_schema(
        request=inline_serializer("Scenario", {"kind": serializers.CharField()}),
        responses={200: inline_serializer("Decision", {"measures": serializers.ListField()})},
    )
    @action(detail=True, methods=["post"])
    def evaluate(self, request: Request, pk: str | None = None) -> Response:
        """What the plan says for a scenario: the JSON of ``fangkong plan evaluate``."""
        pack = packs_all().get(pk or "")
        if pack is None:
            raise NotFound
        data = request.data if isinstance(request.data, dict) else {}
        try:
            scenario = Scenario.model_validate({**data, "plan": pack.id})
            decision = scenario.evaluate(pack, clock.tz())
        except PydanticError as error:
            raise ValidationError(
                {field: [reason] for field, reason in scenario_problems(error, "scenario")}
            ) from None
        except ScenarioError as error:
            raise ValidationError({"scenario": [str(error)]}) from None
        return Response({"plan": pack.id, **decision.as_json()}, status=status.HTTP_200_OK)


class ReleaseSerializer(serializers.Serializer):
    on = serializers.DateField(validators=[validate_plausible_date])
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=300)


class ReleaseFactSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReleaseFactKind.choices)
    on = serializers.DateField(validators=[validate_plausible_date])
    result = serializers.ChoiceField(choices=["negative", "positive"], required=False)
    given_by = serializers.CharField(required=False, default="", allow_blank=True, max_length=100)
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)


def _django_problems(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {"detail": list(error.messages)}


_PERSON = OpenApiParameter("id", int, OpenApiParameter.PATH, description="the person's id")


class ReleaseViewSet(viewsets.ViewSet):
    """A person's release (解除隔离), decided from recorded facts: GET whether it is allowed on a
    day (``allowed``, ``missing``); POST the release, refused (400) with what is missing; POST
    ``facts`` an object or environment sample, or the headquarters' consent."""

    lookup_value_regex = r"[0-9]+"

    def _person(self, request: Request, pk: str | None) -> Person:
        person = (
            person_get_visible(request.user, int(pk), Capability.EDIT_PEOPLE)
            if pk and pk.isdigit() and len(pk) < 12
            else None
        )
        if person is None:
            raise NotFound
        return person

    @extend_schema(
        parameters=[_PERSON, OpenApiParameter("on", OpenApiTypes.DATE)],
        responses=inline_serializer(
            "ReleaseAnswer",
            {
                "person": serializers.IntegerField(),
                "on": serializers.DateField(),
                "conditions": serializers.ListField(child=serializers.CharField()),
                "allowed": serializers.BooleanField(),
                "missing": serializers.ListField(child=serializers.CharField()),
                "not_before": serializers.DateField(allow_null=True),
                "verdict": serializers.CharField(),
            },
        ),
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        person = self._person(request, pk)
        serializer = ReleaseSerializer(
            data={"on": request.query_params.get("on") or clock.localdate()}
        )
        serializer.is_valid(raise_exception=True)
        on = serializer.validated_data["on"]
        answer = person_release_check(person.pk, on)
        if answer is None:
            raise NotFound("This person is under no active measure.")
        return Response(
            {"person": person.pk, "on": on, **answer.as_json(), "verdict": release_verdict(answer)}
        )

    @extend_schema(
        parameters=[_PERSON],
        request=ReleaseSerializer,
        responses=inline_serializer(
            "Released",
            {
                "person": serializers.IntegerField(),
                "on": serializers.DateField(),
                "ended": serializers.IntegerField(),
            },
        ),
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str | None = None) -> Response:
        person = self._person(request, pk)
        serializer = ReleaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if NUL in data["note"]:
            raise ValidationError({"note": ["NUL characters are not allowed."]})
        try:
            ended = measures_release(
                actor=request_user(request), person=person, on=data["on"], note=data["note"]
            )
        except DjangoValidationError as error:
            answer = person_release_check(person.pk, data["on"])
            body: dict[str, Any] = _django_problems(error)
            if answer is not None:
                body["missing"] = answer.missing
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response({"person": person.pk, "on": data["on"], "ended": ended})

    @extend_schema(
        parameters=[_PERSON], request=ReleaseFactSerializer, responses={201: ReleaseFactSerializer}
    )
    @action(detail=True, methods=["post"])
    def facts(self, request: Request, pk: str | None = None) -> Response:
        person = self._person(request, pk)
        serializer = ReleaseFactSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = data.get("result")
        try:
            fact = release_fact_record(
                actor=request_user(request),
                person=person,
                data=ReleaseFactInput(
                    kind=data["kind"],
                    on=data["on"],
                    positive=None if result is None else result == "positive",
                    given_by=data["given_by"],
                    note=data["note"],
                ),
            )
        except DjangoValidationError as error:
            raise ValidationError(_django_problems(error)) from None
        return Response(
            {
                "id": fact.pk,
                "person": person.pk,
                "kind": fact.kind,
                "on": fact.on,
                "positive": fact.positive,
                "given_by": fact.given_by,
                "note": fact.note,
            },
            status=status.HTTP_201_CREATED,
        )

"""REST API of daily monitoring: check-ins (one or a batch of up to 500), unit reports and revoking
personal check-in links."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.inputs import datetime_parse
from fangkong.core.text import NUL
from fangkong.monitoring.models import SYMPTOMS, Checkin, HealthCode, UnitReport
from fangkong.monitoring.services import (
    BATCH_MAX,
    CheckinInput,
    checkins_record,
    report_file,
    self_links_revoke,
)
from fangkong.org.access import request_user, scope, units_in
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.selectors import person_get_visible


class CheckinInSerializer(serializers.Serializer):
    """The shape of one check-in, for the OpenAPI description; ``_parse_item`` checks it."""

    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    at = serializers.DateTimeField(required=False)
    celsius = serializers.DecimalField(max_digits=4, decimal_places=1, required=False)
    symptoms = serializers.ListField(
        child=serializers.ChoiceField(choices=list(SYMPTOMS)), required=False, max_length=20
    )
    health_code = serializers.ChoiceField(choices=HealthCode.choices, required=False)
    place = serializers.CharField(required=False, allow_blank=True, max_length=100)


class CheckinSerializer(serializers.ModelSerializer):
    class Meta:
        model = Checkin
        fields = ["id", "person", "at", "celsius", "symptoms", "health_code", "place", "status"]


class CheckinViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Check-ins of the people in the caller's units; POST one, or a batch of up to 500."""

    serializer_class = CheckinSerializer
    # Phones and sampling apps speak JSON; no content negotiation for the busiest endpoint.
    renderer_classes = [JSONRenderer]

    def get_queryset(self) -> QuerySet[Checkin]:
        return Checkin.objects.filter(
            scope(self.request.user, Capability.VIEW_PEOPLE).units("unit__path")
        ).order_by("-id")

    @extend_schema(request=CheckinInSerializer, responses={201: CheckinSerializer})
    def create(self, request: Request) -> Response:
        # The busiest endpoint: the same hand-written type checks as the batch, and the answer
        # built directly (a model serializer per request costs more than the insert).
        parsed, problems = _parse_item(_plain(request.data))
        if problems or parsed is None:
            raise ValidationError({field: [reason] for field, reason in problems})
        result = checkins_record(actor=request_user(request), rows=[parsed])
        if result.errors:
            raise ValidationError({e["field"]: [e["reason"]] for e in result.errors})
        c = result.created[0]
        return Response(
            {
                "id": c.pk,
                "person": c.person_id,
                "at": c.at.isoformat(),
                "celsius": None if c.celsius is None else str(c.celsius),
                "symptoms": c.symptoms,
                "health_code": c.health_code,
                "place": c.place,
                "status": c.status,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=CheckinInSerializer(many=True),
        responses={
            200: inline_serializer(
                "CheckinBatchResult",
                {
                    "created": serializers.IntegerField(),
                    "statuses": serializers.ListField(child=serializers.CharField()),
                    "errors": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    @action(detail=False, methods=["post"])
    def batch(self, request: Request) -> Response:
        """Up to 500 check-ins: the valid ones are kept, each rejected one is reported with its
        index, field and reason."""
        if not isinstance(request.data, list):
            raise ValidationError({"detail": ["Send a JSON list of check-ins."]})
        if len(request.data) > BATCH_MAX:
            raise ValidationError({"detail": [f"At most {BATCH_MAX} check-ins per request."]})
        inputs: list[CheckinInput | None] = []
        errors: list[dict[str, Any]] = []
        for index, item in enumerate(request.data):
            parsed, problems = _parse_item(item)
            inputs.append(parsed)
            errors += [{"index": index, "field": f, "reason": r} for f, r in problems]
        valid = [(i, row) for i, row in enumerate(inputs) if row is not None]
        result = checkins_record(actor=request_user(request), rows=[row for _i, row in valid])
        errors += [{**e, "index": valid[e["index"]][0]} for e in result.errors]
        return Response(
            {
                "created": len(result.created),
                "statuses": [c.status for c in result.created],
                "errors": sorted(errors, key=lambda e: e["index"]),
            }
        )


FIELDS = {"person", "at", "celsius", "symptoms", "health_code", "place"}


def _plain(data: Any) -> Any:
    """A form-encoded check-in as the JSON one: the person's id a number, symptoms a list."""
    if not hasattr(data, "getlist"):
        return data
    plain: dict[str, Any] = {k: data.getlist(k) if k == "symptoms" else data.get(k) for k in data}
    person = plain.get("person")
    if isinstance(person, str) and person.isdigit():
        plain["person"] = int(person)
    return plain


def _parse_item(item: Any) -> tuple[CheckinInput | None, list[tuple[str, str]]]:
    """The types of one check-in of a batch, checked by hand: a serializer per item would cost
    more than the whole insert. The values are checked by ``checkins_record`` like any other."""
    if not isinstance(item, dict):
        return None, [("detail", "Each check-in is a JSON object.")]
    problems = [(name, "Unknown field.") for name in item if name not in FIELDS]
    person = item.get("person")
    if type(person) is not int or not 0 < person < 2**63:
        problems.append(("person", "A person id (a positive integer) is required."))
    at = None
    if item.get("at") is not None:
        at = datetime_parse(item["at"]) if isinstance(item["at"], str) else None
        if at is None:
            problems.append(("at", "Not a date and time (ISO 8601)."))
    celsius = item.get("celsius")
    if celsius is not None and (
        isinstance(celsius, bool) or not isinstance(celsius, int | float | str)
    ):
        problems.append(("celsius", "A number is required."))
    symptoms = item.get("symptoms", [])
    if not isinstance(symptoms, list) or not all(isinstance(x, str) for x in symptoms):
        problems.append(("symptoms", "A list of symptom codes is required."))
    texts = {name: item.get(name, "") for name in ("health_code", "place")}
    for name, value in texts.items():
        if not isinstance(value, str) or NUL in value:
            problems.append((name, "Text without NUL characters is required."))
    if problems or not isinstance(person, int):
        return None, problems
    return (
        CheckinInput(
            person_id=person,
            at=at,
            celsius=celsius,
            symptoms=symptoms,
            health_code=texts["health_code"],
            place=texts["place"],
        ),
        [],
    )


class UnitReportSerializer(serializers.ModelSerializer):
    unit: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = UnitReport
        fields = ["id", "unit", "kind", "day", "figures", "zero", "note", "filed_at", "late"]


class UnitReportInSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=32)
    kind = serializers.ChoiceField(choices=["daily_report", "zero_report", "weekly_report"])
    day = serializers.DateField()
    zero = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class UnitReportViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reports filed by the caller's units; POST files one (its figures pre-filled from the day)."""

    serializer_class = UnitReportSerializer

    def get_queryset(self) -> QuerySet[UnitReport]:
        return (
            UnitReport.objects.filter(
                scope(self.request.user, Capability.VIEW_PEOPLE).units("unit__path")
            )
            .select_related("unit")
            .order_by("-id")
        )

    @extend_schema(request=UnitReportInSerializer, responses={201: UnitReportSerializer})
    def create(self, request: Request) -> Response:
        incoming = UnitReportInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if NUL in data["unit"] + data.get("note", ""):
            raise ValidationError({"unit": ["NUL characters are not allowed."]})
        unit = units_in(request.user, Capability.EDIT_PEOPLE).filter(code=data["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": [f"No unit {data['unit']} among yours."]})
        report = report_file(
            actor=request_user(request),
            unit=unit,
            kind=data["kind"],
            day=data["day"],
            zero=data["zero"],
            note=data.get("note", ""),
        )
        return Response(UnitReportSerializer(report).data, status=status.HTTP_201_CREATED)


class SelfLinksRevokeSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class SelfLinkViewSet(viewsets.ViewSet):
    """Personal check-in links: POST revoke/ with a person revokes every open link of theirs."""

    @extend_schema(
        request=SelfLinksRevokeSerializer,
        responses={
            200: inline_serializer("SelfLinksRevoked", {"revoked": serializers.IntegerField()})
        },
    )
    @action(detail=False, methods=["post"])
    def revoke(self, request: Request) -> Response:
        incoming = SelfLinksRevokeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        person = person_get_visible(
            request.user, incoming.validated_data["person"], Capability.EDIT_PEOPLE
        )
        if person is None:
            raise NotFound
        return Response({"revoked": self_links_revoke(actor=request_user(request), person=person)})

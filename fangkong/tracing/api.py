"""REST API of cases: the cases of the caller's units, and reporting one (which sets off its plan's
deadlines and tells the county); outbreaks, and declaring one from cases."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import batch_body, row_text, row_time
from fangkong.org.access import request_user, units_in
from fangkong.org.roles import Capability
from fangkong.people.selectors import person_get_visible
from fangkong.tracing.models import Case, CaseKind, Outbreak, Venue, VenueKind
from fangkong.tracing.selectors import cases_visible, outbreaks_visible
from fangkong.tracing.services import case_report, outbreak_declare
from fangkong.tracing.venues import (
    SCAN_BATCH_MAX,
    ScanInput,
    scans_record,
    venue_create,
    venues_visible,
)


class CaseInSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    reported_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = ["id", "person", "unit", "kind", "status", "reported_at", "note"]


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases of the people in the caller's units; POST reports one."""

    serializer_class = CaseSerializer

    def get_queryset(self) -> QuerySet[Case]:
        return cases_visible(self.request.user)

    @extend_schema(request=CaseInSerializer, responses={201: CaseSerializer})
    def create(self, request: Request) -> Response:
        incoming = CaseInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        person = person_get_visible(request.user, data["person"], Capability.INVESTIGATE)
        if person is None:
            raise NotFound
        case = case_report(
            actor=request_user(request),
            person=person,
            kind=data["kind"],
            reported_at=data.get("reported_at"),
            note=data.get("note", ""),
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)


class OutbreakInSerializer(serializers.Serializer):
    cases = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=2,
        max_length=200,
    )
    declared_at = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class OutbreakSerializer(serializers.ModelSerializer):
    cases = serializers.SerializerMethodField()

    class Meta:
        model = Outbreak
        fields = ["id", "unit", "declared_at", "note", "cases"]

    def get_cases(self, outbreak: Outbreak) -> list[int]:
        return sorted(case.pk for case in outbreak.cases.all())


class OutbreakViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Outbreaks counted in the caller's units; POST declares one from cases of the caller's
    units, which opens the plan's outbreak deadlines and tells the county."""

    serializer_class = OutbreakSerializer

    def get_queryset(self) -> QuerySet[Outbreak]:
        return outbreaks_visible(self.request.user).prefetch_related("cases")

    @extend_schema(request=OutbreakInSerializer, responses={201: OutbreakSerializer})
    def create(self, request: Request) -> Response:
        incoming = OutbreakInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        outbreak = outbreak_declare(
            actor=request_user(request),
            case_ids=data["cases"],
            declared_at=data.get("declared_at"),
            note=data.get("note", ""),
        )
        return Response(OutbreakSerializer(outbreak).data, status=status.HTTP_201_CREATED)


class VenueInSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = serializers.ChoiceField(choices=VenueKind.choices)
    name = serializers.CharField(max_length=100)


class VenueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Venue
        fields = ["id", "unit", "kind", "name", "code"]


class VenueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Venues (场所码) of the caller's units; POST sets one up with a new venue code."""

    serializer_class = VenueSerializer

    def get_queryset(self) -> QuerySet[Venue]:
        return venues_visible(self.request.user)

    @extend_schema(request=VenueInSerializer, responses={201: VenueSerializer})
    def create(self, request: Request) -> Response:
        incoming = VenueInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        unit = units_in(request.user, Capability.INVESTIGATE).filter(pk=data["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": [_("None of your units has this number.")]})
        venue = venue_create(
            actor=request_user(request), unit=unit, kind=data["kind"], name=data["name"]
        )
        return Response(VenueSerializer(venue).data, status=status.HTTP_201_CREATED)


class ScanRowSerializer(serializers.Serializer):
    """One scan: the venue code, the person (register id) or the phone, the time; for the
    OpenAPI description, the view checks it by hand."""

    venue = serializers.CharField()
    person = serializers.IntegerField(required=False)
    phone = serializers.CharField(required=False)
    scanned_at = serializers.DateTimeField()


class ScansInSerializer(serializers.Serializer):
    scans = ScanRowSerializer(many=True)


_ScansOut = inline_serializer(
    "ScansOutcome",
    {
        "scans": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField()),
    },
)


class ScanViewSet(viewsets.ViewSet):
    """Venue-code systems post scans, up to 5,000 a request: every refused row comes back with
    its index, field and reason, every good one is kept; the same scans sent again change
    nothing."""

    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    @extend_schema(request=ScansInSerializer, responses={200: _ScansOut})
    def create(self, request: Request) -> Response:
        _data, items = batch_body(request, SCAN_BATCH_MAX, "scans")
        rows = []
        refused: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            person = item.get("person") if isinstance(item, dict) else None
            if not isinstance(item, dict) or (
                person is not None and (type(person) is not int or not 0 < person < 2**63)
            ):
                refused.append(
                    {"index": index, "field": "person", "reason": _("Not a person number.")}
                )
                rows.append(ScanInput(venue="", person_id=0))
                continue
            rows.append(
                ScanInput(
                    venue=row_text(item, "venue"),
                    person_id=person,
                    phone=row_text(item, "phone"),
                    scanned_at=row_time(item, "scanned_at"),
                )
            )
        outcome = scans_record(actor=request_user(request), rows=rows)
        bad = {e["index"] for e in refused}
        errors = refused + [e for e in outcome.errors if e["index"] not in bad]
        return Response(
            {
                "scans": outcome.scans,
                "unchanged": outcome.unchanged,
                "errors": sorted(errors, key=lambda e: e["index"]),
            }
        )

"""REST API of cases: the cases of the caller's units, and reporting one (which sets off its plan's
deadlines and tells the county); outbreaks, and declaring one from cases."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.org.access import request_user
from fangkong.org.roles import Capability
from fangkong.people.importing import RowProblem
from fangkong.people.selectors import person_get_visible
from fangkong.tracing.graph import graph_build, graph_filter_read
from fangkong.tracing.linelist import LINE_LIST_MAX, LineListOutcome, contacts_record
from fangkong.tracing.models import (
    Case,
    CaseKind,
    Exposure,
    Investigation,
    InvestigationStatus,
    Outbreak,
)
from fangkong.tracing.selectors import cases_visible, investigation_contacts, outbreaks_visible
from fangkong.tracing.services import (
    case_report,
    investigation_answer,
    investigation_determine,
    investigation_open,
    outbreak_declare,
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


class InvestigationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Investigation
        fields = ["id", "case", "status", "onset_date", "history", "opened_at", "determined_at"]


class InvestigationInSerializer(serializers.Serializer):
    onset_date = serializers.DateField(required=False, allow_null=True)
    history = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    status = serializers.ChoiceField(choices=InvestigationStatus.choices, required=False)


class ContactRowSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, max_length=50)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    unit = serializers.CharField(required=False, allow_blank=True, max_length=40)
    kind = serializers.CharField(required=False, allow_blank=True, max_length=20)
    last_exposed_at = serializers.CharField(allow_blank=True, max_length=40)
    how = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ContactsInSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=ContactRowSerializer(), min_length=1, max_length=LINE_LIST_MAX
    )


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exposure
        fields = ["id", "person", "kind", "last_exposed_at", "note"]


def _outcome_json(outcome: LineListOutcome) -> dict[str, object]:
    def rows(problems: list[RowProblem]) -> list[dict[str, object]]:
        return [{"row": p.row_number, "field": p.column, "reason": p.message} for p in problems]

    return {
        "registered": outcome.registered,
        "exposed": outcome.exposed,
        "assistance_notices": outcome.noticed,
        "unchanged": outcome.unchanged,
        "problems": rows(outcome.problems),
        "duplicates": rows(outcome.duplicates),
    }


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases of the people in the caller's units; POST reports one. A case's investigation:
    GET it, POST opens it, PATCH records the answers or ``status: determined``; its contacts:
    GET them, POST a line list (at most LINE_LIST_MAX rows)."""

    serializer_class = CaseSerializer

    def get_queryset(self) -> QuerySet[Case]:
        return cases_visible(self.request.user)

    def _investigation(self) -> Investigation:
        investigation = Investigation.objects.filter(case=self.get_object()).first()
        if investigation is None:
            raise NotFound
        return investigation

    @extend_schema(request=InvestigationInSerializer, responses=InvestigationSerializer)
    @action(detail=True, methods=["get", "post", "patch"])
    def investigation(self, request: Request, pk: str) -> Response:
        if request.method == "POST":
            investigation = investigation_open(actor=request_user(request), case=self.get_object())
            return Response(InvestigationSerializer(investigation).data, status.HTTP_201_CREATED)
        investigation = self._investigation()
        if request.method == "PATCH":
            incoming = InvestigationInSerializer(data=request.data, partial=True)
            incoming.is_valid(raise_exception=True)
            data = incoming.validated_data
            if "onset_date" in data or "history" in data:
                investigation = investigation_answer(
                    actor=request_user(request),
                    investigation=investigation,
                    onset_date=data.get("onset_date", investigation.onset_date),
                    history=data.get("history", investigation.history),
                )
            if data.get("status") == InvestigationStatus.DETERMINED:
                investigation = investigation_determine(
                    actor=request_user(request), investigation=investigation
                )
        return Response(InvestigationSerializer(investigation).data)

    @extend_schema(request=ContactsInSerializer, responses=ContactSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="investigation/contacts")
    def contacts(self, request: Request, pk: str) -> Response:
        investigation = self._investigation()
        if request.method == "GET":
            contacts = investigation_contacts(request.user, investigation)[:LINE_LIST_MAX]
            return Response(ContactSerializer(contacts, many=True).data)
        incoming = ContactsInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        outcome = contacts_record(
            actor=request_user(request),
            investigation=investigation,
            rows=enumerate(incoming.validated_data["rows"], start=1),
        )
        kept = outcome.exposed + outcome.noticed + outcome.unchanged
        return Response(
            _outcome_json(outcome),
            status=status.HTTP_400_BAD_REQUEST if outcome.problems and not kept else 200,
        )

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

    @extend_schema(responses={200: dict})
    @action(detail=False, methods=["get"], url_path="graph", url_name="graph-data")
    def graph(self, request: Request) -> Response:
        """The case–contact graph of the caller's units: ``case`` (its chain, up to its source
        and down to everyone it reached), ``outbreak`` (its cases' chains), ``since`` /
        ``until`` (the reports and exposures drawn); nodes carry both layouts' positions."""
        chosen = graph_filter_read(request.user, request.query_params)
        return Response(graph_build(request.user, chosen))


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

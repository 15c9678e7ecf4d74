"""REST API of cases: the cases of the caller's units, and reporting one (which sets off its plan's
deadlines and tells the county); a case's candidate contacts from venue scans, searched, accepted
or rejected; outbreaks, and declaring one from cases."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import BulkJSONRenderer, batch_body, row_text, row_time
from fangkong.core.exports import Format
from fangkong.core.inputs import query_choice
from fangkong.core.viewsets import ServiceViewSetMixin
from fangkong.obligations.models import Obligation
from fangkong.org.access import may_act_on, request_user, units_in
from fangkong.org.roles import Capability
from fangkong.people.importing import RowProblem
from fangkong.people.selectors import person_get_visible
from fangkong.tracing.graph import graph_build, graph_filter_read
from fangkong.tracing.linelist import (
    LINE_LIST_MAX,
    LineListOutcome,
    assistance_export,
    assistance_notices,
    contacts_record,
)
from fangkong.tracing.models import (
    Case,
    CaseKind,
    ContactCandidate,
    Exposure,
    Investigation,
    InvestigationStatus,
    Outbreak,
    Venue,
    VenueKind,
)
from fangkong.tracing.selectors import cases_visible, investigation_contacts, outbreaks_visible
from fangkong.tracing.services import (
    CASES_BATCH_MAX,
    CaseInput,
    CasesRefused,
    case_report,
    cases_report,
    contact_candidate_decide,
    investigation_answer,
    investigation_determine,
    investigation_open,
    outbreak_declare,
)
from fangkong.tracing.venues import (
    CANDIDATES_MAX,
    SCAN_BATCH_MAX,
    ScanInput,
    candidates_visible,
    contact_candidates_propose,
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
        fields = ["id", "person", "unit", "kind", "status", "reported_at", "closed_at", "note"]


class CasesInSerializer(serializers.Serializer):
    """Cases reported at once, at most CASES_BATCH_MAX; for the OpenAPI description, the view
    reads the rows by hand to name every bad one."""

    cases = CaseInSerializer(many=True)


_CasesRefused = inline_serializer(
    "CasesRefused",
    {"problems": serializers.ListField(child=serializers.DictField())},
)


def _case_row(item: Any) -> CaseInput:
    """A batch row as sent; what is not a person number becomes 0, which no one is."""
    if not isinstance(item, dict):
        return CaseInput(0, "")
    person = item.get("person")
    return CaseInput(
        person if type(person) is int and 0 < person < 2**63 else 0,
        row_text(item, "kind"),
        row_time(item, "reported_at"),
        row_text(item, "note"),
    )


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
    through = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        help_text="a secondary contact's close contact in this investigation: ID number or name",
    )


class ContactsInSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=ContactRowSerializer(), min_length=1, max_length=LINE_LIST_MAX
    )


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Exposure
        fields = ["id", "person", "kind", "last_exposed_at", "note", "via"]


FILE_FORMATS: dict[str, Format] = {"xlsx": "xlsx", "csv": "csv"}


class AssistanceNoticeSerializer(serializers.ModelSerializer):
    """One contact to check: the person (in the unit holding them), how and when exposed."""

    name = serializers.CharField(source="person.name")
    id_masked = serializers.CharField(source="person.id_masked")
    unit = serializers.CharField(source="person.unit.name")
    exposure_kind = serializers.CharField(source="detail.exposure_kind")
    last_exposed_at = serializers.DateTimeField(source="detail.last_exposed_at")
    # Plain text: an enum of the deadline's statuses would collide with the other "status" enums.
    status = serializers.CharField(help_text="open, met, missed or cancelled")

    class Meta:
        model = Obligation
        fields = [
            "id",
            "person",
            "name",
            "id_masked",
            "unit",
            "exposure_kind",
            "last_exposed_at",
            "created_at",
            "due_at",
            "status",
        ]


class CandidateSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name")
    venue_name = serializers.CharField(source="venue.name")

    class Meta:
        model = ContactCandidate
        fields = [
            "id",
            "person",
            "name",
            "venue",
            "venue_name",
            "shared_at",
            "visits",
            "gap_seconds",
            "status",
            "decided_at",
        ]


class CandidateDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "reject"])


def _problems_json(problems: list[RowProblem]) -> list[dict[str, object]]:
    return [{"row": p.row_number, "field": p.column, "reason": p.message} for p in problems]


def _outcome_json(outcome: LineListOutcome) -> dict[str, object]:
    return {
        "registered": outcome.registered,
        "exposed": outcome.exposed,
        "assistance_notices": outcome.noticed,
        "unchanged": outcome.unchanged,
        "problems": _problems_json(outcome.problems),
        "duplicates": [
            {
                "row": d.row_number,
                "field": d.column,
                "reason": d.message,
                "person": d.person,
                "other": d.other,
            }
            for d in outcome.duplicates
        ],
    }


class CaseViewSet(
    ServiceViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Cases of the people in the caller's units; POST reports one, POST ``batch/`` many. A
    case's investigation: GET it, POST opens it, PATCH records the answers or ``status:
    determined``; its contacts: GET them, POST a line list (at most LINE_LIST_MAX rows); its
    candidate contacts from venue scans: GET them, POST searches again, POST ``decision`` (accept
    or reject) to one of them."""

    serializer_class = CaseSerializer
    input_serializer_class = CaseInSerializer

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

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "file", str, enum=["xlsx", "csv"], description="the notice as a file to send"
            )
        ],
        responses={200: AssistanceNoticeSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="investigation/assistance")
    def assistance(self, request: Request, pk: str) -> HttpResponseBase:
        """The assistance notices (协查通告) of the investigation, oldest first, to the
        investigators of the case: as JSON, or with ``file=xlsx`` / ``file=csv`` as the file
        the county sends to units outside Fangkong (audited)."""
        investigation = self._investigation()
        kind = FILE_FORMATS.get(query_choice(request.query_params, "file", FILE_FORMATS, ""))
        if kind is not None:
            return assistance_export(
                actor=request_user(request), investigation=investigation, kind=kind
            )
        if not may_act_on(request.user, Capability.INVESTIGATE, investigation.case.person):
            raise PermissionDenied(_("You may not change this person."))
        notices = assistance_notices(investigation)[:LINE_LIST_MAX]
        return Response(AssistanceNoticeSerializer(notices, many=True).data)

    @extend_schema(request=None, responses=CandidateSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def candidates(self, request: Request, pk: str) -> Response:
        """The case's candidate contacts, the most overlapping first; POST searches the scans
        again (people proposed or exposed through the case before are not proposed again)."""
        case = self.get_object()
        if request.method == "POST":
            contact_candidates_propose(actor=request_user(request), cases=[case])
        listed = candidates_visible(request.user, case)[:CANDIDATES_MAX]
        return Response(CandidateSerializer(listed, many=True).data)

    @extend_schema(
        operation_id="cases_candidate_decide",
        request=CandidateDecisionSerializer,
        responses=CandidateSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"candidates/(?P<candidate_id>[0-9]+)")
    def candidate(self, request: Request, pk: str, candidate_id: str) -> Response:
        """Accept the candidate as a close contact of the case (the contact rules start) or
        reject them."""
        case = self.get_object()
        incoming = CandidateDecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        number = int(candidate_id)
        candidate = (
            candidates_visible(request.user, case).filter(pk=number).first()
            if number < 2**63
            else None
        )
        if candidate is None:
            raise NotFound
        decided = contact_candidate_decide(
            actor=request_user(request),
            candidate=candidate,
            accept=incoming.validated_data["decision"] == "accept",
        )
        return Response(CandidateSerializer(decided).data)

    def perform_service(self, request: Request, data: dict[str, Any]) -> Case:
        person = person_get_visible(request.user, data["person"], Capability.INVESTIGATE)
        if person is None:
            raise NotFound
        return case_report(
            actor=request_user(request),
            person=person,
            kind=data["kind"],
            reported_at=data.get("reported_at"),
            note=data.get("note", ""),
        )

    @extend_schema(
        request=CasesInSerializer,
        responses={201: CaseSerializer(many=True), 400: _CasesRefused},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="batch",
        parser_classes=[JSONParser],
        pagination_class=None,
    )
    def batch(self, request: Request) -> Response:
        """Report many cases at once (at most 500): all or none; a refusal names every bad row
        (from 1), its field and the reason."""
        _data, items = batch_body(request, CASES_BATCH_MAX, "cases")
        try:
            cases = cases_report(
                actor=request_user(request), rows=[_case_row(item) for item in items]
            )
        except CasesRefused as refused:
            return Response(
                {"problems": _problems_json(refused.problems)}, status.HTTP_400_BAD_REQUEST
            )
        return Response(CaseSerializer(cases, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: dict})
    @action(
        detail=False,
        methods=["get"],
        url_path="graph",
        url_name="graph-data",
        renderer_classes=[BulkJSONRenderer],
    )
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


class OutbreakViewSet(
    ServiceViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Outbreaks counted in the caller's units; POST declares one from cases of the caller's
    units, which opens the plan's outbreak deadlines and tells the county."""

    serializer_class = OutbreakSerializer
    input_serializer_class = OutbreakInSerializer

    def get_queryset(self) -> QuerySet[Outbreak]:
        return outbreaks_visible(self.request.user).prefetch_related("cases")

    def perform_service(self, request: Request, data: dict[str, Any]) -> Outbreak:
        return outbreak_declare(
            actor=request_user(request),
            case_ids=data["cases"],
            declared_at=data.get("declared_at"),
            note=data.get("note", ""),
        )


class VenueInSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = serializers.ChoiceField(choices=VenueKind.choices)
    name = serializers.CharField(max_length=100)
    seats = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class VenueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Venue
        fields = ["id", "unit", "kind", "name", "code", "seats"]


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
            actor=request_user(request),
            unit=unit,
            kind=data["kind"],
            name=data["name"],
            seats=data.get("seats"),
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

"""REST API of cases: the cases of the caller's units, and reporting one (which sets off its plan's
deadlines and tells the county)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.org.access import request_user
from fangkong.org.roles import Capability
from fangkong.people.selectors import person_get_visible
from fangkong.tracing.models import Case, CaseKind
from fangkong.tracing.selectors import cases_visible
from fangkong.tracing.services import case_report


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
        person = person_get_visible(request.user, data["person"], Capability.EDIT_PEOPLE)
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

"""REST API of home quarantine (D-02): the list with today's visits, a visit, the notice served
and the door."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fangkong.org.access import request_user
from fangkong.policy.models import Measure
from fangkong.quarantine.home import (
    MAX_NOTE,
    home_quarantine_of,
    home_quarantine_record,
    home_quarantines,
    home_visit_record,
)
from fangkong.quarantine.models import DoorWatch


class HomeQuarantineSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")
    unit = serializers.CharField(source="person.unit.name")
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    notice_served_at = serializers.DateTimeField(allow_null=True)
    door = serializers.CharField(allow_null=True)
    visited = serializers.BooleanField()
    visit_note = serializers.CharField(allow_null=True)


class VisitInSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")


class RecordInSerializer(serializers.Serializer):
    notice_served = serializers.BooleanField(default=False)
    door = serializers.ChoiceField(choices=DoorWatch.choices, required=False, default="")


def _measure(request: Request, person_id: int) -> Measure:
    measure = home_quarantine_of(request.user, person_id)
    if measure is None:
        raise NotFound
    return measure


class HomeListView(APIView):
    """GET: the people under home quarantine in the caller's units, with today's visit."""

    @extend_schema(responses=HomeQuarantineSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(HomeQuarantineSerializer(home_quarantines(request.user), many=True).data)


class HomeVisitView(APIView):
    """POST: today's visit to the person (one a day), with a note."""

    @extend_schema(request=VisitInSerializer, responses={201: VisitInSerializer})
    def post(self, request: Request, person_id: int) -> Response:
        measure = _measure(request, person_id)
        incoming = VisitInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        visit = home_visit_record(
            actor=request_user(request), measure=measure, note=incoming.validated_data["note"]
        )
        return Response({"note": visit.note}, status=status.HTTP_201_CREATED)


class HomeRecordView(APIView):
    """POST: the notice served (``notice_served: true``) and the door (``seal`` or ``monitor``)."""

    @extend_schema(request=RecordInSerializer, responses=HomeQuarantineSerializer)
    def post(self, request: Request, person_id: int) -> Response:
        measure = _measure(request, person_id)
        incoming = RecordInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        home_quarantine_record(
            actor=request_user(request),
            measure=measure,
            notice_served=incoming.validated_data["notice_served"],
            door=incoming.validated_data["door"],
        )
        return Response(HomeQuarantineSerializer(_measure(request, person_id)).data)

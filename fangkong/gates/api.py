"""REST API of gates: the caller's gates, their entries (one a request from a gate phone, or a
batch of up to 10,000 from a gate's reader)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core import clock
from fangkong.core.api import batch_body, row_text, row_time
from fangkong.core.inputs import query_date, query_int
from fangkong.gates.models import Gate, GateEntry, Outcome
from fangkong.gates.selectors import gate_register, gates_visible
from fangkong.gates.services import (
    ENTRY_BATCH_MAX,
    EntryInput,
    gate_entries_record,
    gate_entry_record,
)
from fangkong.monitoring.models import SYMPTOMS, HealthCode
from fangkong.org.access import request_user


class GateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Gate
        fields = ["id", "unit", "kind", "name", "venue"]


class EntryInSerializer(serializers.Serializer):
    """One entry: ``person`` of the register, or a visitor's name and phone."""

    gate = serializers.IntegerField()
    person = serializers.IntegerField(required=False, allow_null=True)
    visitor_name = serializers.CharField(required=False)
    visitor_phone = serializers.CharField(required=False)
    visitor_id_number = serializers.CharField(
        required=False, help_text="a visitor's resident ID number (needed for a fever)"
    )
    at = serializers.DateTimeField(required=False)
    celsius = serializers.CharField(required=False)
    symptoms = serializers.ListField(child=serializers.ChoiceField(choices=list(SYMPTOMS)))
    from_epidemic_area = serializers.BooleanField(required=False)
    epidemic_contact = serializers.BooleanField(required=False)
    health_code = serializers.ChoiceField(choices=HealthCode.choices, required=False)
    code = serializers.CharField(required=False, help_text="a scanned status code")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField(required=False)
    disinfected = serializers.BooleanField(required=False)


class EntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = GateEntry
        fields = [
            "id", "gate", "person", "visitor", "at", "celsius", "symptoms",
            "from_epidemic_area", "epidemic_contact", "health_code", "code_scanned",
            "outcome", "reason", "disinfected", "actions",
        ]  # fmt: skip


# A temperature as JSON sends it (a bool, being an int, is passed on for the service to refuse).
_CELSIUS_TYPES = frozenset({str, int, float, bool})


def _flag(item: dict[str, Any], name: str) -> bool:
    return item.get(name) is True


def _symptoms(value: Any) -> tuple[str, ...]:
    if value == []:
        return ()
    return tuple(str(s) for s in value) if type(value) is list else ("?",)


def _entry(item: Any) -> EntryInput:
    """A request's entry as the service reads it: anything of the wrong type is passed on as it
    is (or emptied) for the service to refuse with a reason naming the field. A reader's batch
    holds 10,000 of these: each is read with the fewest calls."""
    if type(item) is not dict:
        item = {}
    celsius = item.get("celsius")
    return EntryInput(
        gate_id=item.get("gate"),
        outcome=row_text(item, "outcome"),
        person_id=item.get("person"),
        visitor_name=row_text(item, "visitor_name"),
        visitor_phone=row_text(item, "visitor_phone"),
        visitor_id_number=row_text(item, "visitor_id_number"),
        at=row_time(item, "at"),
        celsius=celsius if type(celsius) in _CELSIUS_TYPES else None,
        symptoms=_symptoms(item.get("symptoms", [])),
        from_epidemic_area=_flag(item, "from_epidemic_area"),
        epidemic_contact=_flag(item, "epidemic_contact"),
        health_code=row_text(item, "health_code"),
        code_token=row_text(item, "code"),
        reason=row_text(item, "reason"),
        disinfected=_flag(item, "disinfected"),
    )


class GateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The gates and checkpoints the caller manages or keeps."""

    serializer_class = GateSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Gate]:
        return gates_visible(self.request.user)


class GateEntryViewSet(viewsets.GenericViewSet):
    """A gate's entries of a day (``?gate=&day=``); POST one; ``batch/`` up to 10,000 entries of
    registered people and visitors at once, every refused row reported with its index, field and
    reason."""

    serializer_class = EntrySerializer
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    def get_queryset(self) -> QuerySet[GateEntry]:
        gate_id = query_int(self.request.query_params, "gate")
        gate = (
            None if gate_id is None else gates_visible(self.request.user).filter(pk=gate_id).first()
        )
        if gate is None:
            return GateEntry.objects.none()
        return gate_register(gate, query_date(self.request.query_params, "day", clock.localdate()))

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EntrySerializer(page, many=True).data)

    @extend_schema(request=EntryInSerializer, responses={201: EntrySerializer})
    def create(self, request: Request) -> Response:
        entry = gate_entry_record(actor=request_user(request), data=_entry(request.data))
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=EntryInSerializer(many=True),
        responses={
            200: inline_serializer(
                "GateEntryBatchResult",
                {
                    "entries": serializers.IntegerField(),
                    "errors": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    @action(detail=False, methods=["post"])
    def batch(self, request: Request) -> Response:
        _data, items = batch_body(request, ENTRY_BATCH_MAX, "entries")
        outcome = gate_entries_record(
            actor=request_user(request), rows=[_entry(item) for item in items]
        )
        return Response({"entries": outcome.entries, "errors": outcome.errors})

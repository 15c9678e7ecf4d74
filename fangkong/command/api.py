"""The command view's figures over the API (GET /api/command/), scoped like the page."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fangkong.command.selectors import command_map, command_view
from fangkong.core.inputs import query_int
from fangkong.org.access import request_user
from fangkong.org.models import Unit


def _figures(name: str, **kwargs: bool) -> serializers.Serializer:
    """The figures of one unit (or the totals); fresh fields for each use, as DRF binds them."""
    count = serializers.IntegerField
    return inline_serializer(
        name,
        fields={
            "unit_id": serializers.IntegerField(allow_null=True),
            "name": serializers.CharField(),
            "people": count(),
            "fevers_today": count(),
            "fevers_open": count(),
            "positives_today": count(),
            "reports_missing": count(),
            "overdue": count(),
            "due_today": count(),
            "under_measure": serializers.DictField(child=count()),
            "releases_today": count(),
        },
        **kwargs,
    )


CommandSerializer = inline_serializer(
    "Command",
    fields={
        "day": serializers.DateField(),
        "unit": serializers.CharField(allow_null=True),
        "totals": _figures("CommandTotals"),
        "units": serializers.ListField(child=_figures("CommandUnit")),
        "own": _figures("CommandOwnUnit", allow_null=True),
        "positives": serializers.ListField(
            child=inline_serializer(
                "CommandPositive",
                fields={
                    "at": serializers.DateTimeField(),
                    "unit": serializers.CharField(),
                    "barcode": serializers.CharField(),
                    "people": serializers.IntegerField(),
                    "pooled": serializers.BooleanField(),
                    "person": serializers.CharField(),
                },
            )
        ),
        "fevers": serializers.ListField(
            child=inline_serializer(
                "CommandFever",
                fields={
                    "at": serializers.DateTimeField(),
                    "person": serializers.CharField(),
                    "unit": serializers.CharField(),
                    "celsius": serializers.DecimalField(max_digits=3, decimal_places=1),
                    "open": serializers.BooleanField(),
                },
            )
        ),
        "silent_units": serializers.ListField(child=serializers.CharField()),
        "coverage": serializers.ListField(
            child=inline_serializer(
                "CommandCoverage",
                fields={
                    "round": serializers.CharField(),
                    "area": serializers.CharField(),
                    "registered": serializers.IntegerField(),
                    "sampled": serializers.IntegerField(),
                    "percent": serializers.FloatField(),
                },
            )
        ),
        "unread": serializers.ListField(
            child=inline_serializer(
                "CommandUnread",
                fields={
                    "topic": serializers.CharField(),
                    "label": serializers.CharField(),
                    "count": serializers.IntegerField(),
                },
            )
        ),
        "curve": serializers.ListField(
            child=inline_serializer(
                "CommandCurveDay",
                fields={
                    "day": serializers.DateField(),
                    "fevers": serializers.IntegerField(),
                    "positives": serializers.IntegerField(),
                },
            )
        ),
    },
)


class CommandView(APIView):
    """What needs the user today, for the user's subtree: the figures of the home page. A user
    without a register of people gets 404."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CommandSerializer})
    def get(self, request: Request) -> Response:
        found = command_view(request_user(request))
        if found is None:
            raise NotFound(_("You hold no role over a register of people."))
        return Response(found.as_dict())


CommandMapSerializer = inline_serializer(
    "CommandMap",
    fields={
        "unit": inline_serializer(
            "CommandMapUnit",
            fields={"unit_id": serializers.IntegerField(), "name": serializers.CharField()},
            allow_null=True,
        ),
        "parent_id": serializers.IntegerField(allow_null=True),
        "region": serializers.CharField(),
        "units": serializers.ListField(
            child=inline_serializer(
                "CommandMapChild",
                fields={
                    "unit_id": serializers.IntegerField(),
                    "name": serializers.CharField(),
                    "people": serializers.IntegerField(),
                    "under_measure": serializers.IntegerField(),
                    "fevers_today": serializers.IntegerField(),
                    "fevers_open": serializers.IntegerField(),
                    "positives": serializers.IntegerField(),
                    "children": serializers.BooleanField(),
                },
            )
        ),
        "risk_areas": serializers.ListField(
            child=inline_serializer(
                "CommandMapRiskArea",
                fields={
                    "region": serializers.CharField(),
                    "name": serializers.CharField(),
                    "level": serializers.CharField(),
                    "label": serializers.CharField(),
                },
            )
        ),
    },
)


class CommandMapView(APIView):
    """The map of the command view: the children of the user's unit (or of ``?unit=``, one of
    the units the user watches over) with their figures, and the risk areas in force today.
    A unit outside the user's register scope is as unknown as one that does not exist: 404."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("unit", int, required=False)],
        responses={200: CommandMapSerializer},
    )
    def get(self, request: Request) -> Response:
        unit_id = query_int(request.query_params, "unit")
        unit = Unit.objects.filter(pk=unit_id).first() if unit_id is not None else None
        found = command_map(request_user(request), unit) if unit or unit_id is None else None
        if found is None:
            raise NotFound(_("No such unit in your units."))
        return Response(found.as_dict())

"""The command view's figures over the API (GET /api/command/), its map, and the 四早 board,
scoped like the pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fangkong.command.panels import command_panels
from fangkong.command.selectors import command_map, command_view
from fangkong.command.sizao import period_read, sizao_read
from fangkong.core.inputs import query_int
from fangkong.org.access import request_user, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.quarantine.api import BoardSerializer

_count = serializers.IntegerField
_text = serializers.CharField


def _figures(name: str, **kwargs: bool) -> serializers.Serializer:
    """The figures of one unit (or the totals); fresh fields for each use, as DRF binds them."""
    return inline_serializer(
        name,
        fields={
            "unit_id": _count(allow_null=True),
            "name": _text(),
            "people": _count(),
            "fevers_today": _count(),
            "fevers_open": _count(),
            "positives_today": _count(),
            "reports_missing": _count(),
            "overdue": _count(),
            "due_today": _count(),
            "under_measure": serializers.DictField(child=_count()),
            "releases_today": _count(),
        },
        **kwargs,
    )


def _rows(name: str, **fields: serializers.Field) -> serializers.ListField:
    """A list of rows of one shape, named for the schema."""
    return serializers.ListField(child=inline_serializer(name, fields=fields))


def _vaccinated(name: str) -> serializers.Serializer:
    """People, those fully vaccinated, boosted and due a booster, and the share vaccinated."""
    return inline_serializer(
        name,
        fields={
            "label": _text(),
            "people": _count(),
            "full": _count(),
            "boosted": _count(),
            "percent": serializers.FloatField(),
        },
    )


CommandSerializer = inline_serializer(
    "Command",
    fields={
        "day": serializers.DateField(),
        "unit": _text(allow_null=True),
        "totals": _figures("CommandTotals"),
        "units": serializers.ListField(child=_figures("CommandUnit")),
        "own": _figures("CommandOwnUnit", allow_null=True),
        "positives": _rows(
            "CommandPositive",
            at=serializers.DateTimeField(),
            unit=_text(),
            barcode=_text(),
            people=_count(),
            pooled=serializers.BooleanField(),
            person=_text(),
        ),
        "fevers": _rows(
            "CommandFever",
            at=serializers.DateTimeField(),
            person=_text(),
            unit=_text(),
            celsius=serializers.DecimalField(max_digits=3, decimal_places=1),
            open=serializers.BooleanField(),
        ),
        "silent_units": serializers.ListField(child=_text()),
        "coverage": _rows(
            "CommandCoverage",
            round=_text(),
            area=_text(),
            registered=_count(),
            sampled=_count(),
            percent=serializers.FloatField(),
        ),
        "unread": _rows("CommandUnread", topic=_text(), label=_text(), count=_count()),
        "measures": _rows("CommandMeasure", kind=_text(), label=_text(), people=_count()),
        "cases": inline_serializer(
            "CommandCases",
            fields={
                "in_course": _rows(
                    "CommandCasesInCourse",
                    kind=_text(),
                    kind_label=_text(),
                    status=_text(),
                    status_label=_text(),
                    count=_count(),
                ),
                "new_today": _count(),
                "outbreaks_open": _count(),
                "days": _count(),
                "deadlines_settled": _count(),
                "deadlines_on_time": _count(),
            },
        ),
        "curve": _rows(
            "CommandCurveDay",
            day=serializers.DateField(),
            fevers=_count(),
            positives=_count(),
        ),
        "pharmacies": inline_serializer(
            "CommandPharmacies",
            fields={
                "label": _text(),
                # "name" is a field here: the rows built by hand, not by _rows.
                "rows": serializers.ListField(
                    child=inline_serializer(
                        "CommandPharmacy",
                        fields={
                            "name": _text(),
                            "today": _count(),
                            "week": _count(),
                            "follow_ups_open": _count(),
                        },
                    )
                ),
            },
        ),
        "vaccination": inline_serializer(
            "CommandVaccination",
            fields={
                "label": _text(),
                "everyone": _vaccinated("CommandVaccinatedEveryone"),
                "elderly": _vaccinated("CommandVaccinatedElderly"),
            },
        ),
        "last_drill": inline_serializer(
            "CommandLastDrill",
            fields={
                "label": _text(),
                "run": inline_serializer(
                    "CommandDrillRun",
                    fields={
                        "run_id": _count(),
                        "unit": _text(),
                        "name": _text(),
                        "finished_at": serializers.DateTimeField(),
                        "score": _count(allow_null=True),
                    },
                    allow_null=True,
                ),
            },
        ),
        "readiness": inline_serializer(
            "CommandReadiness",
            fields={
                "label": _text(),
                "units_short": _count(),
                "units_expiring": _count(),
                "disinfections_due": _count(),
                "disinfections_overdue": _count(),
            },
        ),
        # The sites the user manages (None: none), as GET /api/quarantine/board/ gives them.
        "sites": inline_serializer(
            "CommandSites",
            fields={"label": _text(), **BoardSerializer().get_fields()},
            allow_null=True,
        ),
    },
)


class CommandView(APIView):
    """What needs the user today, for the user's subtree: every panel of the home page, with
    the page's figures and Chinese labels. A user without a register of people gets 404."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CommandSerializer})
    def get(self, request: Request) -> Response:
        user = request_user(request)
        found = command_view(user)
        if found is None:
            raise NotFound(_("You hold no role over a register of people."))
        return Response({**found.as_dict(), **command_panels(user).as_dict()})


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
        "risk_area_count": serializers.IntegerField(),
        "risk_cities": _rows(
            "CommandMapRiskCity", region=_text(), level=_text(), label=_text(), areas=_count()
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


SizaoSerializer = inline_serializer(
    "Sizao",
    fields={
        "unit": _count(allow_null=True),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "kinds": _rows(
            "SizaoKind",
            kind=_text(),
            label=_text(),
            due=_count(),
            on_time=_count(),
            met_late=_count(),
            open_late=_count(),
            not_yet_due=_count(),
            median_late_minutes=_count(allow_null=True),
            worst_late_minutes=_count(allow_null=True),
            # "name" is a field here: the rows built by hand, not by _rows.
            units=serializers.ListField(
                child=inline_serializer(
                    "SizaoLateUnit",
                    fields={
                        "unit_id": _count(),
                        "name": _text(),
                        "late": _count(),
                        "open_late": _count(),
                        "link": _text(),
                    },
                )
            ),
        ),
        "intervals": serializers.ListField(
            child=inline_serializer(
                "SizaoInterval",
                fields={
                    "name": _text(),
                    "label": _text(),
                    "median_minutes": _count(allow_null=True),
                },
            )
        ),
        "cases": _rows(
            "SizaoCase",
            case=_count(),
            kind=_text(),
            onset_at=serializers.DateTimeField(allow_null=True),
            reported_at=serializers.DateTimeField(),
            # When the last of the case's close contacts was placed (None: one still waits).
            contacts_placed_at=serializers.DateTimeField(allow_null=True),
            onset_minutes=_count(allow_null=True),
            reported_up_minutes=_count(allow_null=True),
            investigated_minutes=_count(allow_null=True),
            contacts_minutes=_count(allow_null=True),
            transferred_minutes=_count(allow_null=True),
            placed_minutes=_count(allow_null=True),
        ),
    },
)


class SizaoView(APIView):
    """The 四早 board (GET /api/command/sizao/?unit=&from=&to=): the response's deadlines of a
    unit of the caller's (or all of them) due in the period, kind by kind, and each case's time
    from step to step. A unit not among the caller's, or a period no one could mean, is a 400."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", int, required=False),
            OpenApiParameter("from", str, required=False),
            OpenApiParameter("to", str, required=False),
        ],
        responses={200: SizaoSerializer},
    )
    def get(self, request: Request) -> Response:
        user = request_user(request)
        if not user_can(user, Capability.VIEW_PEOPLE):
            raise NotFound(_("You hold no role over a register of people."))
        return Response(sizao_read(user, period_read(user, request.query_params)).as_dict())

"""REST API of vaccination: the doses of the people the caller sees (POST enters one), a unit's
coverage by child unit and age band, and a village's outreach list. ID numbers are masked."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.inputs import validate_plausible_date
from fangkong.core.viewsets import found, unit_param
from fangkong.org.access import request_user, units_visible_to
from fangkong.org.models import Unit
from fangkong.vaccination.models import DOSE_NUMBER_MAX, Dose
from fangkong.vaccination.selectors import coverage, doses_visible, outreach
from fangkong.vaccination.services import DoseInput, dose_record


class DoseSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)
    id_masked = serializers.CharField(source="person.id_masked", read_only=True)

    class Meta:
        model = Dose
        fields = ["id", "person", "name", "id_masked", "number", "given_on", "vaccine", "site"]


class DoseInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(min_length=15, max_length=18)
    number = serializers.IntegerField(min_value=1, max_value=DOSE_NUMBER_MAX)
    given_on = serializers.DateField(validators=[validate_plausible_date])
    vaccine = serializers.CharField(max_length=50)
    site = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


UNIT = OpenApiParameter("unit", int, required=True)


class DoseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Doses of the people the caller sees (``?unit=``: of one unit and below), newest first;
    POST enters one for a person of the register found by ID number and name."""

    serializer_class = DoseSerializer
    lookup_value_regex = r"[0-9]{1,18}"

    def _unit(self) -> Unit:
        return found(units_visible_to(self.request.user), unit_param(self.request.query_params))

    def get_queryset(self) -> QuerySet[Dose]:
        doses = doses_visible(self.request.user)
        if "unit" in self.request.query_params:
            doses = doses.filter(person__unit__path__startswith=self._unit().path)
        return doses

    @extend_schema(request=DoseInSerializer, responses={201: DoseSerializer, 200: DoseSerializer})
    def create(self, request: Request) -> Response:
        incoming = DoseInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        dose, created = dose_record(
            actor=request_user(request), data=DoseInput(**incoming.validated_data)
        )
        return Response(
            DoseSerializer(dose).data, status=status.HTTP_201_CREATED if created else 200
        )

    @extend_schema(parameters=[UNIT], responses={200: dict})
    @action(detail=False)
    def coverage(self, request: Request) -> Response:
        """Coverage of the unit: the course completed, boosted and due a booster, by child unit
        and by age band (60+ apart, M-02)."""
        found = coverage(request.user, self._unit())
        return Response(
            {
                "unit": found.unit.pk,
                "clause": found.rule.rule.clause,
                "full_course": found.rule.rule.full_course,
                "total": found.total.as_dict(),
                "bands": {band: f.as_dict() for band, f in found.bands.items()},
                "units": [
                    {
                        "id": row.unit_id,
                        "name": row.name,
                        "all": row.all.as_dict(),
                        "aged_60_plus": row.elderly.as_dict(),
                    }
                    for row in found.rows
                ],
            }
        )

    @extend_schema(parameters=[UNIT], responses={200: dict})
    @action(detail=False)
    def outreach(self, request: Request) -> Response:
        """The people of the unit aged 12 and over who still need a dose or a booster."""
        rule, people, total = outreach(request.user, self._unit())
        return Response(
            {
                "clause": rule.rule.clause,
                "count": total,
                "people": [
                    {
                        "person": o.person.pk,
                        "name": o.person.name,
                        "id_masked": o.person.id_masked,
                        "phone": o.person.phone,
                        "unit": o.person.unit.name,
                        "doses": o.doses,
                        "last_given_on": o.last_given_on,
                        "booster_from": o.booster_from,
                        "aged_60_plus": o.elderly,
                    }
                    for o in people
                ],
            }
        )

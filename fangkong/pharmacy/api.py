"""REST API of the pharmacy purchase register: the caller's pharmacies' sales, recording one
(K-01, K-03: the pack's report and the buyer's follow-up opened) and marking one reported."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as BadRequest
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.org.access import request_user, units_in
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.pharmacy.models import DrugCategory, DrugSale
from fangkong.pharmacy.selectors import sales_visible
from fangkong.pharmacy.services import SaleInput, sale_mark_reported, sale_record, villages_near


class SaleInSerializer(serializers.Serializer):
    pharmacy = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(min_length=18, max_length=18)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    village = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=DrugCategory.choices)
    sold_at = serializers.DateTimeField()
    temperature = serializers.DecimalField(
        max_digits=3, decimal_places=1, required=False, allow_null=True, default=None
    )


class SaleSerializer(serializers.ModelSerializer):
    buyer = serializers.CharField(source="person.name")
    id_masked = serializers.CharField(source="person.id_masked")

    class Meta:
        model = DrugSale
        fields = [
            "id",
            "pharmacy",
            "person",
            "buyer",
            "id_masked",
            "category",
            "sold_at",
            "temperature",
            "reported_at",
            "created_at",
        ]


class SaleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Sales of the pharmacies where the caller keeps the register; POST records one;
    ``{id}/reported/`` marks it reported to the health centre or the regulator."""

    serializer_class = SaleSerializer
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self) -> QuerySet[DrugSale]:
        return sales_visible(self.request.user)

    @extend_schema(request=SaleInSerializer, responses={201: SaleSerializer})
    def create(self, request: Request) -> Response:
        incoming = SaleInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        pharmacy = (
            units_in(request.user, Capability.RECORD_SALES)
            .filter(pk=data.pop("pharmacy"), kind="pharmacy")
            .first()
        )
        if pharmacy is None:
            raise NotFound
        village: Unit | None = villages_near([pharmacy]).filter(pk=data.pop("village")).first()
        if village is None:
            raise BadRequest(
                {"village": [_("Choose a village or community of the pharmacy's township.")]}
            )
        sale = sale_record(
            actor=request_user(request),
            data=SaleInput(pharmacy=pharmacy, village=village, **data),
        )
        return Response(SaleSerializer(sale).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: SaleSerializer})
    @action(detail=True, methods=["post"])
    def reported(self, request: Request, pk: str) -> Response:
        sale = self.get_queryset().filter(pk=pk).first()
        if sale is None:
            raise NotFound
        sale = sale_mark_reported(actor=request_user(request), sale=sale)
        return Response(SaleSerializer(sale).data)

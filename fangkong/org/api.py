"""REST API of the organisation tree: regions (read-only) and the units the user acts on."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import CodeRelatedField
from fangkong.org.access import request_user, units_visible_to
from fangkong.org.models import Region, Unit, UnitKind
from fangkong.org.selectors import region_get, region_search
from fangkong.org.services import unit_create


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent", "full_name"]


class UnitSerializer(serializers.ModelSerializer):
    region: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    # A field called "parent" shadows Field.parent (the enclosing serializer) for type checkers
    # only: DRF moves declared fields off the class.
    parent: serializers.SlugRelatedField[Unit] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code", read_only=True
    )

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "parent", "region", "depth"]


@extend_schema(parameters=[OpenApiParameter("q", str, description="code prefix or part of a name")])
class RegionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """GB/T 2260 regions. ``?q=`` searches by code prefix or name, old codes included."""

    serializer_class = RegionSerializer
    pagination_class = None
    lookup_value_regex = r"\d{2,12}"

    def get_queryset(self) -> QuerySet[Region]:
        request: Request = self.request  # type: ignore[assignment]
        text = request.query_params.get("q", "").strip()
        if self.action == "list":
            return region_search(text) if text else Region.objects.filter(level=1)
        return Region.objects.all()


class UnitWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    region = serializers.CharField(max_length=12)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "parent" is set here, not on the class, where it would shadow Field.parent; a unit
        # outside the user's subtrees does not exist as far as they can tell.
        request = self.context.get("request")
        self.fields["parent"] = CodeRelatedField(
            slug_field="code",
            queryset=units_visible_to(request.user) if request else Unit.objects.none(),
            allow_null=True,
        )

    def validate_region(self, value: str) -> Region:
        region = region_get(value)
        if region is None:
            raise serializers.ValidationError(
                _("No region has the code %(code)s.") % {"code": value}
            )
        return region


class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Units in the subtrees where the user holds a role; POST adds a unit under one of them."""

    serializer_class = UnitSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        return units_visible_to(self.request.user).select_related("region", "parent")

    @extend_schema(request=UnitWriteSerializer, responses={201: UnitSerializer})
    def create(self, request: Request) -> Response:
        form = UnitWriteSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        unit = unit_create(actor=request_user(request), **form.validated_data)
        return Response(
            UnitSerializer(self.get_queryset().get(pk=unit.pk)).data, status=status.HTTP_201_CREATED
        )

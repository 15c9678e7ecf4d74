"""REST API of the organisation tree: regions (read-only) and the units the user acts on."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request

from fangkong.org.models import Region, Unit
from fangkong.org.selectors import region_search, units_visible_to


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


class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Units in the subtrees where the user holds a role."""

    serializer_class = UnitSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        return units_visible_to(self.request.user).select_related("region", "parent")

"""The shape most REST viewsets over the caller's rows share: ``?unit=`` read and narrowing a
list, a row found among those the access module lets the caller act on (or 404), and a POST that
is one write service (``ServiceViewSetMixin``)."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.inputs import query_int

_M = TypeVar("_M", bound=Model)


def unit_param(params: Any) -> int:
    """The unit id of ``?unit=``; a 400 naming ``unit`` when it is absent or blank."""
    unit_id = query_int(params, "unit")
    if unit_id is None:
        raise exceptions.ValidationError({"unit": [_("A unit id is a whole number.")]})
    return unit_id


def unit_narrowed(rows: QuerySet[_M], params: Any) -> QuerySet[_M]:
    """One unit's rows when the query names ``?unit=``; all of them otherwise."""
    if "unit" in params:
        return rows.filter(unit_id=unit_param(params))
    return rows


def found(rows: QuerySet[_M], pk: Any) -> _M:
    """The row ``pk`` among ``rows`` (the caller's, as the access module scopes them), or 404: a
    row the caller may not act on is not there."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise exceptions.NotFound
    return row


class _ServiceCreateSchema(AutoSchema):
    """The OpenAPI of a ``ServiceViewSetMixin``'s POST: its input serializer in, its serializer
    out (a list of them with ``creates_many``)."""

    def get_request_serializer(self) -> Any:
        if self._is_create_operation():
            return cast("ServiceViewSetMixin", self.view).input_serializer_class
        return super().get_request_serializer()

    def get_response_serializers(self) -> Any:
        view = cast("ServiceViewSetMixin", self.view)
        if self._is_create_operation() and view.creates_many:
            return {201: view.get_serializer_class()(many=True)}
        return super().get_response_serializers()


class ServiceViewSetMixin(viewsets.GenericViewSet):
    """A viewset whose POST is one write service: the body is read by ``input_serializer_class``
    (a 400 names each bad field), ``perform_service(request, data)`` scopes what the body names
    through the access module (``found``: 404 for what the caller may not act on) and calls the
    service, and the answer is 201 with what it made in the viewset's serializer (a list with
    ``creates_many``)."""

    input_serializer_class: type[serializers.Serializer[Any]]
    creates_many = False
    schema = _ServiceCreateSchema()

    def perform_service(self, request: Request, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = self.input_serializer_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        made = self.perform_service(request, dict(incoming.validated_data))
        shown = self.get_serializer_class()(made, many=self.creates_many)
        return Response(shown.data, status=status.HTTP_201_CREATED)

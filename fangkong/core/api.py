"""Shared pieces of the REST API: keyset pagination, errors as JSON with field messages and a
fast renderer for bulk answers (the
viewsets' shared shape is in ``core.viewsets``: the settings load this module before DRF's views
can be imported)."""

from __future__ import annotations

from typing import Any

import orjson
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from fangkong.core.inputs import BadInput, datetime_parse
from fangkong.core.text import NUL


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination on the primary key: page N costs the same as page 1 on a
    million-row register, because it seeks the index instead of counting an OFFSET."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn the services' Django errors into API errors: a ValidationError names its fields, and
    so does a query value that cannot be read."""
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, BadInput):
        exc = exceptions.ValidationError({exc.field: [exc.reason]})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


class CodeRelatedField(serializers.SlugRelatedField):
    """A relation named by its code. Refuses a NUL character itself: PostgreSQL cannot even look
    such a code up, and would answer the lookup with an error instead of "does not exist"."""

    def to_internal_value(self, data: Any) -> Any:
        if NUL in str(data):
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


def batch_body(request: Request, limit: int, key: str) -> tuple[dict[str, Any], list[Any]]:
    """A batch request's JSON object and its list of at most ``limit`` rows under ``key``."""
    data = request.data
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise exceptions.ValidationError({key: [f"Send a JSON object with a list '{key}'."]})
    if len(data[key]) > limit:
        raise exceptions.ValidationError({key: [f"At most {limit} rows per request."]})
    return data, data[key]


def row_text(item: dict[str, Any], name: str) -> str:
    """A batch row's text under ``name``; "" when absent or not text."""
    value = item.get(name, "")
    return value if isinstance(value, str) and NUL not in value else ""


def row_time(item: dict[str, Any], name: str) -> Any:
    """The time sent under ``name``; None when absent; anything that is no time as it was sent,
    for the service to refuse with the row's index."""
    value = item.get(name)
    parsed = datetime_parse(value) if isinstance(value, str) else None
    return parsed or value


class BulkJSONRenderer(BaseRenderer):
    """JSON of plain lists and numbers written by orjson: the graph of 50,000 people is 6 MB,
    which the standard encoder took 100 ms to write and orjson writes in a tenth of that."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return orjson.dumps(data)

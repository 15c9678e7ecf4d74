"""The app's URLs plus the benchmark's bare comparison endpoint (FANGKONG_URLCONF=bench.urls)."""

from __future__ import annotations

import json

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from fangkong.monitoring.models import Checkin


@csrf_exempt
def bare_checkin(request: HttpRequest) -> JsonResponse:
    """The floor of a check-in endpoint: parse JSON, insert one row, answer. No authentication,
    no validation, no scope, no rules."""
    data = json.loads(request.body)
    row = Checkin.objects.create(
        person_id=data["person"],
        unit_id=data["unit"],
        at=timezone.now(),
        celsius=data["celsius"],
        status="normal",
        via="api",
    )
    return JsonResponse({"id": row.pk}, status=201)


urlpatterns = [
    path("bench/bare-checkin/", bare_checkin),
    path("", include("fangkong.config.urls")),
]

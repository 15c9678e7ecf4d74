from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from fangkong.core import clock
from fangkong.core.inputs import BadInput


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database status for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = {"status": "ok", "vendor": connection.vendor}
        code = 200
    except DatabaseError as error:
        database = {"status": "error", "error": str(error)}
        code = 503
    return JsonResponse(
        {
            "status": "ok" if code == 200 else "error",
            "database": database,
            "clock": clock.now().isoformat(),
        },
        status=code,
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a query or form value that cannot be read names its field and the reason."""
    reason = str(exception) if isinstance(exception, BadInput) else ""
    return render(request, "core/bad_request.html", {"reason": reason}, status=400)

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse

from fangkong.core import clock


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

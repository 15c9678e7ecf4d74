from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from fangkong.core import clock
from fangkong.core.inputs import BadInput


def refusal_messages(request: HttpRequest, error: ValidationError) -> None:
    """A service's refusal of an action posted from a page with no form to show it: each reason
    a message on the page the action returns to."""
    for message in error.messages:
        messages.error(request, message)


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


def login_locked_out(
    request: HttpRequest, response: HttpResponse, credentials: Any
) -> HttpResponse:
    """django-axes' answer to a locked-out user name or address: the login page with the reason and
    the wait, in the user's language, keeping the user name typed."""
    return render(
        request,
        "core/login.html",
        {
            "locked_out_minutes": math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
            "username": request.POST.get("username", ""),
            "next": request.POST.get("next", ""),
        },
        status=429,
    )


def client_address(request: HttpRequest) -> str | None:
    """The caller's address, as the proxy reports it when FANGKONG_CLIENT_IP_HEADER names its
    header; else the connection's."""
    header = settings.FANGKONG_CLIENT_IP_HEADER
    if header:
        reported = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        if reported:
            return str(reported).split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def _way_back(request: HttpRequest) -> str:
    """The page the user came from, when it is one of ours: the error pages' 返回上一页."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return str(referer)
    return ""


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a query or form value that cannot be read names its field and the reason."""
    reason = str(exception) if isinstance(exception, BadInput) else ""
    return render(
        request, "core/bad_request.html", {"reason": reason, "back": _way_back(request)}, status=400
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403, inside the layout: the page is not one the user's roles open."""
    return render(request, "core/forbidden.html", {"back": _way_back(request)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404, inside the layout: no such page, or a record outside the user's units (which is
    as unknown as one that does not exist)."""
    return render(request, "core/not_found.html", {"back": _way_back(request)}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: rendered without the request's context (no session, user or database: any of them
    may be what failed), in the layout's look."""
    page = loader.get_template("core/server_error.html")
    return HttpResponse(page.render({"back": _way_back(request)}), status=500)

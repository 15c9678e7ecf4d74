"""The gate's check of a scanned status code: colour and validity, nothing else (E-21)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fangkong.healthcodes.codes import MAX_TOKEN, status_code_check


def code_check_view(request: HttpRequest) -> HttpResponse:
    """Open without signing in: the page shows only the colour and the validity window of the
    code in ``?t=`` (what its QR opens), or a field to paste one; nothing of the person."""
    token = request.GET.get("t", "")
    if not token:
        return render(request, "healthcodes/check.html", {"max_token": MAX_TOKEN})
    try:
        checked = status_code_check(token)
    except ValueError as error:
        return render(
            request,
            "healthcodes/check.html",
            {"error": str(error), "max_token": MAX_TOKEN},
            status=400,
        )
    return render(request, "healthcodes/check.html", {"checked": checked, "max_token": MAX_TOKEN})

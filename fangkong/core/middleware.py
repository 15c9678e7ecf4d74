"""Chinese first (the interface is in Chinese unless the user picked another language), and a
value that cannot be read answered with the 400 page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import get_resolver
from django.utils import translation

from fangkong.core.inputs import BadInput


class ChosenLanguageMiddleware:
    """Unlike Django's LocaleMiddleware, ignores the browser's Accept-Language: an office PC with
    an English browser still shows Chinese. The choice (the language cookie set by the switcher
    at the foot of each page, or ?lang= on an API call) is the only thing that changes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class BadInputMiddleware:
    """A query or form value that cannot be read answers the 400 page, logged by Django as one
    line naming the path. Left to Django's exception handling, it would log the whole traceback
    and the reason, which may quote the value typed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BadInput):
            return None
        # The site's 400 handler (handler400 of the URL configuration), as Django would call it.
        handler: Any = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(400)
        response: HttpResponse = handler(request, exception)
        return response

"""Benchmark of status codes (issue 16, item 4): checking a scanned code at a gate must take
under 5 ms. Measured as the check itself (signature and validity window) and as the gate's page
through Django's whole request stack, against a bare HMAC-SHA256 of the same payload in the same
run. Reads nothing from the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import statistics
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client
from django.urls import reverse

from bench.run import Result
from fangkong.core import clock
from fangkong.healthcodes.codes import status_code_check, status_code_sign
from fangkong.healthcodes.rules import Colour

TARGET_MS = 5.0


def _per_call_ms(calls: list[str], run: Callable[[str], None]) -> float:
    """The median time of one call, in ms (the machine is shared: a mean would carry its
    neighbours' bursts)."""
    timings = []
    for call in calls:
        start = time.perf_counter()
        run(call)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def run(*, scale: float) -> list[Result]:
    count = max(1_000, int(50_000 * scale))
    now = clock.now().replace(microsecond=0)
    until = now + dt.timedelta(hours=24)
    colours = list(Colour)
    tokens = [status_code_sign(colours[i % 3], now, until, f"ref{i:013d}") for i in range(count)]
    key = settings.SECRET_KEY.encode()

    def bare(token: str) -> None:
        payload, _sep, signature = token.rpartition(":")
        expected = hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()
        hmac.compare_digest(expected, signature)

    def check(token: str) -> None:
        assert status_code_check(token, now).valid

    baseline = _per_call_ms(tokens, bare)
    checked = _per_call_ms(tokens, check)
    client = Client()
    page = reverse("code-check")
    pages = tokens[: max(200, count // 50)]

    def gate(token: str) -> None:
        assert client.get(f"{page}?{urlencode({'t': token})}").status_code == 200

    gate(pages[0])  # templates loaded once
    served = _per_call_ms(pages, gate)
    return [
        Result(
            "status code checked (function)", checked, "ms", baseline, checked / baseline,
            TARGET_MS, "max_value", checked < TARGET_MS,
        ),
        Result(
            "status code checked (gate page)", served, "ms", baseline, served / baseline,
            TARGET_MS, "max_value", served < TARGET_MS,
        ),
    ]  # fmt: skip

"""Benchmark of venue codes (issue 14, item 3): scans posted to the batch API.

scans-batch-api: a venue-code system posting 1,000,000 scans (BENCH_SCALE scales it) to
/api/scans/ in requests of 5,000 (the API's limit), through the whole request path in-process
(parsing, checks of venues and people, the set-based write, the audit row), in scans/s, against a
raw COPY of the same rows into the same table in the same run. Target: 10,000 scans/s.

Stands alone: it sets up its own unit, epidemiologist, people (copied with one INSERT … SELECT)
and venues, none of it measured.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from bench.data import people_insert
from bench.run import Result
from fangkong.core import clock
from fangkong.org.models import Region
from fangkong.org.roles import Role
from fangkong.org.services import membership_grant, unit_create
from fangkong.tracing.models import Scan, Venue, VenueKind
from fangkong.tracing.venues import SCAN_BATCH_MAX, venue_create

FULL_SIZE = 1_000_000
PEOPLE = 20_000
VENUES = 200
TARGET = 10_000


def _setup() -> tuple[str, list[int], list[str]]:
    """The bench's unit, epidemiologist (their API token), people and venue codes."""
    region = Region.objects.get(code="520113")
    unit = unit_create(code="BENCH-VENUES", name="场所码基准", kind="township", region=region)
    user = get_user_model().objects.create_user("bench-epidemiologist")
    membership_grant(user=user, unit=unit, role=Role.EPIDEMIOLOGIST)
    people = people_insert(unit.pk, PEOPLE, "扫码")
    venue_create(actor=user, unit=unit, kind=VenueKind.SHOP, name="基准商店")
    codes = [
        venue_create(actor=user, unit=unit, kind=VenueKind.VENUE, name=f"场所{i}").code
        for i in range(VENUES - 1)
    ]
    codes += list(Venue.objects.filter(name="基准商店").values_list("code", flat=True))
    return Token.objects.create(user=user).key, people, codes


def _rows(count: int, people: list[int], codes: list[str]) -> list[dict[str, object]]:
    """``count`` distinct scans over the last 14 days."""
    rng = random.Random(5)
    start = clock.now() - dt.timedelta(days=14)
    return [
        {
            "venue": codes[i % len(codes)],
            "person": rng.choice(people),
            "scanned_at": (start + dt.timedelta(seconds=i)).isoformat(),
        }
        for i in range(count)
    ]


def _copy_rate(rows: list[dict[str, object]], venue_ids: dict[str, int]) -> float:
    """Scans/s of a plain COPY of the same rows into the same table (then emptied)."""
    start = time.perf_counter()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY tracing_scan (venue_id, person_id, scanned_at) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row((venue_ids[str(row["venue"])], row["person"], row["scanned_at"]))
    rate = len(rows) / (time.perf_counter() - start)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tracing_scan")
    return rate


def run(scale: float) -> list[Result]:
    count = max(SCAN_BATCH_MAX * 4, int(FULL_SIZE * scale))
    token, people, codes = _setup()
    rows = _rows(count, people, codes)
    baseline = _copy_rate(rows, dict(Venue.objects.values_list("code", "pk")))
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    bodies = [
        json.dumps({"scans": rows[i : i + SCAN_BATCH_MAX]}) for i in range(0, count, SCAN_BATCH_MAX)
    ]
    client.get("/api/venues/")  # load the URL map and the API once, as a running server has
    start = time.perf_counter()
    for body in bodies:
        response = client.post("/api/scans/", body, content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        assert not response.json()["errors"]
    rate = count / (time.perf_counter() - start)
    assert Scan.objects.count() == count
    return [
        Result(
            name="scans-batch-api",
            value=rate,
            unit="scans/s",
            baseline=baseline,
            ratio=rate / baseline,
            target=TARGET,
            target_kind="min_value",
            met=rate >= TARGET,
        )
    ]

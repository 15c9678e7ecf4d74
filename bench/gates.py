"""Benchmark of gates (issue 16, item 3): a gate's reader posting entries to the batch API.

gate-entries-batch-api: 1,000,000 entries of registered people (BENCH_SCALE scales it) posted to
/api/gate-entries/batch/ in requests of 10,000 (the API's limit), through the whole request path
in-process (parsing, the checks of the gate, the people and each entry against the plan, the COPY,
the audit row), in entries/s, against a raw COPY of the same rows into the same table in the same
run. Target: 10,000 entries/s.

Stands alone: it sets up its own unit, gate manager, gate and people (copied with one INSERT …
SELECT), none of it measured.
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

from bench.run import Result
from fangkong.core import clock
from fangkong.gates.models import GateEntry
from fangkong.gates.services import ENTRY_BATCH_MAX, gate_create
from fangkong.org.models import Region
from fangkong.org.roles import Role
from fangkong.org.services import membership_grant, unit_create

FULL_SIZE = 1_000_000
PEOPLE = 20_000
TARGET = 10_000


def _setup() -> tuple[str, int, list[int]]:
    """The bench's village, its grid worker (their API token), its checkpoint and people."""
    region = Region.objects.get(code="520113")
    unit = unit_create(code="BENCH-GATES", name="门岗基准村", kind="village", region=region)
    user = get_user_model().objects.create_user("bench-gate-manager")
    membership_grant(user=user, unit=unit, role=Role.GRID_WORKER)
    gate = gate_create(actor=user, unit=unit, kind="village_checkpoint", name="基准卡点")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO people_person (created_at, updated_at, name, id_type, id_hash, id_cipher,"
            " id_masked, sex, phone, nationality, address, unit_id)"
            " SELECT now(), now(), '过岗' || g, 'resident', md5('bench-gate-' || g),"
            " '\\x00'::bytea, '', '', '', 'CHN', '', %s FROM generate_series(1, %s) g"
            " RETURNING id",
            [unit.pk, PEOPLE],
        )
        people = [row[0] for row in cursor.fetchall()]
    return Token.objects.create(user=user).key, gate.pk, people


def _rows(count: int, gate: int, people: list[int]) -> list[dict[str, object]]:
    """``count`` entries over the last day: temperatures under any plan's threshold."""
    rng = random.Random(16)
    start = clock.now() - dt.timedelta(days=1)
    return [
        {
            "gate": gate,
            "person": rng.choice(people),
            "at": (start + dt.timedelta(milliseconds=80 * i)).isoformat(),
            "celsius": f"36.{rng.randrange(10)}",
            "health_code": "green",
            "outcome": "admitted",
            "disinfected": True,
        }
        for i in range(count)
    ]


def _copy_rate(rows: list[dict[str, object]]) -> float:
    """Entries/s of a plain COPY of the same rows into the same table (then emptied)."""
    start = time.perf_counter()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY gates_gateentry (gate_id, person_id, at, celsius, symptoms, from_epidemic_area,"
            " epidemic_contact, health_code, code_scanned, outcome, reason, disinfected, actions)"
            " FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(
                    (row["gate"], row["person"], row["at"], row["celsius"], "[]", False, False,
                     row["health_code"], False, row["outcome"], "", row["disinfected"], "[]")
                )  # fmt: skip
    rate = len(rows) / (time.perf_counter() - start)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE gates_gateentry")
    return rate


def run(scale: float) -> list[Result]:
    count = max(ENTRY_BATCH_MAX * 4, int(FULL_SIZE * scale))
    token, gate, people = _setup()
    rows = _rows(count, gate, people)
    baseline = _copy_rate(rows)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    bodies = [
        json.dumps({"entries": rows[i : i + ENTRY_BATCH_MAX]})
        for i in range(0, count, ENTRY_BATCH_MAX)
    ]
    client.get("/api/gates/")  # load the URL map and the API once, as a running server has
    start = time.perf_counter()
    for body in bodies:
        response = client.post("/api/gate-entries/batch/", body, content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        assert not response.json()["errors"], response.json()["errors"][:3]
    rate = count / (time.perf_counter() - start)
    assert GateEntry.objects.count() == count
    return [
        Result(
            name="gate-entries-batch-api",
            value=rate,
            unit="entries/s",
            baseline=baseline,
            ratio=rate / baseline,
            target=TARGET,
            target_kind="min_value",
            met=rate >= TARGET,
        )
    ]

"""Benchmark of transmission chains (issue 14, item 4): the chain of one case, a cluster of 50,000
people at BENCH_SCALE=1, served as graph JSON by /api/cases/graph/ to the county's commander.
Target: under 1 s. The baseline, in the same run, is the bare recursive SQL that finds the same
people and edges, without scope, names, kinds or positions.

Runs after bench.register, on its people: the chain is a tree (each person infected four more)
over the first people of the register, beside a second tree of the same size that the chain must
not reach; both written with COPY (setup, not measured).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench.run import Result, median_ms
from fangkong.core import clock
from fangkong.tracing.models import Case, CaseKind

FULL_SIZE = 50_000
BRANCHING = 4

BASELINE = """
WITH RECURSIVE down(id) AS (
  SELECT %s::bigint
  UNION SELECT e.person_id FROM down JOIN tracing_exposure e ON e.via_id = down.id
)
SELECT e.via_id, e.person_id FROM tracing_exposure e
WHERE e.via_id IN (SELECT id FROM down) AND e.person_id IN (SELECT id FROM down)
"""


def _trees(people: list[int], size: int) -> None:
    """Two trees of ``size`` people each: person i was infected by person (i - 1) // 4."""
    now = clock.now()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY tracing_exposure (person_id, kind, last_exposed_at, identified_at, via_id,"
            " note, created_at, updated_at) FROM STDIN"
        ) as copy:
            for tree in (people[:size], people[size : 2 * size]):
                for index in range(1, len(tree)):
                    depth = (index.bit_length() + 1) // 2  # about log4 of the index
                    exposed = now - dt.timedelta(days=14 - min(depth, 13))
                    kind = "close_contact" if depth % 2 else "secondary_contact"
                    via = tree[(index - 1) // BRANCHING]
                    copy.write_row((tree[index], kind, exposed, now, via, "", now, now))
        cursor.execute("ANALYZE tracing_exposure")


def run(*, scale: float) -> list[Result]:
    user = get_user_model().objects.get(username="bench-commander")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, unit_id FROM people_person ORDER BY id")
        rows = cursor.fetchall()
    size = min(len(rows) // 2, max(1000, int(FULL_SIZE * scale)))
    people = [pk for pk, _unit in rows]
    _trees(people, size)
    source = Case.objects.create(
        person_id=people[0],
        unit_id=rows[0][1],
        kind=CaseKind.CONFIRMED,
        reported_at=clock.now() - dt.timedelta(days=14),
    )
    token = Token.objects.get_or_create(user=user)[0].key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    def graph() -> Any:
        response = client.get("/api/cases/graph/", {"case": source.pk})
        assert response.status_code == 200
        return response

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(BASELINE, [people[0]])
            assert len(cursor.fetchall()) == size - 1

    baseline = median_ms(bare, repeat=5)
    value = median_ms(graph, repeat=5)
    # Served is measured; reading the JSON is the browser's, checked once here.
    assert len(graph().json()["nodes"]) == size
    print(f"chain graph: {size:,} people: {value:.0f} ms (bare SQL {baseline:.0f} ms)")
    return [
        Result(
            f"chain_graph_{size}_nodes",
            round(value, 1),
            "ms",
            round(baseline, 2),
            round(value / baseline, 1),
            1000,
            "max_value",
            value < 1000,
        )
    ]

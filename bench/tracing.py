"""Benchmarks of the outbreak response (issue 14), each against a raw-SQL baseline in the same run.
At BENCH_SCALE=1 (the issue's sizes):

- scan-match-one-case: one confirmed case's 14 days of visits matched against 30,000,000 scans
  by the candidate-contact search (``contact_candidates_propose``, rolled back after each run):
  under 200 ms. Baseline: the bare self-join of the case's scans with the others' in the window.
- scan-match-100-cases: 100 confirmed cases reported at once in one request to
  /api/cases/batch/ (each row checked, the cases written together, each opens its deadlines and
  tells the tree, and all 100 are searched for candidate contacts in one set-based call): under
  10 s in all. Baseline: the bare self-join for the same 100 people, one after another.
- case-list-page and contact-list-page, with 300,000 contacts in 1,000 investigations: the
  case list (/cases/, its first page) and an investigation's page with its 300 contacts, through
  the Django test client: under 300 ms each. Baselines: the bare SELECTs of the same rows.
- line-list-200: a line list of 200 new contacts posted to
  /api/cases/<id>/investigation/contacts/ (each registered, exposed, its measures computed):
  under 2 s. Baseline: one INSERT of 200 people and one of their 200 exposures.
- two-hop-expansion: the chains of an outbreak of 1,000 cases, each with 6 close contacts and
  36 secondary contacts (43,000 people), in a contact graph of 10,000,000 exposures, served as
  graph JSON by /api/cases/graph/?outbreak=: under 2 s. Baseline: the bare two joins.

Stands alone: its own township, epidemiologist, people, venues, scans and exposures, written
with INSERT … SELECT while their indexes are down (setup, not measured). The sizes below are
those of BENCH_SCALE=1.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from rest_framework.authtoken.models import Token

from bench.data import indexes_rebuilt, people_insert, resident_id
from bench.run import Result, median_ms
from fangkong.core import clock
from fangkong.org.models import Region, Unit
from fangkong.org.roles import Role
from fangkong.org.services import membership_grant, unit_create
from fangkong.policy.packs import packs_all
from fangkong.tracing.models import Case, CaseKind, Outbreak
from fangkong.tracing.venues import TRAJECTORY_DAYS, contact_candidates_propose, contact_window

PEOPLE = 2_000_000
SCANS = 30_000_000
VENUES = 10_000  # with SCANS over 14 days: about 18 others within the hour of a visit
CONTACTS = 300_000
CONTACTS_PER_INVESTIGATION = 300
OUTBREAK_CASES = 1_000
GRAPH_EXPOSURES = 10_000_000
BRANCHING = 6  # close contacts of each case, secondary contacts of each close contact
LINE_LIST_ROWS = 200
# The line list's new people: ID numbers past those of the register suite's million, who live in
# another county's units and would be assistance notices, not contacts.
LINE_LIST_IDS = 20_000_000
CONFIRMED_AT_ONCE = 100


class _People:
    """The bench's people, handed out in consecutive blocks."""

    def __init__(self, ids: list[int]) -> None:
        assert ids[-1] - ids[0] + 1 == len(ids), "one INSERT gives consecutive ids"
        self.ids = ids
        self.first = ids[0]
        self.taken = 0

    def take(self, count: int) -> list[int]:
        block = self.ids[self.taken : self.taken + count]
        assert len(block) == count, "the bench needs more people"
        self.taken += count
        return block


def _result(name: str, value: float, baseline: float, target: float) -> Result:
    return Result(
        name,
        round(value, 1),
        "ms",
        round(baseline, 2),
        round(value / baseline, 1),
        target,
        "max_value",
        value < target,
    )


def _execute(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _cases_insert(unit: Unit, people: list[int], outbreak: Outbreak | None = None) -> list[int]:
    """Confirmed cases of these people, reported now."""
    rows = _execute(
        "INSERT INTO tracing_case (person_id, unit_id, kind, status, reported_at, note,"
        " outbreak_id, created_at, updated_at)"
        " SELECT p, %s, 'confirmed', 'reported', now(), '', %s, now(), now()"
        " FROM unnest(%s::bigint[]) p RETURNING id",
        [unit.pk, outbreak.pk if outbreak else None, people],
    )
    return sorted(row[0] for row in rows)


# --- scans -----------------------------------------------------------------------------------

SCAN_BASELINE = """
SELECT o.person_id, count(DISTINCT c.id), min(abs(extract(epoch FROM o.scanned_at - c.scanned_at)))
FROM tracing_scan c
JOIN tracing_scan o ON o.venue_id = c.venue_id
  AND o.scanned_at BETWEEN c.scanned_at - %s AND c.scanned_at + %s AND o.person_id <> c.person_id
WHERE c.person_id = %s AND c.scanned_at BETWEEN %s AND %s
GROUP BY o.person_id
"""


def _scans(unit: Unit, people: _People, scale: float) -> None:
    """Venues and scans over the last 14 days: scan g at venue g mod V by person g·7919 mod P,
    at evenly spaced times, so that every person has about SCANS / PEOPLE visits."""
    venues = max(50, int(VENUES * scale))
    scans = max(100_000, int(SCANS * scale))
    _execute(
        "INSERT INTO tracing_venue (unit_id, kind, name, code, created_at, updated_at)"
        " SELECT %s, 'venue', '场所' || g, '8' || lpad(g::text, 11, '0'), now(), now()"
        " FROM generate_series(1, %s) g",
        [unit.pk, venues],
    )
    first_venue = _execute("SELECT min(id) FROM tracing_venue WHERE unit_id = %s", [unit.pk])[0][0]
    start = clock.now() - dt.timedelta(days=TRAJECTORY_DAYS)
    step = dt.timedelta(days=TRAJECTORY_DAYS) / scans
    with indexes_rebuilt("tracing_scan"):
        _execute(
            "INSERT INTO tracing_scan (venue_id, person_id, scanned_at)"
            " SELECT %s + g %% %s, %s + (g * 7919) %% %s, %s + g * %s"
            " FROM generate_series(0, %s::bigint) g",
            [first_venue, venues, people.first, len(people.ids), start, step, scans - 1],
        )


def _scan_match(user: User, client: Client, unit: Unit, people: _People) -> list[Result]:
    one = people.take(1)[0]
    batch = people.take(CONFIRMED_AT_ONCE)
    case = Case.objects.get(pk=_cases_insert(unit, [one])[0])
    since = case.reported_at - dt.timedelta(days=TRAJECTORY_DAYS)
    window = contact_window(case)

    def bare(person: int) -> int:
        params = [window, window, person, since, case.reported_at]
        return len(_execute(SCAN_BASELINE, params))

    def propose() -> None:
        with transaction.atomic():
            assert contact_candidates_propose(actor=user, cases=[case]) > 0
            transaction.set_rollback(True)

    baseline = median_ms(lambda: bare(one), repeat=9)
    value = median_ms(propose, repeat=9)
    print(f"scan match, one case: {value:.0f} ms (bare SQL {baseline:.0f} ms)")
    results = [_result("scan-match-one-case", value, baseline, 200)]

    start = time.perf_counter()
    assert all(bare(person) for person in batch)
    batch_baseline = (time.perf_counter() - start) * 1000
    packs_all()  # read once per process, as a running server has
    rows = [{"person": person, "kind": CaseKind.CONFIRMED} for person in batch]
    start = time.perf_counter()
    response = client.post(
        "/api/cases/batch/", json.dumps({"cases": rows}), content_type="application/json"
    )
    batch_value = (time.perf_counter() - start) * 1000
    assert response.status_code == 201, response.content[:300]
    proposed = _execute(
        "SELECT count(DISTINCT case_id) FROM tracing_contactcandidate c"
        " JOIN tracing_case k ON k.id = c.case_id WHERE k.person_id = ANY(%s)",
        [batch],
    )[0][0]
    assert proposed == len(batch), proposed
    print(f"scan match, {len(batch)} cases: {batch_value:.0f} ms (bare {batch_baseline:.0f} ms)")
    results.append(_result(f"scan-match-{len(batch)}-cases", batch_value, batch_baseline, 10_000))
    return results


# --- the case and contact lists --------------------------------------------------------------

CASE_LIST_BASELINE = """
SELECT c.id, c.kind, c.status, c.reported_at, p.name, u.name, (SELECT count(*) FROM tracing_case)
FROM tracing_case c JOIN people_person p ON p.id = c.person_id JOIN org_unit u ON u.id = c.unit_id
ORDER BY c.reported_at DESC, c.id DESC LIMIT 50
"""
CONTACT_LIST_BASELINE = """
SELECT e.id, e.kind, e.last_exposed_at, e.note, p.name, p.id_masked, u.name
FROM tracing_exposure e JOIN people_person p ON p.id = e.person_id
JOIN org_unit u ON u.id = p.unit_id
WHERE e.investigation_id = %s ORDER BY e.last_exposed_at DESC, e.id DESC
"""


def _investigations(unit: Unit, cases: list[int]) -> list[int]:
    rows = _execute(
        "INSERT INTO tracing_investigation (case_id, status, history, opened_at, created_at,"
        " updated_at) SELECT c, 'in_progress', '', now(), now(), now()"
        " FROM unnest(%s::bigint[]) c RETURNING id",
        [cases],
    )
    return sorted(row[0] for row in rows)


def _lists(client: Client, unit: Unit, people: _People, scale: float) -> list[Result]:
    count = max(10, int(CONTACTS * scale) // CONTACTS_PER_INVESTIGATION)
    sources = people.take(count)
    cases = _cases_insert(unit, sources)
    investigations = _investigations(unit, cases)
    contacts = people.take(count * CONTACTS_PER_INVESTIGATION)
    # Contact k belongs to investigation k // CONTACTS_PER_INVESTIGATION.
    _execute(
        "INSERT INTO tracing_exposure (person_id, kind, last_exposed_at, identified_at, via_id,"
        " note, investigation_id, created_at, updated_at)"
        " SELECT c.p, 'close_contact', now() - (c.k %% 14) * interval '1 day', now(),"
        " (%s::bigint[])[(c.k - 1) / %s + 1], '同一单位', (%s::bigint[])[(c.k - 1) / %s + 1],"
        " now(), now()"
        " FROM unnest(%s::bigint[]) WITH ORDINALITY c(p, k)",
        [
            sources,
            CONTACTS_PER_INVESTIGATION,
            investigations,
            CONTACTS_PER_INVESTIGATION,
            contacts,
        ],
    )
    _execute("ANALYZE tracing_exposure", [])
    _execute("ANALYZE tracing_case", [])
    case_id = cases[len(cases) // 2]

    def page(url: str) -> Callable[[], None]:
        def get() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.content[:300]

        return get

    def bare(sql: str, params: list[Any]) -> Callable[[], object]:
        return lambda: _execute(sql, params)

    results = []
    listed: list[tuple[str, str, str, list[Any]]] = [
        ("case-list-page", "/cases/", CASE_LIST_BASELINE, []),
        (
            "contact-list-page",
            f"/cases/{case_id}/investigation/",
            CONTACT_LIST_BASELINE,
            [investigations[len(investigations) // 2]],
        ),
    ]
    for name, url, sql, params in listed:
        baseline = median_ms(bare(sql, params), repeat=9)
        value = median_ms(page(url), repeat=9)
        print(f"{name} at {count * CONTACTS_PER_INVESTIGATION:,} contacts: {value:.0f} ms")
        results.append(_result(name, value, baseline, 300))
    return results


# --- the line list ---------------------------------------------------------------------------


def _line_list(client: Client, unit: Unit, people: _People) -> list[Result]:
    runs = 5
    cases = _cases_insert(unit, people.take(runs))
    _investigations(unit, cases)
    exposed = (clock.now() - dt.timedelta(days=2)).isoformat()
    samples, baselines = [], []
    for run in range(runs):
        rows = [
            {
                "name": f"密接{run}-{i}",
                "id_number": resident_id(LINE_LIST_IDS + run * LINE_LIST_ROWS + i),
                "phone": f"139{run:02d}{i:06d}",
                "last_exposed_at": exposed,
                "how": "同桌就餐",
            }
            for i in range(LINE_LIST_ROWS)
        ]
        start = time.perf_counter()
        response = client.post(
            f"/api/cases/{cases[run]}/investigation/contacts/",
            json.dumps({"rows": rows}),
            content_type="application/json",
        )
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
        assert response.json()["exposed"] == LINE_LIST_ROWS, response.json()
        start = time.perf_counter()
        with transaction.atomic():
            new = _execute(
                "INSERT INTO people_person (created_at, updated_at, name, id_type, id_hash,"
                " id_cipher, id_masked, sex, phone, nationality, address, unit_id)"
                " SELECT now(), now(), '基线' || g, 'resident', md5('bench-line-' || %s || g),"
                " '\\x00'::bytea, '', '', '', 'CHN', '', %s FROM generate_series(1, %s) g"
                " RETURNING id",
                [run, unit.pk, LINE_LIST_ROWS],
            )
            _execute(
                "INSERT INTO tracing_exposure (person_id, kind, last_exposed_at, identified_at,"
                " note, created_at, updated_at)"
                " SELECT p, 'close_contact', %s, now(), '', now(), now()"
                " FROM unnest(%s::bigint[]) p",
                [exposed, [row[0] for row in new]],
            )
        baselines.append((time.perf_counter() - start) * 1000)
    value, baseline = statistics.median(samples), statistics.median(baselines)
    print(f"line list of {LINE_LIST_ROWS}: {value:.0f} ms (bare inserts {baseline:.0f} ms)")
    return [_result(f"line-list-{LINE_LIST_ROWS}", value, baseline, 2000)]


# --- the two-hop expansion -------------------------------------------------------------------

TWO_HOP_BASELINE = """
WITH seeds AS (SELECT person_id AS id FROM tracing_case WHERE outbreak_id = %s),
hop1 AS (SELECT e.person_id AS id FROM tracing_exposure e JOIN seeds ON e.via_id = seeds.id),
hop2 AS (SELECT e.person_id AS id FROM tracing_exposure e JOIN hop1 ON e.via_id = hop1.id)
SELECT count(*) FROM (SELECT id FROM seeds UNION SELECT id FROM hop1 UNION SELECT id FROM hop2) g
"""


def _two_hop(client: Client, unit: Unit, people: _People, scale: float) -> list[Result]:
    """An outbreak whose cases each infected BRANCHING close contacts, each of whom exposed
    BRANCHING secondary contacts, among GRAPH_EXPOSURES exposures of other people (edges from
    person i to person i·104729 + 13 of a block the outbreak's chains never reach)."""
    count = max(20, int(OUTBREAK_CASES * scale))
    per_case = 1 + BRANCHING + BRANCHING**2
    cluster = people.take(count * per_case)
    sources = cluster[:count]
    outbreak = Outbreak.objects.create(unit=unit, declared_at=clock.now())
    _cases_insert(unit, sources, outbreak)
    # Person k of the cluster (k >= count) was exposed through person (k - count) // BRANCHING.
    _execute(
        "INSERT INTO tracing_exposure (person_id, kind, last_exposed_at, identified_at, via_id,"
        " note, created_at, updated_at)"
        " SELECT %s + k, CASE WHEN k < %s THEN 'close_contact' ELSE 'secondary_contact' END,"
        " now() - interval '3 days', now(), %s + (k - %s) / %s, '', now(), now()"
        " FROM generate_series(%s, %s) k",
        [
            cluster[0],
            count * (1 + BRANCHING),
            cluster[0],
            count,
            BRANCHING,
            count,
            len(cluster) - 1,
        ],
    )
    others = people.ids[people.taken :]
    noise = max(100_000, int(GRAPH_EXPOSURES * scale)) - (len(cluster) - count)
    with indexes_rebuilt("tracing_exposure"):
        _execute(
            "INSERT INTO tracing_exposure (person_id, kind, last_exposed_at, identified_at, via_id,"
            " note, created_at, updated_at)"
            " SELECT %s + (g * 104729 + 13) %% %s, 'close_contact', now() - interval '5 days',"
            " now(), %s + g %% %s, '', now(), now() FROM generate_series(0, %s::bigint) g"
            " WHERE (g * 104729 + 13) %% %s <> g %% %s",
            [others[0], len(others), others[0], len(others), noise - 1, len(others), len(others)],
        )

    def graph() -> Any:
        response = client.get("/api/cases/graph/", {"outbreak": outbreak.pk})
        assert response.status_code == 200, response.content[:300]
        return response

    def bare() -> None:
        assert _execute(TWO_HOP_BASELINE, [outbreak.pk])[0][0] == len(cluster)

    baseline = median_ms(bare, repeat=5)
    value = median_ms(graph, repeat=5)
    # Served is measured; reading the JSON is the browser's, checked once here.
    data = graph().json()
    assert len(data["nodes"]) == len(cluster), len(data["nodes"])
    assert not data["truncated"]
    total = _execute("SELECT count(*) FROM tracing_exposure", [])[0][0]
    print(f"two-hop expansion of {count} cases over {total:,} exposures: {value:.0f} ms")
    return [_result(f"two-hop-expansion-{count}-cases", value, baseline, 2000)]


def run(scale: float) -> list[Result]:
    region = Region.objects.get(code="520113")
    unit = unit_create(code="BENCH-TRACING", name="流调基准", kind="township", region=region)
    user = get_user_model().objects.create_user("bench-tracing")
    membership_grant(user=user, unit=unit, role=Role.EPIDEMIOLOGIST)
    with indexes_rebuilt("people_person"):
        people = _People(people_insert(unit.pk, max(40_000, int(PEOPLE * scale)), "流调"))
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.force_login(user)
    _scans(unit, people, scale)
    results = _scan_match(user, client, unit, people)
    results += _lists(client, unit, people, scale)
    results += _line_list(client, unit, people)
    results += _two_hop(client, unit, people, scale)
    return results

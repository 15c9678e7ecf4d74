"""Benchmark of the command view (issue 13): the home page of the county commander over a county of
1,000,000 people (BENCH_SCALE scales it) and 5,000 units, against a bare SQL of the same figures.
Target: under 500 ms, and as much for the map's data (GET /api/command/map/), which the page
fetches once it has rendered. The head and deadline counts per unit are kept a minute
(COMMAND_AGGREGATE_SECONDS), so the median reads them from the cache; the first request, which
reads them afresh, is printed.

Runs after bench.register, bench.plans and bench.monitoring, on their county (its measures,
deadlines and daily reports), and before bench.labs grows the register. It adds the day's events
(setup, not measured): two weeks of fevers and positive tubes, an open screening round with most of
the county sampled, and unread messages. The round is closed again at the end.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client

from bench.monitoring import _county_of_units
from bench.run import Result, median_ms
from fangkong.command.selectors import CURVE_DAYS, PENDING, REPORT_KINDS
from fangkong.core import clock
from fangkong.labs.models import RoundStatus, ScreeningRound
from fangkong.labs.services import round_create
from fangkong.monitoring.models import Checkin, FeverEvent
from fangkong.obligations.models import Notification, NotificationTopic
from fangkong.org.models import Unit
from fangkong.org.services import unit_create

FEVERS_A_DAY = 40
POSITIVE_TUBES_A_DAY = 15
SAMPLED = 0.6  # of the county, in ten-person tubes
POOL = 10
UNREAD = 60


def _fevers(today: dt.date, people: list[tuple[int, int]], rng: random.Random) -> None:
    """FEVERS_A_DAY confirmed fevers on each of the curve's days, today's still open."""
    checkins, events = [], []
    for back in range(CURVE_DAYS):
        start = clock.local_midnight(today - dt.timedelta(days=back)) + dt.timedelta(hours=8)
        for person_id, unit_id in rng.sample(people, FEVERS_A_DAY):
            at = start + dt.timedelta(minutes=rng.randint(0, 600))
            checkins.append(
                Checkin(person_id=person_id, unit_id=unit_id, at=at, celsius=Decimal("38.1"),
                        status="fever", via="staff")
            )  # fmt: skip
    Checkin.objects.bulk_create(checkins, batch_size=2000)
    for checkin in checkins:
        still_open = checkin.at >= clock.local_midnight(today)
        events.append(
            FeverEvent(
                person_id=checkin.person_id, unit_id=checkin.unit_id, checkin=checkin,
                confirmed_at=checkin.at, pack_id="P01-rural-winter",
                disposition="open" if still_open else "sent_home",
            )
        )  # fmt: skip
    FeverEvent.objects.bulk_create(events, batch_size=2000)


def _screening(
    user: User, today: dt.date, people: list[tuple[int, int]], rng: random.Random
) -> ScreeningRound:
    """An open round over the county: SAMPLED of the people in ten-person tubes of their unit,
    POSITIVE_TUBES_A_DAY of them positive on each of the curve's days, COPYed in."""
    hq = Unit.objects.get(code="HQ")
    lab = Unit.objects.filter(code="BENCH-LAB").first() or unit_create(
        code="BENCH-LAB", name="县检测中心", kind="lab", region=hq.region, parent=hq
    )
    first_day = clock.local_midnight(today - dt.timedelta(days=CURVE_DAYS - 1))
    screening = round_create(
        actor=user, unit=hq, name="全员核酸筛查（指挥视图）", starts_at=first_day, pool_size=POOL,
        lab=lab,
    )  # fmt: skip
    sampled = sorted(rng.sample(people, int(len(people) * SAMPLED)), key=lambda p: p[1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM labs_tube")
        (first,) = cursor.fetchone()
    tubes: list[tuple[Any, ...]] = []
    samples: list[tuple[Any, ...]] = []
    for i, (person_id, unit_id) in enumerate(sampled):
        if i % POOL == 0 or unit_id != sampled[i - 1][1]:
            at = first_day + dt.timedelta(minutes=rng.randint(0, CURVE_DAYS * 24 * 60 - 1))
            at = min(at, clock.now())
            tube_id = first + len(tubes) + 1
            barcode = f"C{len(tubes):09d}"
            tubes.append(
                (tube_id, barcode, "pool", POOL, screening.pk, unit_id, lab.pk, "", at, True)
            )
        samples.append((tubes[-1][0], person_id, screening.pk, tubes[-1][8]))
    positive = set(
        rng.sample(range(len(tubes)), min(len(tubes), POSITIVE_TUBES_A_DAY * CURVE_DAYS))
    )
    results = [
        (tube[0], "positive" if t in positive else "negative", None, tube[8], lab.pk, False,
         "bench", tube[8])
        for t, tube in enumerate(tubes)
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        for statement, rows in (
            ("COPY labs_tube (id, barcode, kind, capacity, round_id, unit_id, lab_id, place,"
             " sampled_at, sealed) FROM STDIN", tubes),
            ("COPY labs_sample (tube_id, person_id, round_id, sampled_at) FROM STDIN", samples),
            ("COPY labs_tuberesult (tube_id, outcome, ct, tested_at, lab_id, conflict, source,"
             " recorded_at) FROM STDIN", results),
        ):  # fmt: skip
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        cursor.execute("SELECT setval(pg_get_serial_sequence('labs_tube', 'id'), %s)", [
            first + len(tubes)
        ])  # fmt: skip
    return screening


def _bare(today: dt.date, screening_id: int, user_id: int) -> None:
    """The same figures as bare SQL: one grouped statement per panel, no scope, no ORM, no page."""
    now = clock.now()
    start, end = clock.day_bounds(today)
    curve_start = clock.local_midnight(today - dt.timedelta(days=CURVE_DAYS - 1))
    zone = str(clock.tz())
    statements: list[tuple[str, list[Any]]] = [
        ("SELECT u.path, count(*) FROM people_person p JOIN org_unit u ON u.id = p.unit_id"
         " GROUP BY u.path", []),
        ("SELECT (f.confirmed_at AT TIME ZONE %s)::date, u.path, count(*),"
         " count(*) FILTER (WHERE f.disposition = 'open') FROM monitoring_feverevent f"
         " JOIN org_unit u ON u.id = f.unit_id WHERE f.confirmed_at >= %s OR f.disposition = 'open'"
         " GROUP BY 1, 2", [zone, curve_start]),
        ("SELECT (r.recorded_at AT TIME ZONE %s)::date, u.path, count(*) FROM labs_tuberesult r"
         " JOIN labs_tube t ON t.id = r.tube_id JOIN org_unit u ON u.id = t.unit_id"
         " WHERE NOT r.conflict AND r.outcome = 'positive' AND r.recorded_at >= %s GROUP BY 1, 2",
         [zone, curve_start]),
        ("SELECT DISTINCT o.unit_id, u.path, u.name FROM policy_obligation o"
         " JOIN org_unit u ON u.id = o.unit_id WHERE o.source = 'report' AND o.kind = ANY(%s)"
         " AND o.status = ANY(%s) AND o.due_at >= %s AND o.due_at < %s",
         [REPORT_KINDS, [str(s) for s in PENDING], start, end]),
        ("SELECT u.path, count(*) FILTER (WHERE o.due_at < %s),"
         " count(*) FILTER (WHERE o.due_at >= %s AND o.status = 'open') FROM policy_obligation o"
         " JOIN org_unit u ON u.id = o.unit_id WHERE o.status = ANY(%s) AND o.due_at <= %s"
         " GROUP BY u.path", [now, now, [str(s) for s in PENDING], end]),
        ("SELECT u.path, m.kind, count(DISTINCT m.person_id),"
         " count(*) FILTER (WHERE m.end_date = %s) FROM policy_measure m"
         " JOIN org_unit u ON u.id = m.unit_id WHERE m.status = 'active' AND m.start_date <= %s"
         " AND (m.end_date IS NULL OR m.end_date >= %s) GROUP BY 1, 2", [today, today, today]),
        ("SELECT round_id, count(*) FROM labs_sample WHERE round_id = %s GROUP BY 1",
         [screening_id]),
        ("SELECT topic, count(*) FROM policy_notification WHERE user_id = %s"
         " AND read_at IS NULL GROUP BY 1", [user_id]),
    ]  # fmt: skip
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()


def run(*, scale: float) -> list[Result]:
    today = clock.localdate()
    user = get_user_model().objects.get(username="bench-commander")
    units = _county_of_units(Unit.objects.get(code="HQ"))
    rng = random.Random(13)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, unit_id FROM people_person")
        people = [(pk, unit_id) for pk, unit_id in cursor.fetchall()]
    _fevers(today, people, rng)
    screening = _screening(user, today, people, rng)
    Notification.objects.bulk_create(
        Notification(
            user=user,
            topic=NotificationTopic.POSITIVE if i % 10 == 0 else NotificationTopic.MISSED,
            params={"count": 3, "kind": "test"},
            created_at=clock.now(),
        )
        for i in range(UNREAD)
    )
    with connection.cursor() as cursor:
        # The steady state autovacuum keeps: visibility maps set, so counts read the indexes.
        for table in ("people_person", "policy_obligation", "policy_measure", "labs_sample"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(user)
    cache.clear()
    start = time.perf_counter()
    page_cold = client.get("/")
    cold = (time.perf_counter() - start) * 1000
    assert page_cold.status_code == 200

    def page() -> None:
        response = client.get("/")
        assert response.status_code == 200
        assert f'data-testid="people-count">{len(people):,}<' in response.content.decode()

    def map_data() -> None:
        # The map's figures, fetched by the page once it has rendered (the same selector).
        assert client.get("/api/command/map/").status_code == 200

    baseline = median_ms(lambda: _bare(today, screening.pk, user.pk), repeat=9)
    value = median_ms(page, repeat=9)
    mapped = median_ms(map_data, repeat=9)
    ScreeningRound.objects.filter(pk=screening.pk).update(status=RoundStatus.CLOSED)
    print(
        f"command view: {len(people):,} people, {units:,} units: {value:.0f} ms"
        f" ({cold:.0f} ms when its head and deadline counts are read afresh, once a minute);"
        f" its map's data: {mapped:.0f} ms"
    )
    return [
        Result(
            f"command_view_{len(people)}_people_{units}_units",
            round(value, 1),
            "ms",
            round(baseline, 2),
            round(value / baseline, 1),
            500,
            "max_value",
            value < 500,
        ),
        Result(
            f"command_map_{len(people)}_people_{units}_units",
            round(mapped, 1),
            "ms",
            round(baseline, 2),
            round(mapped / baseline, 1),
            500,
            "max_value",
            mapped < 500,
        ),
    ]

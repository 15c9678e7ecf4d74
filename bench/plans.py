"""Benchmarks of the work plans (issue: work plans): classify a county against thousands of risk
areas and write the measures and obligations; the due/overdue query of that county.

Runs after bench.register, on its register of people. The baseline is the same classification
(the arrival rules of P14) written as one hand-made SQL statement per table, in the same run.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench.run import Result, median_ms
from fangkong.core import clock
from fangkong.obligations.models import Obligation
from fangkong.obligations.selectors import obligations_counts, obligations_list
from fangkong.obligations.services import obligations_tick
from fangkong.org.models import Region, Unit
from fangkong.people.models import Person
from fangkong.policy.classify import people_classify
from fangkong.policy.models import Classification, Measure, RiskArea
from fangkong.policy.services import plan_assign

RISK_AREAS = 5_000
PLAN = "P14-school-spring-festival"
WORKERS = 2  # the machine's cores; `fangkong plan classify --workers N` does the same


def _travel(today: dt.date, seed: int = 11) -> tuple[int, list[str]]:
    """One stay per person ending in the last 10 days, written with COPY (setup, not measured).

    Risk areas cluster as they did: 5,000 townships in 80 cities of other provinces. Stays: 5 % in
    a risk area, 10 % elsewhere in one of those cities, 40 % in any county of China, 44 % in
    Guizhou itself, 1 % abroad.
    """
    rng = random.Random(seed)
    cities = sorted(
        Region.objects.filter(level=2).exclude(code__startswith="52").values_list("code", flat=True)
    )
    rng.shuffle(cities)
    hot = [c[:4] for c in cities[:80]]
    townships = [
        code
        for code in Region.objects.filter(level=4).values_list("code", flat=True)
        if code[:4] in hot
    ]
    rng.shuffle(townships)
    area_codes = townships[:RISK_AREAS]
    counties = list(Region.objects.filter(level=3).values_list("code", flat=True))
    hot_counties = [c for c in counties if c[:4] in hot]
    guizhou = [c for c in counties if c.startswith("52")]
    people = list(Person.objects.order_by("id").values_list("id", flat=True))
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY people_travelrecord (person_id, region_id, country, place, start_date,"
            " end_date, created_at, updated_at) FROM STDIN"
        ) as copy:
            now = clock.now()
            for person_id in people:
                roll = rng.random()
                country = ""
                region: str | None
                if roll < 0.05:
                    region = rng.choice(area_codes)
                elif roll < 0.15:
                    region = rng.choice(hot_counties)
                elif roll < 0.55:
                    region = rng.choice(counties)
                elif roll < 0.99:
                    region = rng.choice(guizhou)
                else:
                    region, country = None, "KOR"
                end = today - dt.timedelta(days=rng.randint(0, 9))
                start = end - dt.timedelta(days=rng.randint(1, 10))
                copy.write_row((person_id, region, country, "", start, end, now, now))
    return len(people), area_codes


def _risk_areas(area_codes: list[str], today: dt.date) -> None:
    RiskArea.objects.bulk_create(
        [
            RiskArea(
                region_id=code,
                level="high" if index % 3 == 0 else "medium",
                start_date=today - dt.timedelta(days=30),
                end_date=today + dt.timedelta(days=30),
                source="bench",
            )
            for index, code in enumerate(area_codes)
        ],
        batch_size=5000,
    )


# The arrival rules of P14 as SQL: every rule that holds applies, and the most demanding one's
# tests serve the others' (abroad or risk area → 14 + 14 days and 12 tests, whose first two serve
# the city's and the other province's; the city of a risk area → 2 tests in 72 h, the first
# serving the other province's; another province → 1 test in 48 h), so the first that holds
# decides the rows.
BASELINE = """
CREATE TEMP TABLE area_prefix AS
  SELECT CASE WHEN region_id LIKE '%%0000' AND length(region_id) = 6 THEN left(region_id, 2)
              WHEN region_id LIKE '%%00' AND length(region_id) = 6 THEN left(region_id, 4)
              ELSE region_id END AS prefix,
         left(region_id, 4) AS city, start_date, coalesce(end_date, '9999-12-31') AS end_date
  FROM policy_riskarea WHERE is_current AND level IN ('high', 'medium');
CREATE INDEX ON area_prefix (prefix);
CREATE INDEX ON area_prefix (city);
ANALYZE area_prefix;
CREATE TEMP TABLE decided AS
WITH arrival AS (
  SELECT t.person_id, max(t.end_date) AS day0 FROM people_travelrecord t
  WHERE t.end_date BETWEEN %(since)s AND %(today)s GROUP BY t.person_id
), stays AS (
  SELECT a.person_id, a.day0, t.region_id, t.country, greatest(t.start_date, a.day0 - 14) AS s,
         least(t.end_date, a.day0) AS e
  FROM arrival a JOIN people_travelrecord t ON t.person_id = a.person_id
  WHERE t.end_date >= a.day0 - 14 AND t.start_date <= a.day0
), flags AS (
  SELECT s.person_id, s.day0,
    bool_or(s.country <> '' AND s.country <> 'CHN') AS abroad,
    bool_or(EXISTS (SELECT 1 FROM area_prefix p
      WHERE p.prefix IN (left(s.region_id, 2), left(s.region_id, 4), left(s.region_id, 6),
                         s.region_id)
        AND p.start_date <= s.e AND p.end_date >= s.s)) AS in_area,
    bool_or(EXISTS (SELECT 1 FROM area_prefix p WHERE p.city = left(s.region_id, 4)
        AND p.start_date <= s.e AND p.end_date >= s.s)) AS in_city,
    bool_or(left(s.region_id, 2) <> '52') AS other_province
  FROM stays s GROUP BY s.person_id, s.day0
)
SELECT f.person_id, p.unit_id, f.day0, gen_random_uuid() AS decision,
  CASE WHEN f.abroad THEN 'abroad-or-risk-area' WHEN f.in_area THEN 'risk-area'
       WHEN f.in_city THEN 'city-of-risk-area-or-local-cases'
       WHEN f.other_province THEN 'other-province' END AS rule
FROM flags f JOIN people_person p ON p.id = f.person_id
WHERE f.abroad OR f.in_area OR f.in_city OR f.other_province;
INSERT INTO policy_classification (person_id, decision, pack_id, rule_id, trigger, explanation,
  actions, decided_at)
  SELECT person_id, decision, 'P14', rule, 'plan', '[]', '[]', now() FROM decided;
INSERT INTO policy_measure (person_id, unit_id, decision, phase, kind, start_date, end_date,
  pack_id, rule_id, trigger, explanation, release, status, created_at)
  SELECT person_id, unit_id, decision, ph.n, ph.kind, day0 + ph.s, day0 + ph.e, 'P14', rule,
         'plan', '[]', '[]', 'active', now()
  FROM decided, (VALUES (0, 'central_quarantine', 0, 14),
                        (1, 'home_health_monitoring', 14, 28)) AS ph(n, kind, s, e)
  WHERE rule IN ('abroad-or-risk-area', 'risk-area');
INSERT INTO policy_obligation (kind, person_id, unit_id, due_at, status, source, decision,
  pack_id, rule_id, clause, detail, created_at, note)
  SELECT 'test', person_id, unit_id,
         ((day0 + d + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'), 'open', 'classification',
         decision, 'P14', rule, '', jsonb_build_object('date', day0 + d), now(), ''
  FROM decided, unnest(ARRAY[1, 2, 3, 4, 5, 7, 10, 13, 14, 16, 21, 28]) AS d
  WHERE rule IN ('abroad-or-risk-area', 'risk-area')
  UNION ALL
  SELECT 'test', person_id, unit_id,
         (day0::timestamp AT TIME ZONE 'Asia/Shanghai') + make_interval(hours => h), 'open',
         'classification', decision, 'P14', rule, '', '{}', now(), ''
  FROM decided, unnest(ARRAY[48, 72]) AS h WHERE rule = 'city-of-risk-area-or-local-cases'
  UNION ALL
  SELECT 'test', person_id, unit_id, (day0::timestamp AT TIME ZONE 'Asia/Shanghai') + '48 hours',
         'open', 'classification', decision, 'P14', rule, '', '{}', now(), ''
  FROM decided WHERE rule = 'other-province';
DROP TABLE decided;
DROP TABLE area_prefix;
"""


def _counts() -> tuple[int, int, int]:
    return (Classification.objects.count(), Measure.objects.count(), Obligation.objects.count())


def _empty() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE policy_classification, policy_measure, policy_obligation CASCADE")


def run(*, scale: float) -> list[Result]:
    today = clock.localdate()
    people, area_codes = _travel(today)
    _risk_areas(area_codes, today)
    hq = Unit.objects.get(code="HQ")
    user = get_user_model().objects.get(username="bench-commander")
    plan_assign(
        actor=user, unit=hq, pack_id=PLAN, start_date=today - dt.timedelta(days=60), end_date=None,
        recompute=False,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    results: list[Result] = []

    # 1. Classification of everyone: the hand-written SQL, then Fangkong's classifier.
    start = time.perf_counter()
    with connection.cursor() as cursor:
        since = today - dt.timedelta(days=28)
        cursor.execute(BASELINE, {"since": since, "today": today})
    baseline_s = time.perf_counter() - start
    expected = _counts()
    _empty()
    start = time.perf_counter()
    outcome = people_classify(trigger="plan", actor_id=user.pk, workers=WORKERS)
    elapsed = time.perf_counter() - start
    got = _counts()
    # The same work: as many people classified, measures and obligations as the SQL wrote.
    assert got == expected, (got, expected)
    assert outcome.people == people
    results.append(
        Result(
            f"classify_people_{people}_vs_{RISK_AREAS}_risk_areas",
            round(elapsed, 1),
            "s",
            round(baseline_s, 1),
            round(elapsed / baseline_s, 2),
            60,
            "max_value",
            elapsed < 60,
        )
    )
    print(
        f"classified {outcome.people} people: {got[0]} decisions, {got[1]} measures, "
        f"{got[2]} obligations"
    )
    # Recomputing with nothing changed writes nothing.
    start = time.perf_counter()
    again = people_classify(trigger="plan", workers=WORKERS)
    assert again.changed == 0
    recompute_s = time.perf_counter() - start
    results.append(
        Result(
            f"reclassify_unchanged_{people}",
            round(recompute_s, 1),
            "s",
            round(baseline_s, 1),
            round(recompute_s / baseline_s, 2),
            60,
            "max_value",
            recompute_s < 60,
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # 2. The due/overdue query of the county, against the bare SQL of the same page.
    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM policy_obligation WHERE status = 'open' AND due_at < now()"
                " ORDER BY due_at, id LIMIT 50"
            )
            cursor.fetchall()

    bare_ms = median_ms(bare)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    village = Unit.objects.get(code="T0V0")

    def first_page(state: str, unit: Unit | None = None) -> None:
        rows = list(obligations_list(user, state=state, unit=unit)[:50])  # type: ignore[arg-type]
        assert rows, state

    def api_page() -> None:
        response = client.get("/api/obligations/?state=overdue")
        assert response.status_code == 200
        assert response.json()["results"]

    def counts() -> None:
        obligations_counts(user)

    cases = [
        ("overdue_first_page_county", lambda: first_page("overdue")),
        ("due_today_first_page_county", lambda: first_page("due_today")),
        ("overdue_first_page_village", lambda: first_page("overdue", village)),
        ("overdue_api_page_county", api_page),
        ("overdue_and_due_today_counts_county", counts),
    ]
    for name, call in cases:
        value = median_ms(call, repeat=9)
        results.append(
            Result(
                f"{name}_{people}",
                round(value, 1),
                "ms",
                round(bare_ms, 2),
                round(value / bare_ms, 1),
                200,
                "max_value",
                value < 200,
            )
        )

    # 3. The tick over the county: everything past due marked missed, units told.
    start = time.perf_counter()
    tick = obligations_tick()
    tick_s = time.perf_counter() - start
    print(f"tick: {tick.missed} missed, {tick.notifications} notifications in {tick_s:.1f} s")
    return results

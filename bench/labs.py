"""Benchmarks of testing (issue: nucleic-acid testing at mass scale).

screening-round: 10,000,000 people in 1,000,000 ten-person tubes (BENCH_SCALE scales it) — the
sampling registered through ``samples_record`` and the lab's results through ``results_record``,
end to end in people/s, against a raw COPY of the same rows (tubes, samples, results) into the same
tables in the same run. Target: at least a third of the raw COPY.

sampling-batch-api: sampling apps posting 100 ten-person tubes a request to /api/sampling/ through
gunicorn (wrk from localhost), in people/s. Target: 5,000 people/s.

Runs after bench.register, bench.plans and bench.monitoring, on their county: the register is grown
to the round's size by copying its people (setup, not measured).
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from rest_framework.authtoken.models import Token

from bench.monitoring import Server, _wrk
from bench.run import Result
from fangkong.core import clock
from fangkong.labs.models import ScreeningRound, Tube
from fangkong.labs.results import ResultInput, results_record
from fangkong.labs.sampling import SampleInput, samples_record
from fangkong.labs.services import round_create
from fangkong.org.models import Unit
from fangkong.org.services import unit_create

FULL_SIZE = 10_000_000
POOL = 10
POSITIVE_EVERY = 1_000  # 0.1 % of tubes positive
_COPY_RATE: list[float] = []  # the raw COPY's people/s, the sampling API's baseline too


def _grow_register(people: int) -> None:
    """Copies of the register's people (new ID hashes) until it holds ``people``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), max(id) FROM people_person")
        have, _top = cursor.fetchone()
        copies = -(-people // have) - 1
        if copies > 0:
            cursor.execute(
                "INSERT INTO people_person (created_at, updated_at, name, id_type, id_hash,"
                " id_cipher, id_masked, birth_date, sex, phone, nationality, address,"
                " address_region_id, unit_id)"
                " SELECT now(), now(), p.name, p.id_type,"
                " encode(sha256(convert_to(p.id_hash || ':' || g, 'UTF8')), 'hex'),"
                " p.id_cipher, p.id_masked, p.birth_date, p.sex, p.phone, p.nationality,"
                " p.address, p.address_region_id, p.unit_id"
                " FROM people_person p CROSS JOIN generate_series(1, %s) g"
                " ORDER BY g, p.id LIMIT %s",
                [copies, people - have],
            )
        cursor.execute("ANALYZE people_person")


def _clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE labs_tuberesult, labs_sample, labs_tube CASCADE")


def _samples(ids: list[int], at: dt.datetime) -> Iterator[SampleInput]:
    for i, person_id in enumerate(ids):
        yield SampleInput(barcode=f"S{i // POOL:09d}", person_id=person_id, sampled_at=at)


def _results(tubes: int, at: dt.datetime) -> Iterator[ResultInput]:
    for t in range(tubes):
        positive = t % POSITIVE_EVERY == POSITIVE_EVERY - 1
        yield ResultInput(
            barcode=f"S{t:09d}",
            outcome="positive" if positive else "negative",
            ct="31.5" if positive else None,
            tested_at=at,
        )


def _raw_copy_seconds(
    ids: list[int], screening: ScreeningRound, lab: Unit, at: dt.datetime
) -> float:
    """The floor: the same tubes, samples and results COPYed into the same tables, rows prepared
    beforehand, no checks."""
    tubes = -(-len(ids) // POOL)
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM labs_tube")
        (first,) = cursor.fetchone()
    first += 1
    tube_rows: list[tuple[Any, ...]] = [
        (first + t, f"S{t:09d}", "pool", POOL, screening.pk, screening.unit_id, lab.pk, "", at,
         False)
        for t in range(tubes)
    ]  # fmt: skip
    sample_rows: list[tuple[Any, ...]] = [
        (first + i // POOL, pid, screening.pk, at) for i, pid in enumerate(ids)
    ]
    result_rows: list[tuple[Any, ...]] = [
        (first + t, "positive" if t % POSITIVE_EVERY == POSITIVE_EVERY - 1 else "negative",
         None, at, lab.pk, False, "bench", at)
        for t in range(tubes)
    ]  # fmt: skip
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement, rows in (
            ("COPY labs_tube (id, barcode, kind, capacity, round_id, unit_id, lab_id, place,"
             " sampled_at, sealed) FROM STDIN", tube_rows),
            ("COPY labs_sample (tube_id, person_id, round_id, sampled_at) FROM STDIN",
             sample_rows),
            ("COPY labs_tuberesult (tube_id, outcome, ct, tested_at, lab_id, conflict, source,"
             " recorded_at) FROM STDIN", result_rows),
        ):  # fmt: skip
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
    return time.perf_counter() - start


def _screening_round(scale: float) -> list[Result]:
    people = max(10_000, int(FULL_SIZE * scale))
    _grow_register(people)
    user = get_user_model().objects.get(username="bench-commander")
    hq = Unit.objects.get(code="HQ")
    lab = Unit.objects.filter(code="BENCH-LAB").first() or unit_create(
        code="BENCH-LAB", name="县检测中心", kind="lab", region=hq.region, parent=hq
    )
    now = clock.now()
    screening = round_create(
        actor=user, unit=hq, name="全员核酸筛查", starts_at=now - dt.timedelta(hours=2),
        pool_size=POOL, lab=lab,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM people_person ORDER BY id LIMIT %s", [people])
        ids = [pk for (pk,) in cursor.fetchall()]
    at = now - dt.timedelta(hours=1)
    tubes = -(-people // POOL)

    _clear()
    copy_seconds = _raw_copy_seconds(ids, screening, lab, at)
    _clear()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE labs_tube")
        cursor.execute("VACUUM ANALYZE labs_sample")

    start = time.perf_counter()
    sampled = samples_record(actor=user, round=screening, rows=_samples(ids, at))
    sampling_seconds = time.perf_counter() - start
    assert (sampled.samples, sampled.tubes, sampled.errors) == (people, tubes, []), sampled.errors[
        :5
    ]
    start = time.perf_counter()
    outcome = results_record(actor=user, lab=lab, rows=_results(tubes, now), source="bench")
    results_seconds = time.perf_counter() - start
    assert (outcome.accepted, outcome.errors) == (tubes, []), outcome.errors[:5]
    assert len(outcome.positives) == tubes // POSITIVE_EVERY
    rate = people / (sampling_seconds + results_seconds)
    copy_rate = people / copy_seconds
    print(
        f"screening round: {people:,} people in {tubes:,} tubes —"
        f" sampling {sampling_seconds:.1f} s,"
        f" results {results_seconds:.1f} s ({len(outcome.positives)} positive pools);"
        f" raw COPY {copy_seconds:.1f} s"
    )
    ratio = rate / copy_rate
    _COPY_RATE.append(copy_rate)
    return [
        Result(
            "screening-round",
            round(rate),
            "people/s",
            round(copy_rate),
            round(ratio, 3),
            round(1 / 3, 3),
            "min_ratio",
            ratio >= 1 / 3,
        )  # fmt: skip
    ]


def _sampling_api(ids: list[int], copy_rate: float) -> list[Result]:
    if shutil.which("wrk") is None:
        raise RuntimeError("the sampling benchmark needs wrk: apt-get install wrk")
    user = get_user_model().objects.get(username="bench-commander")
    token = Token.objects.get_or_create(user=user)[0].key
    people = ",".join(map(str, ids))
    tubes, per_tube = 100, POOL
    script = f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token {token}"
local ids = {{{people}}}
local counter = 0
request = function()
  counter = counter + 1
  local parts = {{}}
  for t = 1, {tubes} do
    for k = 1, {per_tube} do
      local id = ids[((counter * {tubes * per_tube} + t * {per_tube} + k) % #ids) + 1]
      parts[#parts + 1] = '{{"tube": "W' .. counter .. '-' .. t .. '", "person": ' .. id .. '}}'
    end
  end
  return wrk.format(nil, nil, nil,
    '{{"kind": "pool", "unit": "HQ", "samples": [' .. table.concat(parts, ",") .. ']}}')
end
"""
    server = Server()
    try:
        rate, p99 = _wrk(f"http://127.0.0.1:{server.port}/api/sampling/", script, 4)
    finally:
        server.stop()
    people_rate = rate * tubes * per_tube
    print(f"sampling API: {rate:.1f} requests/s of {tubes * per_tube} people, p99 {p99:.0f} ms")
    assert Tube.objects.filter(barcode__startswith="W").exists()
    return [
        Result(
            "sampling-batch-api",
            round(people_rate),
            "people/s",
            round(copy_rate),
            round(people_rate / copy_rate, 3),
            5_000,
            "min_value",
            people_rate >= 5_000,
        )  # fmt: skip
    ]


def run(*, scale: float) -> list[Result]:
    results = _screening_round(scale)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM people_person ORDER BY id LIMIT 20000")
        ids = [pk for (pk,) in cursor.fetchall()]
    results += _sampling_api(ids, _COPY_RATE[-1])
    return results

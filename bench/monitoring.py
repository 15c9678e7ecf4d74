"""Benchmarks of daily monitoring (issue: daily monitoring): the check-in API under load through
gunicorn against a bare Django endpoint that inserts one row, the batch endpoint, and the daily
roll-up of a county of 1,000,000 people and 5,000 units.

Runs after bench.register and bench.plans, on their county. Needs wrk (apt-get install wrk).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from bench.run import REPO, Result, median_ms
from fangkong.core import clock
from fangkong.monitoring.models import UnitReport
from fangkong.obligations.models import Obligation, ObligationStatus
from fangkong.org.models import Unit
from fangkong.org.services import unit_create
from fangkong.people.models import Person
from fangkong.policy.models import PlanAssignment
from fangkong.policy.services import plan_assign, reports_open

UNITS = 5_000
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "15"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn serving the app on the bench database, as `fangkong serve` would."""

    def __init__(self) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "FANGKONG_URLCONF": "bench.urls",
            "FANGKONG_DB_CONN_MAX_AGE": "60",
            "PYTHONPATH": str(REPO),
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "fangkong.config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],  # fmt: skip
            env=env,
            cwd=REPO,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _wrk(url: str, script: str, connections: int) -> tuple[float, float]:
    """Requests per second and p99 latency in ms; every response must be a success."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(  # noqa: S603
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{LOAD_SECONDS}s",
            "--latency",
            "-s",
            f.name,
            url,
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(f.name).unlink()
    assert "Non-2xx" not in out, out
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return rate, p99


def _checkin_api(token: str, people: list[int], unit_id: int) -> list[Result]:
    if shutil.which("wrk") is None:
        raise RuntimeError("the check-in benchmark needs wrk: apt-get install wrk")
    ids = "{" + ",".join(map(str, people)) + "}"
    single = f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token {token}"
local ids = {ids}
request = function()
  local id = ids[math.random(1, #ids)]
  return wrk.format(nil, nil, nil, '{{"person": ' .. id .. ', "celsius": 36.5}}')
end
"""
    bare = single.replace('"celsius": 36.5', f'"unit": {unit_id}, "celsius": 36.5')
    batch_body = (
        "[" + ",".join(f'{{"person": {p}, "celsius": 36.{p % 9}}}' for p in people[:500]) + "]"
    )
    batch = f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token {token}"
wrk.body = '{batch_body}'
"""
    server = Server()
    try:
        base = f"http://127.0.0.1:{server.port}"
        _wrk(f"{base}/api/checkins/", single, 4)  # warm the workers
        bare_rate, bare_p99 = _wrk(f"{base}/bench/bare-checkin/", bare, 8)
        rate, p99 = _wrk(f"{base}/api/checkins/", single, 8)
        batch_rate, batch_p99 = _wrk(f"{base}/api/checkins/batch/", batch, 4)
    finally:
        server.stop()
    ratio = rate / bare_rate
    results = [
        Result(
            "checkin-api",
            round(rate),
            "req/s",
            round(bare_rate),
            round(ratio, 3),
            0.5,
            "min_ratio",
            ratio >= 0.5 and p99 < 100,
        ),
        Result(
            "checkin-api-p99",
            round(p99, 1),
            "ms",
            round(bare_p99, 1),
            round(p99 / bare_p99, 2),
            100,
            "max_value",
            p99 < 100,
        ),  # fmt: skip
        Result(
            "checkin-batch-api",
            round(batch_rate * 500),
            "check-ins/s",
            round(bare_rate),
            round(batch_rate * 500 / bare_rate, 1),
            20_000,
            "min_value",
            batch_rate * 500 >= 20_000,
        ),
    ]
    print(f"check-in p99 {p99:.1f} ms (bare {bare_p99:.1f} ms); batch p99 {batch_p99:.1f} ms")
    return results


def _county_of_units(hq: Unit) -> int:
    """Schools under the villages up to UNITS units in all (setup, through the real service)."""
    villages = list(Unit.objects.filter(kind="village").order_by("id"))
    missing = UNITS - Unit.objects.count()
    for i in range(max(missing, 0)):
        village = villages[i % len(villages)]
        unit_create(
            code=f"S{i}", name=f"学校{i}", kind="school", region=village.region, parent=village
        )
    return Unit.objects.count()


def _rollup(user_name: str, today: dt.date) -> list[Result]:
    user = get_user_model().objects.get(username=user_name)
    hq = Unit.objects.get(code="HQ")
    units = _county_of_units(hq)
    PlanAssignment.objects.all().delete()
    plan_assign(
        actor=user, unit=hq, pack_id="P11-school-winter-exams",
        start_date=today - dt.timedelta(days=30), end_date=None, recompute=False,
    )  # fmt: skip
    reports_open(today)
    due = list(Obligation.objects.filter(source="report", kind="daily_report"))
    rng = random.Random(5)
    filed = [o for o in due if rng.random() < 0.8]
    now = clock.now()
    UnitReport.objects.bulk_create(
        [
            UnitReport(
                unit_id=o.unit_id,
                kind="daily_report",
                day=today,
                figures={"expected": 200, "checked_in": rng.randint(150, 200), "fevers": 0},
                zero=rng.random() < 0.3,
                filed_at=now,
                late=rng.random() < 0.1,
            )
            for o in filed
        ],
        batch_size=5000,
    )
    Obligation.objects.filter(pk__in=[o.pk for o in filed]).update(
        status=ObligationStatus.MET, met_at=now
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(user)
    url = f"/monitoring/rollup/?unit={hq.pk}&day={today}"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT left(u.path, 6), count(*) FROM policy_obligation o"
                " JOIN org_unit u ON u.id = o.unit_id WHERE o.source = 'report'"
                " AND o.kind = 'daily_report' GROUP BY 1"
            )
            cursor.fetchall()

    baseline = median_ms(bare, repeat=9)
    value = median_ms(page, repeat=9)
    people = Person.objects.count()
    return [
        Result(
            f"daily_rollup_page_{people}_people_{units}_units",
            round(value, 1),
            "ms",
            round(baseline, 2),
            round(value / baseline, 1),
            500,
            "max_value",
            value < 500,
        )
    ]


def run(*, scale: float) -> list[Result]:
    today = clock.localdate()
    user = get_user_model().objects.get(username="bench-commander")
    token = Token.objects.get_or_create(user=user)[0].key
    people = list(Person.objects.order_by("id").values_list("id", flat=True)[:2000])
    unit_id = Person.objects.values_list("unit_id", flat=True).first()
    assert unit_id is not None
    results = _checkin_api(token, people, unit_id)
    results += _rollup(user.get_username(), today)
    return results

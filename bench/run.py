"""`make bench`: measure Fangkong against baselines in the same run; writes bench/results.json.

BENCH_SCALE scales the data: 1 (the default) is the issue's size, a register of 1,000,000 people;
0.05 is a quick run of about a minute. The run needs PostgreSQL: it uses DATABASE_URL when that
points at PostgreSQL, and otherwise starts the local server with .ci/start-postgres.sh. It works in
its own database, `<name>_bench`, created afresh each run. BENCH_ONLY (a comma-separated list of
the suites: register, plans, monitoring, command, labs, venues, chains, quarantine, healthcodes,
gates, reservations, tracing, drill) runs only those; plans, monitoring, command and labs need
the register's county.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results.json"


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline: float
    ratio: float
    target: float
    # "min_ratio": ratio must reach target; "max_value": value must stay under it; "min_value":
    # value must reach it
    target_kind: str
    met: bool


def _bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = (
            subprocess.run(
                [str(REPO / ".ci" / "start-postgres.sh")],
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
    base, _slash, name = url.rpartition("/")
    return f"{base}/{name.split('?')[0]}_bench"


def _recreate_database(url: str) -> None:
    import psycopg

    base, _slash, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def median_ms(run: Callable[[], object], repeat: int = 15) -> float:
    run()  # warm caches and connections once
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    url = _bench_database_url()
    _recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench import (
        chains,
        command,
        drill,
        gates,
        healthcodes,
        labs,
        monitoring,
        plans,
        quarantine,
        register,
        reservations,
        tracing,
        venues,
    )

    only = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}
    results: list[Result] = []
    if not only or "register" in only:
        with tempfile.TemporaryDirectory() as folder:
            results += register.run(scale=scale, folder=Path(folder))
    suites: list[tuple[str, Callable[..., list[Result]]]] = [
        ("plans", plans.run),
        ("monitoring", monitoring.run),
        ("command", command.run),
        ("labs", labs.run),
        ("venues", venues.run),
        ("chains", chains.run),
        ("quarantine", quarantine.run),
        ("healthcodes", healthcodes.run),
        ("gates", gates.run),
        ("reservations", reservations.run),
        ("tracing", tracing.run),
        ("drill", drill.run),
    ]
    for name, suite in suites:
        if not only or name in only:
            results += suite(scale=scale)
    RESULTS.write_text(
        json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False) + "\n"
    )
    for r in results:
        mark = "met" if r.met else "NOT MET"
        print(
            f"{r.name:<42} {r.value:>12.1f} {r.unit:<7} baseline {r.baseline:>10.1f} "
            f"ratio {r.ratio:>7.3f}  target {r.target_kind} {r.target:g}: {mark}"
        )
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

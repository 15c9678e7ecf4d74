"""Benchmark of the drill simulator (issue 17, item 6): a drill of 100,000 people and 200 index
cases over 28 simulated days at BENCH_SCALE=1, driven through the services on the controlled
clock. Target: it runs in minutes (at most 10), and the overdue list it ends with equals the
brute-force recomputation from the raw facts (fangkong/demo/tests/test_drill.py) — `met` needs
both. The baseline, in the same run, is the time of that recomputation.
"""

from __future__ import annotations

import time

from bench.run import Result
from fangkong.demo.drill import DrillSize, drill_run
from fangkong.demo.tests.test_drill import overdue_recomputed, overdue_shown

FULL_PEOPLE = 100_000
FULL_CASES = 200
DAYS = 28
TARGET_SECONDS = 600


def run(*, scale: float) -> list[Result]:
    size = DrillSize(
        people=max(300, int(FULL_PEOPLE * scale)),
        cases=max(3, int(FULL_CASES * scale)),
        days=DAYS,
        seed=2022,
    )
    start = time.perf_counter()
    drill = drill_run(size)
    value = time.perf_counter() - start
    shown = overdue_shown(drill)
    start = time.perf_counter()
    recomputed = overdue_recomputed(drill)
    baseline = time.perf_counter() - start
    equal = shown == recomputed
    print(
        f"drill: {size.people:,} people, {drill.cases} cases, {drill.contacts:,} contacts, "
        f"{drill.checkins:,} check-ins over {size.days} days: {value:.0f} s; overdue "
        f"{sum(shown.values()):,} rows, recomputed in {baseline:.1f} s: "
        f"{'equal' if equal else 'DIFFERENT'}"
    )
    if not equal:  # the rows only one side has (kind, unit, person, due), a few of each
        print("  shown only:", sorted((shown - recomputed).items())[:10])
        print("  recomputed only:", sorted((recomputed - shown).items())[:10])
    return [
        Result(
            f"drill_{size.people}_people_{size.days}_days",
            round(value, 1),
            "s",
            round(baseline, 2),
            round(value / baseline, 1) if baseline else 0.0,
            TARGET_SECONDS,
            "max_value",
            value <= TARGET_SECONDS and equal,
        )
    ]

"""Loading the region reference data (data/README.md). Used by the data migration, by tests that
run against a live server, whose database is flushed between tests, and for the full names that
texts naming many regions read without a query."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
# Placeholder names the statistics use for a level that has no name of its own.
_UNNAMED = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def _full_names(rows: list[dict[str, str]]) -> dict[str, str]:
    """Each code's name with its parents' (上海市 浦东新区), leaving out placeholder levels."""
    names = {r["code"]: r["name"] for r in rows}
    parents = {r["code"]: r["parent"] for r in rows}

    def full_name(code: str) -> str:
        parts = []
        while code:
            if names[code] not in _UNNAMED:
                parts.append(names[code])
            code = parents[code]
        return " ".join(reversed(parts))

    return {code: full_name(code) for code in names}


def _rows() -> list[dict[str, str]]:
    with gzip.open(DATA / "regions.csv.gz", "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def region_full_names() -> dict[str, str]:
    """The full name of each current code (Region.full_name), read once from the shipped data:
    for texts that name many regions without a query (an engine reason)."""
    return _full_names(_rows())


def regions_load(region_model: Any, alias_model: Any) -> int:
    """Insert every region and alias; takes the model classes so a migration can pass its own."""
    rows = _rows()
    full_names = _full_names(rows)
    # Parents first, so every foreign key points at a row already there.
    for level in ("1", "2", "3", "4"):
        region_model.objects.bulk_create(
            [
                region_model(
                    code=r["code"],
                    name=r["name"],
                    level=int(level),
                    parent_id=r["parent"] or None,
                    full_name=full_names[r["code"]],
                )
                for r in rows
                if r["level"] == level
            ],
            batch_size=2000,
        )
    with (DATA / "region_aliases.csv").open(encoding="utf-8") as f:
        alias_model.objects.bulk_create(
            [
                alias_model(
                    old_code=r["old_code"],
                    old_name=r["old_name"],
                    region_id=r["new_code"],
                    changed_on=dt.date.fromisoformat(r["changed_on"]),
                    note=r["note"],
                )
                for r in csv.DictReader(f)
            ]
        )
    return len(rows)

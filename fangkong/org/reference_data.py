"""Loading the region reference data (data/README.md). Used by the data migration, and by tests
that run against a live server, whose database is flushed between tests."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
# Placeholder names the statistics use for a level that has no name of its own.
_UNNAMED = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def regions_load(region_model: Any, alias_model: Any) -> int:
    """Insert every region and alias; takes the model classes so a migration can pass its own."""
    with gzip.open(DATA / "regions.csv.gz", "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = {r["code"]: r["name"] for r in rows}
    parents = {r["code"]: r["parent"] for r in rows}

    def full_name(code: str) -> str:
        parts = []
        while code:
            if names[code] not in _UNNAMED:
                parts.append(names[code])
            code = parents[code]
        return " ".join(reversed(parts))

    # Parents first, so every foreign key points at a row already there.
    for level in ("1", "2", "3", "4"):
        region_model.objects.bulk_create(
            [
                region_model(
                    code=r["code"],
                    name=r["name"],
                    level=int(level),
                    parent_id=r["parent"] or None,
                    full_name=full_name(r["code"]),
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

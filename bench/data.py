"""Synthetic registers for the benchmarks: valid, distinct resident IDs and plausible rows."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from fangkong.core import clock
from fangkong.people.identity import resident_id_check_char

HEADER = ["姓名", "证件号码", "手机号码", "所属单位编码", "户编号", "现住址区划代码", "人员类别"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红鹏飞斌宇浩凯俊鑫欣怡涵萱琪轩然"
REGIONS = ("520113", "520102", "520103", "110105", "440106", "310115", "510107", "420106")
CATEGORIES = (
    "常住居民",
    "常住居民",
    "常住居民、学生",
    "常住居民、60岁以上老人",
    "返乡人员",
    "职工",
)


def resident_id(index: int) -> str:
    """The index-th of a sequence of distinct valid IDs (region x birth date x sequence number)."""
    sequence = index % 1000
    day = index // 1000
    region = REGIONS[day % len(REGIONS)]
    year = 1940 + (day // len(REGIONS)) % 80
    month = 1 + (day // (len(REGIONS) * 80)) % 12
    dom = 1 + (day // (len(REGIONS) * 80 * 12)) % 28
    body = f"{region}{year}{month:02d}{dom:02d}{sequence:03d}"
    return body + resident_id_check_char(body)


def write_register(
    path: Path, rows: int, unit_codes: list[str], *, first: int = 0, seed: int = 7
) -> Path:
    """A valid register of ``rows`` people; ``first`` shifts the ID numbers to other people."""
    rng = random.Random(seed)
    # The register refuses 60岁以上老人 for someone younger: a year's margin keeps every row valid.
    elderly_born_by = clock.localdate().year - 61
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(first, first + rows):
            unit = unit_codes[i // 3 % len(unit_codes)]
            id_number = resident_id(i)
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            phone = f"1{rng.choice('3456789')}{i:09d}"
            category = rng.choice(CATEGORIES)
            if int(id_number[6:10]) > elderly_born_by and "60岁以上老人" in category:
                category = "常住居民"
            writer.writerow(
                [name, id_number, phone, unit, f"H{i // 3}", REGIONS[i % len(REGIONS)], category]
            )
    return path


def people_insert(unit_id: int, count: int, tag: str) -> list[int]:
    """``count`` people of the unit, in one INSERT … SELECT (no ID numbers: hashes of ``tag``);
    their ids, in order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO people_person (created_at, updated_at, name, id_type, id_hash, id_cipher,"
            " id_masked, sex, phone, nationality, address, unit_id)"
            " SELECT now(), now(), %s || g, 'resident', md5(%s || g),"
            " '\\x00'::bytea, '', '', '', 'CHN', '', %s FROM generate_series(1, %s) g"
            " RETURNING id",
            [tag, f"bench-{tag}-", unit_id, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


@contextmanager
def indexes_rebuilt(*tables: str) -> Iterator[None]:
    """Setup of tens of millions of rows: the tables' secondary indexes and unique constraints
    are dropped and the foreign-key triggers skipped while rows are written, then each index is
    built in one sort. Kept up row by row, three indexes of 30,000,000 scans took over 47
    minutes. The rows written must be consistent by construction: nothing checks them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)"
            " FROM pg_constraint c WHERE c.contype = 'u' AND c.conrelid::regclass::text = ANY(%s)",
            [list(tables)],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in constraints:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("RESET maintenance_work_mem")
            for table in tables:
                cursor.execute(f'ANALYZE "{table}"')

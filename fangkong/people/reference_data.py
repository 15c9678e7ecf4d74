"""The register categories the plans name (B-01 … B-20); packs refer to them by code.

Loaded by a data migration, and by tests that run against a live server (flushed between tests).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

CATEGORIES = [
    ("resident", "常住居民", "Resident"),
    ("floating", "流动人口", "Floating population"),
    ("key_person", "重点人员", "Key person"),
    ("student", "学生", "Student"),
    ("staff", "教职工", "School staff"),
    ("employee", "职工", "Employee"),
    ("returnee", "返乡人员", "Returnee"),
    ("inbound_traveller", "入境人员", "Inbound traveller"),
    ("high_risk_post", "高风险岗位人员", "High-risk post worker"),
    ("imported_goods_worker", "进口物品从业人员", "Imported goods worker"),
    ("freight_driver", "入境货运驾驶员", "Inbound freight driver"),
    ("medical_staff", "医务人员", "Medical staff"),
    ("aged_60_plus", "60岁以上老人", "Aged 60 and over"),
    ("child", "幼儿", "Young child"),
    ("public_servant", "公职人员", "Public servant"),
    # Named by the approval chains and gathering rules of P02, P11 and P14.
    ("teacher", "教师", "Teacher"),
    ("principal", "校长", "Principal"),
    ("middle_manager", "中层及以上干部", "Middle manager"),
    ("bureau_staff", "局机关工作人员", "Bureau staff"),
    ("bureau_head", "局机关负责人", "Bureau head"),
    ("boarder", "住宿生", "Boarding student"),
    ("migrant_worker", "务工人员", "Migrant worker"),
    # Named by P01's weekly test-all groups (F-01).
    ("inpatient", "新住院患者", "New inpatient"),
    ("carer", "陪护人员", "Carer"),
    ("under_investigation", "排查协查人员", "Under screening or investigation"),
]


# The wider category that includes a category, in every pack: 教职员工 (staff) includes teachers,
# principals and the school's middle managers; 学生 includes boarders. A rule naming the wider
# category applies to people of the narrower ones.
BROADER = {
    "teacher": "staff",
    "principal": "staff",
    "middle_manager": "staff",
    "boarder": "student",
}


@lru_cache(maxsize=4096)
def categories_held(codes: tuple[str, ...]) -> frozenset[str]:
    """A person's categories with every wider category that includes them."""
    held = set(codes)
    for code in codes:
        while code in BROADER:
            code = BROADER[code]
            held.add(code)
    return frozenset(held)


def categories_covered(codes: Iterable[str]) -> list[str]:
    """A rule's categories with every narrower category they include (to query the register)."""
    wanted = set(codes)
    return sorted(code for code, _zh, _en in CATEGORIES if categories_held((code,)) & wanted)


def categories_load(category_model: Any) -> None:
    category_model.objects.bulk_create(
        [category_model(code=code, name_zh=zh, name_en=en) for code, zh, en in CATEGORIES],
        ignore_conflicts=True,
    )

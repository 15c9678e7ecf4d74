"""A long line list (H-03: 200 contacts in one table) is recorded in sets — people matched in a few
queries, the new ones registered together, the exposures written together and the contact rules
started once — with the records the row-by-row path wrote: every group of rows below yields the
same people, audit rows, exposures, measures and deadlines as the first."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth.models import User

from conftest import County, Personas, login, make_resident_id
from fangkong.audit.models import AuditEvent
from fangkong.obligations.models import Obligation
from fangkong.people.models import Person
from fangkong.people.services import PersonInput, person_create
from fangkong.policy.models import Classification, Measure
from fangkong.policy.tests.test_measures import p14
from fangkong.tracing.models import Exposure, Investigation
from fangkong.tracing.services import case_report, investigation_open

# Fixtures shared with the plan tests.
__all__ = ["p14"]

# Rows per group below: 20 groups make the list of 200 contacts.
GROUP_ROWS = 10
AT = "2022-01-31T19:00"


def contact_id(group: int, role: int) -> str:
    return make_resident_id(birth=f"19{70 + role}0101", sequence=f"{group:03d}")


def registered(personas: Personas, county: County, groups: int) -> None:
    """Per group: one person the list names by ID number, one by name and phone."""
    for group in range(groups):
        for name, role, phone, unit in (
            (f"登记{group}", 1, "", county.grid_a),
            (f"电话{group}", 2, f"137{group:08d}", county.grid_a),
        ):
            person_create(
                actor=personas.commander,
                data=PersonInput(
                    name=name,
                    id_type="resident",
                    id_number=contact_id(group, role),
                    unit=unit,
                    phone=phone,
                ),
            )


def line_list(groups: int) -> list[dict[str, str]]:
    """GROUP_ROWS rows a group: matched by ID and by name and phone, new people, a secondary
    contact through a close contact of the list, a duplicate of each kind, a repeated row and a
    bad row."""
    rows = []
    for g in range(groups):
        rows += [
            {"name": f"登记{g}", "id_number": contact_id(g, 1), "last_exposed_at": AT},
            {"name": f"电话{g}", "phone": f"137{g:08d}", "last_exposed_at": AT, "how": "同桌"},
            {"name": f"新密{g}", "id_number": contact_id(g, 4), "last_exposed_at": AT},
            {
                "name": f"新村{g}",
                "id_number": contact_id(g, 5),
                "phone": f"136{g:08d}",
                "unit": "VA",
                "last_exposed_at": AT,
            },
            {
                "name": f"次密{g}",
                "id_number": contact_id(g, 6),
                "kind": "次密接",
                "last_exposed_at": "2022-01-31T21:00",
                "through": contact_id(g, 4),
            },
            # the name and phone of a registered person under another ID: registered, proposed
            {
                "name": f"电话{g}",
                "id_number": contact_id(g, 7),
                "phone": f"137{g:08d}",
                "last_exposed_at": AT,
            },
            # a registered ID under another name: recorded, proposed
            {"name": f"别名{g}", "id_number": contact_id(g, 1), "last_exposed_at": "2022-01-30"},
            # the third row again: changes nothing
            {"name": f"新密{g}", "id_number": contact_id(g, 4), "last_exposed_at": AT},
            {
                "name": f"无经由{g}",
                "id_number": contact_id(g, 9),
                "kind": "次密接",
                "last_exposed_at": AT,
                "through": "没有这人",
            },
            # a person the list registered, found again by name and phone
            {"name": f"新村{g}", "phone": f"136{g:08d}", "last_exposed_at": "2022-01-29"},
        ]
    return rows


@pytest.fixture
def investigation(personas: Personas, person_a: Person) -> Investigation:
    case = case_report(actor=personas.worker_a, person=person_a, kind="confirmed")
    return investigation_open(actor=personas.worker_a, case=case)


def line_list_post(worker: User, investigation: Investigation, rows: list[dict[str, str]]):
    return login(worker).post(
        f"/api/cases/{investigation.case_id}/investigation/contacts/",
        {"rows": rows},
        content_type="application/json",
    )


def _group(name: str) -> tuple[int, str]:
    """A name of the list as (its group, the name without the group)."""
    stem = name.rstrip("0123456789")
    return int(name[len(stem) :]), stem


Records = dict[str, list[tuple[Any, ...]]]


def records_by_group(before: int) -> dict[int, Records]:
    """What the list wrote for each group, with the group number taken out of the names: the
    people registered, the audit rows, the exposures, the measures and deadlines of contacts."""
    groups: dict[int, Records] = {}

    def add(name: str, kind: str, record: tuple[object, ...]) -> None:
        group, stem = _group(name)
        entry = groups.setdefault(group, {})
        entry.setdefault(kind, []).append((stem, *record))

    people = Person.objects.filter(pk__gt=before).select_related("unit", "created_by")
    for person in people:
        add(person.name, "people", (person.unit.code, person.id_masked[:6], bool(person.phone)))
    registered_now = [str(person.pk) for person in people]
    for event in AuditEvent.objects.filter(object_type="person", object_id__in=registered_now):
        add(event.summary, "audit", (event.action, str(event.actor)))
    exposures = Exposure.objects.filter(investigation__isnull=False).select_related("person", "via")
    for exposure in exposures:
        via = exposure.via.name if exposure.via is not None else ""
        via = via if via == "张三" else _group(via)[1]
        add(
            exposure.person.name,
            "exposures",
            (exposure.kind, via, exposure.note, exposure.last_exposed_at.isoformat()),
        )
    named = {str(exposure.pk): exposure.person.name for exposure in exposures}
    for event in AuditEvent.objects.filter(object_type="exposure", object_id__in=list(named)):
        add(named[event.object_id], "audit", (event.action, str(event.actor), event.summary))
    for measure in Measure.objects.exclude(person__name="张三").select_related("person"):
        add(measure.person.name, "measures", (measure.kind, measure.start_date, measure.end_date))
    owed = Counter(
        Obligation.objects.filter(person__isnull=False)
        .exclude(person__name="张三")
        .values_list("person__name", "kind")
    )
    for (name, kind), count in owed.items():
        add(name, "obligations", (kind, count))
    classified = Classification.objects.exclude(person__name="张三").select_related("person")
    for classification in classified:
        add(classification.person.name, "classified", (classification.rule_id,))
    return {group: {k: sorted(v) for k, v in entry.items()} for group, entry in groups.items()}


# What the rows one by one wrote for each group (the names without the group number).
CLOSE_MEASURES = [
    ("central_quarantine", dt.date(2022, 1, 31), dt.date(2022, 2, 14)),
    ("home_health_monitoring", dt.date(2022, 2, 14), dt.date(2022, 2, 28)),
]
CLOSE = "密切接触者，末次接触 2022-01-31 19:00"
WRITTEN = {
    "people": [
        ("新密", "VA-G1", "520113", False),
        ("新村", "VA", "520113", True),
        ("次密", "VA-G1", "520113", False),
        ("电话", "VA-G1", "520113", True),
    ],
    "audit": [
        ("新密", "create", "worker-a"),
        ("新密", "create", "worker-a", CLOSE),
        ("新村", "create", "worker-a"),
        ("新村", "create", "worker-a", "密切接触者，末次接触 2022-01-29 00:00"),
        ("新村", "create", "worker-a", CLOSE),
        ("次密", "create", "worker-a"),
        ("次密", "create", "worker-a", "次密接，末次接触 2022-01-31 21:00"),
        ("电话", "create", "worker-a"),
        ("电话", "create", "worker-a", CLOSE),
        ("电话", "create", "worker-a", CLOSE),
        ("登记", "create", "worker-a", "密切接触者，末次接触 2022-01-30 00:00"),
        ("登记", "create", "worker-a", CLOSE),
    ],
    "exposures": [
        ("新密", "close_contact", "张三", "", "2022-01-31T11:00:00+00:00"),
        ("新村", "close_contact", "张三", "", "2022-01-28T16:00:00+00:00"),
        ("新村", "close_contact", "张三", "", "2022-01-31T11:00:00+00:00"),
        ("次密", "secondary_contact", "新密", "", "2022-01-31T13:00:00+00:00"),
        ("电话", "close_contact", "张三", "", "2022-01-31T11:00:00+00:00"),
        ("电话", "close_contact", "张三", "同桌", "2022-01-31T11:00:00+00:00"),
        ("登记", "close_contact", "张三", "", "2022-01-29T16:00:00+00:00"),
        ("登记", "close_contact", "张三", "", "2022-01-31T11:00:00+00:00"),
    ],
    "classified": [
        ("新密", "close-contact"),
        ("新村", "close-contact"),
        ("次密", "secondary-contact"),
        ("电话", "close-contact"),
        ("电话", "close-contact"),
        ("登记", "close-contact"),
    ],
    "measures": sorted(
        [
            (stem, *measure)
            for stem in ("新密", "新村", "电话", "电话", "登记")
            for measure in CLOSE_MEASURES
        ]
        + [("次密", "central_quarantine", dt.date(2022, 1, 31), dt.date(2022, 2, 7))]
    ),
    "obligations": [
        ("新密", "test", 12),
        ("新村", "test", 12),
        ("次密", "test", 3),
        ("电话", "test", 24),
        ("登记", "test", 12),
    ],
}


def test_h03_a_line_list_of_200_contacts_writes_what_the_rows_one_by_one_wrote(
    personas, county, p14, investigation
):
    # given 40 registered people the list names, 20 by ID number and 20 by name and phone
    groups = 20
    registered(personas, county, groups)
    before = Person.objects.order_by("-pk").values_list("pk", flat=True)[0]
    # when the investigator posts a line list of 200 rows
    rows = line_list(groups)
    assert len(rows) == 200
    response = line_list_post(personas.worker_a, investigation, rows)

    # then every good row is recorded, the bad rows refused, the duplicates proposed
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["registered"], body["exposed"], body["unchanged"]) == (80, 160, 20)
    assert {(p["row"], p["field"]) for p in body["problems"]} == {
        (GROUP_ROWS * g + 9, "经由密接") for g in range(groups)
    }
    assert [(d["row"], d["field"], d["other"] is None) for d in body["duplicates"]] == [
        (GROUP_ROWS * g + row, field, one_file)
        for g in range(groups)
        for row, field, one_file in ((6, "姓名", False), (7, "证件号码", True))
    ]
    # and each group wrote what the rows one by one wrote: people, audit rows, exposures,
    # classifications, measures and the deadlines of the contact rules
    written = records_by_group(before)
    assert sorted(written) == list(range(groups))
    assert all(written[g] == WRITTEN for g in written)
    assert not Person.objects.filter(name__startswith="无经由").exists()

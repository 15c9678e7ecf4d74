"""Overdue at scale (issue 13, item 6): counts by unit and kind with drill-down and sorting, and
the bulk actions — meet a selection with a note, remind a unit — each whole and audited, through
the deadline page and the API; a neighbour sees and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from conftest import TODAY, County, login
from fangkong.audit.models import AuditEvent
from fangkong.obligations.models import Notification, Obligation, ObligationSource
from fangkong.obligations.services import SELECTION_MAX, obligations_open
from fangkong.obligations.specs import Due, Owner
from fangkong.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(county: County, person_a: Person, person_b: Person) -> County:
    """Village A's grid owes three check-ins and a transfer, village B's grid two check-ins, all
    past due; and one check-in of A's grid is due tonight."""
    late = TODAY - dt.timedelta(hours=3)

    def due(unit, person, kind, at=late):
        return Due(Owner(unit.pk, ObligationSource.MONITORING, person.pk), kind, at)

    obligations_open(
        [
            *(
                due(county.grid_a, person_a, "checkin", late - dt.timedelta(hours=h))
                for h in range(3)
            ),
            due(county.grid_a, person_a, "transfer"),
            *(
                due(county.grid_b, person_b, "checkin", late - dt.timedelta(hours=h))
                for h in range(2)
            ),
            due(county.grid_a, person_a, "checkin", TODAY + dt.timedelta(hours=5)),
        ]
    )
    return county


def _ids(unit, kind="checkin") -> list[int]:
    return list(
        Obligation.objects.filter(unit=unit, kind=kind, due_at__lt=TODAY).values_list(
            "pk", flat=True
        )
    )


def test_i13_groups_count_by_unit_and_kind_most_first_and_drill_down(personas, overdue):
    county = overdue

    groups = login(personas.commander).get("/api/obligations/groups/").json()
    page = login(personas.commander).get("/plans/obligations/?view=groups").content.decode()

    assert [(g["unit_name"], g["kind"], g["count"]) for g in groups] == [
        ("甲村第1网格", "checkin", 3),
        ("乙村第1网格", "checkin", 2),
        ("甲村第1网格", "transfer", 1),
    ]
    drill = f"?state=overdue&amp;unit={county.grid_a.pk}&amp;only=1&amp;kind=checkin"
    assert drill in page
    rows = login(personas.commander).get("/plans/obligations/" + drill.replace("&amp;", "&"))
    assert rows.content.decode().count('name="ids"') == 3
    by_unit = login(personas.commander).get("/api/obligations/groups/", {"order": "unit"}).json()
    assert [g["unit_name"] for g in by_unit][-1] == "乙村第1网格"


def test_i13_a_neighbour_sees_no_group_and_meets_or_reminds_nothing(personas, overdue):
    county = overdue
    neighbour = login(personas.worker_b)

    groups = neighbour.get("/api/obligations/groups/").json()
    page = neighbour.get("/plans/obligations/?view=groups").content.decode()
    bulk = neighbour.post("/plans/obligations/meet/", {"ids": _ids(county.grid_a), "note": "x"})
    api = neighbour.post(
        "/api/obligations/meet/", {"ids": _ids(county.grid_a)}, content_type="application/json"
    )
    remind = neighbour.post("/api/obligations/remind/", {"unit": county.grid_a.pk})

    assert [g["unit_name"] for g in groups] == ["乙村第1网格"]
    assert "甲村" not in page
    assert (bulk.status_code, api.status_code, remind.status_code) == (403, 403, 404)
    assert Obligation.objects.filter(unit=county.grid_a).met().count() == 0
    assert not Notification.objects.exists()


def test_i13_bulk_meet_is_whole_audited_per_unit_and_asks_first(personas, overdue):
    county = overdue
    commander = login(personas.commander)
    chosen = _ids(county.grid_a) + _ids(county.grid_b)
    page = commander.get("/plans/obligations/").content.decode()
    bulk_form = page.split('id="bulk"')[1].split(">")[0]
    assert "data-confirm" in bulk_form

    response = commander.post("/plans/obligations/meet/", {"ids": chosen, "note": "电话核实"})

    assert response.status_code == 302
    met = Obligation.objects.filter(pk__in=chosen)
    assert [o.status for o in met] == ["met"] * 5
    assert {o.note for o in met} == {"电话核实"}
    audits = AuditEvent.objects.filter(object_type="obligation").order_by("unit_id")
    assert [a.unit_id for a in audits] == sorted([county.grid_a.pk, county.grid_b.pk])


def test_i13_a_selection_holding_one_closed_deadline_changes_nothing(personas, overdue):
    county = overdue
    chosen = _ids(county.grid_a)
    commander = login(personas.commander)
    commander.post("/api/obligations/meet/", {"ids": chosen[:1]}, content_type="application/json")
    audits = AuditEvent.objects.count()

    again = commander.post(
        "/api/obligations/meet/", {"ids": chosen}, content_type="application/json"
    )

    assert again.status_code == 400
    assert Obligation.objects.filter(pk__in=chosen).met().count() == 1
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/plans/obligations/", {"kind": "nonsense"}),
        ("/plans/obligations/", {"order": "password"}),
        ("/plans/obligations/", {"unit": "99999999999999999999"}),
        ("/plans/obligations/", {"page": "-1"}),
        ("/api/obligations/groups/", {"state": "all"}),
        ("/api/obligations/groups/", {"order": "id; drop"}),
        ("/api/obligations/groups/", {"unit": "abc"}),
    ],
)
def test_i13_tampered_deadline_params_answer_400(personas, overdue, url, params):
    assert login(personas.commander).get(url, params).status_code == 400


def test_i13_a_selection_past_the_cap_answers_400_and_meets_nothing(personas, overdue):
    chosen = _ids(overdue.grid_a) + list(range(10**9, 10**9 + SELECTION_MAX))
    commander = login(personas.commander)

    page = commander.post("/plans/obligations/meet/", {"ids": chosen})
    api = commander.post("/api/obligations/meet/", {"ids": chosen}, content_type="application/json")
    junk = commander.post("/plans/obligations/meet/", {"ids": ["1 OR 1=1"]})

    assert (page.status_code, api.status_code, junk.status_code) == (400, 400, 400)
    assert not Obligation.objects.met().exists()


def test_i13_remind_a_unit_queues_one_message_per_kind_on_commit(
    personas, overdue, settings, django_capture_on_commit_callbacks
):
    settings.FANGKONG_REMINDER_CHANNELS = ["email"]
    personas.worker_a.email = "a@example.org"
    personas.worker_a.save()
    county = overdue

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = login(personas.commander).post(
            "/plans/obligations/remind/", {"unit": county.grid_a.pk}
        )

    assert response.status_code == 302
    assert callbacks
    notes = Notification.objects.filter(user=personas.worker_a, unit=county.grid_a)
    assert sorted(n.params["kind"] for n in notes) == ["checkin", "transfer"]
    assert len(mail.outbox) == 2
    reminded = AuditEvent.objects.get(
        object_type="unit", object_id=str(county.grid_a.pk), action="update"
    )
    assert reminded.actor == personas.commander
    assert "4" in reminded.summary


def test_i13_deadline_rows_become_cards_with_done_at_hand(personas, overdue):
    page = login(personas.worker_a).get("/plans/obligations/").content.decode()

    assert 'class="table table-sm table-hover bg-white align-middle table-cards"' in page
    assert 'data-label="截止时间"' in page
    assert "完成" in page


def test_i13_bulk_meet_is_audited_by_what_was_met_not_by_row_numbers(personas, overdue):
    county = overdue
    chosen = _ids(county.grid_a) + _ids(county.grid_a, "transfer")
    commander = login(personas.commander)

    commander.post("/plans/obligations/meet/", {"ids": chosen, "note": "电话核实"})

    trail = commander.get("/audit/").content.decode()
    assert "完成 4 项：所选时限（健康打卡 3、转运 1）" in trail
    assert ", ".join(map(str, chosen)) not in trail

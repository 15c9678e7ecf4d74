"""Gates and visitors (issue 16, item 3 and the gate part of item 4): a gate keeper registers who
comes through the page and the API, one at a time or a reader's batch of residents and visitors
(B-12); a fever, a symptom of the plan's list or a yellow or red code may not be let in and opens
the pack's actions (E-19, E-20, E-21), for a visitor as for a resident (ADR 20)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import body, login, make_resident_id, make_user, workbook_rows
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.gates.models import Gate, GateEntry, GateKeeper
from fangkong.gates.services import gate_create, gate_keeper_assign
from fangkong.healthcodes.codes import person_reference, status_code_sign
from fangkong.healthcodes.rules import Colour
from fangkong.monitoring.models import Checkin, FeverEvent
from fangkong.org.roles import Role
from fangkong.people.models import Person, Visitor
from fangkong.policy.services import plan_assign
from fangkong.tracing.venues import person_visits, venue_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(county, personas):
    # P08: symptoms 发热、乏力、咳嗽; over 37.3 °C; a symptom alone counts; the sick are sent home.
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P08-enterprise-emergency",
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip


@pytest.fixture
def gate(county, personas, plan):
    return gate_create(
        actor=personas.worker_a, unit=county.village_a, kind="village_checkpoint", name="村口卡点"
    )


@pytest.fixture
def keeper(county, personas, gate):
    user = make_user("keeper", Role.GATE_KEEPER, county.village_a)
    gate_keeper_assign(actor=personas.worker_a, gate=gate, user=user)
    return user


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _visitor(**changes) -> dict:
    return {
        "visitor_name": "王访客",
        "visitor_phone": "13700137000",
        "celsius": "36.5",
        "health_code": "green",
        "outcome": "admitted",
        "disinfected": True,
    } | changes


def test_e21_a_keeper_registers_a_visitor_let_in_on_the_gate_phone_page(gate, keeper):
    # when the keeper types a visitor in at the gate
    page = login(keeper).post(reverse("gate-entry", args=[gate.pk]), _visitor())
    # then the entry is in the gate's register, the name and phone kept in people
    assert page.status_code == 302
    entry = GateEntry.objects.get()
    assert (entry.outcome, str(entry.celsius), entry.health_code, entry.disinfected) == (
        "admitted", "36.5", "green", True,
    )  # fmt: skip
    visitor = Visitor.objects.get()
    assert (visitor.name, visitor.phone) == ("王访客", "13700137000")
    register = login(keeper).get(reverse("gate-register", args=[gate.pk])).content.decode()
    assert "王访客" in register
    assert "放行" in register
    assert AuditEvent.objects.filter(object_type="gate_entry", object_id=str(entry.pk)).exists()


def test_e19_e20_a_person_with_a_symptom_of_the_plan_is_asked_to_leave_and_the_fever_path_opens(
    gate, keeper, person_a
):
    # given the keeper finds the person by name
    client = login(keeper)
    search = client.get(reverse("gate-entry", args=[gate.pk]), {"q": "张"}).content.decode()
    assert f'value="{person_a.pk}"' in search
    # the plan's symptoms by their Chinese names (P08: 发热、乏力、咳嗽)
    assert "乏力" in search
    assert "腹泻" not in search
    # when they have a cough and would be let in
    data = {"person": person_a.pk, "celsius": "36.8", "symptoms": ["cough"], "outcome": "admitted"}
    refused = client.post(reverse("gate-entry", args=[gate.pk]), data)
    # then the plan does not let them in (E-19)
    assert refused.status_code == 400
    assert "不得放行" in refused.content.decode()
    assert not GateEntry.objects.exists()
    # when they are asked to leave
    data |= {"outcome": "refused", "reason": "咳嗽，劝离"}
    assert client.post(reverse("gate-entry", args=[gate.pk]), data).status_code == 302
    # then the gate records the action, and daily monitoring opens the plan's fever path
    entry = GateEntry.objects.get()
    assert (entry.person, entry.actions) == (person_a, ["asked_to_leave"])
    checkin = Checkin.objects.get(person=person_a)
    assert (checkin.place, checkin.status) == ("村口卡点", "symptoms")
    assert FeverEvent.objects.get(person=person_a).disposition == "sent_home"


def test_e21_a_scanned_yellow_code_fills_the_entry_and_may_not_be_let_in(gate, keeper, person_a):
    # given the yellow code the person shows (under home health monitoring, say)
    now = clock.now().replace(microsecond=0)
    token = status_code_sign(
        Colour.YELLOW, now, now + dt.timedelta(hours=24), person_reference(person_a.pk)
    )
    client = _api(keeper)
    entry = {"gate": gate.pk, "person": person_a.pk, "celsius": "36.6", "symptoms": []}
    # when the keeper scans the code and would let them in
    refused = client.post(
        "/api/gate-entries/", entry | {"code": token, "outcome": "admitted"}, format="json"
    )
    # then the code's colour stops them (E-21)
    assert refused.status_code == 400
    assert "黄码" in refused.json()["outcome"][0]
    # when they are refused
    created = client.post(
        "/api/gate-entries/",
        entry | {"code": token, "outcome": "refused", "reason": "黄码"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["health_code"] == "yellow"
    assert created.json()["code_scanned"] is True
    assert created.json()["actions"] == ["code_refused"]
    assert Checkin.objects.get(person=person_a).health_code == "yellow"


@pytest.mark.parametrize(
    ("field", "value", "named", "words"),
    [
        ("celsius", "abc", "celsius", "体温"),
        ("celsius", "50", "celsius", "体温"),
        ("gate", 999999, "gate", "门岗"),
        ("visitor_phone", "123", "visitor_phone", "电话"),
        ("outcome", "refused", "reason", "原因"),  # a refusal without its reason
        ("code", "not-a-code", "code", "健康码"),
    ],
)
def test_e19_bad_input_is_refused_naming_the_field_in_chinese_and_nothing_is_written(
    gate, keeper, field, value, named, words
):
    data = {"gate": gate.pk, "symptoms": []} | _visitor() | {field: value}
    api = _api(keeper).post("/api/gate-entries/", data, format="json")
    assert api.status_code == 400
    assert words in api.json()[named][0]
    if field != "gate":
        page = login(keeper).post(reverse("gate-entry", args=[gate.pk]), _visitor(**{field: value}))
        assert page.status_code == 400
        assert words in page.content.decode()
    assert not GateEntry.objects.exists()
    assert not Visitor.objects.exists()


def test_e21_a_keeper_sees_only_their_gate_and_a_neighbour_sees_nothing(
    county, personas, gate, keeper
):
    # given a second gate of the same village, and an entry at the first
    other = gate_create(
        actor=personas.worker_a, unit=county.village_a, kind="village_checkpoint", name="后山卡点"
    )
    login(keeper).post(reverse("gate-entry", args=[gate.pk]), _visitor())
    # then the keeper reaches their gate alone
    assert login(keeper).get(reverse("gate-register", args=[other.pk])).status_code == 404
    assert "后山卡点" not in login(keeper).get(reverse("gate-list")).content.decode()
    assert [g["id"] for g in _api(keeper).get("/api/gates/").json()] == [gate.pk]
    # and the worker of the neighbouring village sees nothing of either
    neighbour = personas.worker_b
    assert login(neighbour).get(reverse("gate-register", args=[gate.pk])).status_code == 404
    assert login(neighbour).get(reverse("gate-entry", args=[gate.pk])).status_code == 404
    assert "村口卡点" not in login(neighbour).get(reverse("gate-list")).content.decode()
    assert _api(neighbour).get("/api/gates/").json() == []
    assert _api(neighbour).get("/api/gate-entries/", {"gate": gate.pk}).json()["results"] == []
    posted = _api(neighbour).post(
        "/api/gate-entries/", {"gate": gate.pk, "symptoms": []} | _visitor(), format="json"
    )
    assert posted.status_code == 400
    assert GateEntry.objects.count() == 1
    # nor may they assign keepers to it
    assert (
        login(neighbour).post(reverse("gate-keeper", args=[gate.pk]), {"username": "x"}).status_code
        == 404
    )
    assert GateKeeper.objects.count() == 1


def test_p08_the_register_of_a_day_is_listed_and_downloaded(gate, keeper, personas):
    client = login(keeper)
    client.post(reverse("gate-entry", args=[gate.pk]), _visitor())
    client.post(
        reverse("gate-entry", args=[gate.pk]),
        _visitor(
            visitor_name="赵访客",
            celsius="38.4",
            outcome="fever_clinic",
            visitor_id_number=make_resident_id(sequence="021"),
        ),  # fmt: skip
    )
    manager = login(personas.worker_a)
    today = clock.localdate()
    rows = workbook_rows(
        manager.get(reverse("gate-export", args=[gate.pk]), {"day": today.isoformat()})
    )
    assert [(row[1], row[8]) for row in rows] == [("王访客", "放行"), ("赵访客", "送发热门诊")]
    assert "赵访客" in body(manager.get(reverse("gate-export-csv", args=[gate.pk]))).decode()
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    earlier = manager.get(reverse("gate-register", args=[gate.pk]), {"day": yesterday})
    assert "王访客" not in earlier.content.decode()
    assert manager.get(reverse("gate-register", args=[gate.pk]), {"day": "x"}).status_code == 400


def test_gates_a_manager_sets_up_a_gate_and_assigns_a_keeper_with_the_role_only(
    county, personas, plan
):
    client = login(personas.worker_a)
    made = client.post(
        reverse("gate-list"),
        {"unit": county.village_a.pk, "kind": "village_checkpoint", "name": "东口"},
    )
    assert made.status_code == 302
    gate = Gate.objects.get()
    # a user without the gate keeper's role is refused, with the reason
    refused = client.post(reverse("gate-keeper", args=[gate.pk]), {"username": "viewer"})
    assert refused.status_code == 400
    assert "门岗值守" in refused.content.decode()
    make_user("keeper", Role.GATE_KEEPER, county.village_a)
    assert (
        client.post(reverse("gate-keeper", args=[gate.pk]), {"username": "keeper"}).status_code
        == 302
    )
    assert GateKeeper.objects.get().user.username == "keeper"


def test_e21_batch_of_entries_is_written_and_each_refused_row_named(gate, keeper, person_a):
    now = clock.now()
    rows = [
        {"gate": gate.pk, "person": person_a.pk, "at": (now - dt.timedelta(minutes=m)).isoformat(),
         "celsius": 36.5, "outcome": "admitted"}
        for m in range(1, 4)
    ] + [
        {"gate": gate.pk, "person": 424242, "outcome": "admitted"},
        {"gate": gate.pk, "person": person_a.pk, "celsius": "abc", "outcome": "admitted"},
    ]  # fmt: skip
    answer = _api(keeper).post("/api/gate-entries/batch/", {"entries": rows}, format="json")
    assert answer.status_code == 200
    assert answer.json()["entries"] == 3
    assert [(e["index"], e["field"]) for e in answer.json()["errors"]] == [
        (3, "person"), (4, "celsius"),
    ]  # fmt: skip
    assert GateEntry.objects.filter(person=person_a).count() == 3


def test_gate_entries_of_a_person_count_as_visits_to_the_gates_venue(
    county, personas, plan, person_a
):
    venue = venue_create(actor=personas.commander, unit=county.village_a, kind="venue", name="村口")
    gate = gate_create(
        actor=personas.worker_a, unit=county.village_a, kind="village_checkpoint", name="村口卡点",
        venue=venue,
    )  # fmt: skip
    _api(personas.worker_a).post(
        "/api/gate-entries/",
        {"gate": gate.pk, "person": person_a.pk, "celsius": "36.5", "outcome": "admitted",
         "symptoms": []},
        format="json",
    )  # fmt: skip
    now = clock.now()
    visits = person_visits(person_a.pk, now - dt.timedelta(hours=1), now + dt.timedelta(hours=1))
    assert [(v.source, v.venue_id) for v in visits] == [("gate", venue.pk)]


def _batch(user, rows):
    return _api(user).post("/api/gate-entries/batch/", {"entries": rows}, format="json")


def test_b12_e19_a_batch_takes_visitor_rows_each_bad_row_named_and_the_good_ones_kept(
    gate, keeper, person_a
):
    at = (clock.now() - dt.timedelta(minutes=5)).isoformat()
    rows = [
        {"gate": gate.pk, "person": person_a.pk, "at": at, "celsius": "36.5",
         "outcome": "admitted"},
        {"gate": gate.pk, "at": at, "from_epidemic_area": True, "epidemic_contact": True}
        | _visitor(),
        _visitor(gate=gate.pk, visitor_phone="123"),
        _visitor(gate=gate.pk, visitor_name=" "),
        # a fever: the fever path needs the register's person, and no ID number was given
        _visitor(gate=gate.pk, visitor_name="钱访客", celsius="38.6", outcome="fever_clinic"),
        _visitor(gate=gate.pk, celsius="38.6", outcome="fever_clinic", visitor_id_number="123"),
        _visitor(gate=gate.pk, celsius="39.9", outcome="admitted"),
    ]  # fmt: skip
    answer = _batch(keeper, rows)
    assert answer.status_code == 200
    errors = answer.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [
        (2, "visitor_phone"), (3, "visitor_name"), (4, "visitor_id_number"),
        (5, "visitor_id_number"), (6, "outcome"),
    ]  # fmt: skip
    assert "电话" in errors[0]["reason"]
    assert "姓名" in errors[1]["reason"]
    assert "身份证" in errors[2]["reason"]
    assert "身份证" in errors[3]["reason"]
    assert "不得放行" in errors[4]["reason"]
    # the good ones are written: the resident and the visitor with the answers P08 asks
    assert answer.json()["entries"] == 2
    entry = GateEntry.objects.get(visitor__isnull=False)
    assert (entry.from_epidemic_area, entry.epidemic_contact) == (True, True)
    assert entry.actions == ["epidemic_area"]
    visitor = Visitor.objects.get()
    assert (visitor.name, visitor.phone) == ("王访客", "13700137000")
    assert not FeverEvent.objects.exists()
    assert Person.objects.count() == 1
    register = login(keeper).get(reverse("gate-register", args=[gate.pk])).content.decode()
    assert "王访客" in register
    assert "张三" in register


def test_e19_e20_a_visitor_with_a_fever_in_a_batch_opens_the_fever_path_in_the_gates_unit(
    county, gate, keeper, person_a
):
    # given a visitor nobody registered, and one whose ID number the register holds (张三)
    number = make_resident_id(sequence="031")
    rows = [
        _visitor(gate=gate.pk, visitor_name="孙访客", celsius="38.6", outcome="fever_clinic",
                 visitor_id_number=number),
        _visitor(gate=gate.pk, visitor_name="张三", celsius="38.2", outcome="refused",
                 reason="发热，劝离", visitor_id_number=make_resident_id(sequence="011")),
    ]  # fmt: skip
    # when the reader posts them
    answer = _batch(keeper, rows)
    assert answer.json() == {"entries": 2, "errors": []}
    # then the new visitor is registered in the gate's unit, the known one stays as they are
    visitor = Person.objects.get(name="孙访客")
    assert (visitor.unit, visitor.phone) == (county.village_a, "13700137000")
    assert Person.objects.count() == 2
    # the entries are theirs, and the pack's fever path opens for each (P08: sent home)
    assert sorted(GateEntry.objects.values_list("person__name", "actions")) == [
        ("孙访客", ["refer_to_fever_clinic"]), ("张三", ["asked_to_leave"]),
    ]  # fmt: skip
    assert not Visitor.objects.exists()
    events = FeverEvent.objects.order_by("person__name")
    assert [(e.person, e.unit, e.disposition) for e in events] == [
        (visitor, county.village_a, "sent_home"), (person_a, county.grid_a, "sent_home"),
    ]  # fmt: skip
    assert Checkin.objects.get(person=visitor).place == "村口卡点"
    assert AuditEvent.objects.filter(object_type="person", object_id=str(visitor.pk)).exists()
    assert AuditEvent.objects.filter(object_type="fever_event").count() == 2


def test_e19_e20_a_visitor_with_a_fever_on_the_gate_phone_page_opens_the_fever_path(
    gate, keeper, person_a
):
    client = login(keeper)
    fever = _visitor(visitor_name="张三", visitor_phone="13800138000", celsius="38.5",
                     outcome="fever_clinic")  # fmt: skip
    # a stranger with a fever and no ID number is refused, with the reason, and nothing written
    refused = client.post(reverse("gate-entry", args=[gate.pk]), fever | {"visitor_name": "李四"})
    assert refused.status_code == 400
    assert "身份证号" in refused.content.decode()
    assert not GateEntry.objects.exists()
    assert not Person.objects.exclude(pk=person_a.pk).exists()
    # the page asks for the ID number
    assert "身份证号" in client.get(reverse("gate-entry", args=[gate.pk])).content.decode()
    # when the visitor is of the gate's unit, found by name and phone, the path opens for them
    assert client.post(reverse("gate-entry", args=[gate.pk]), fever).status_code == 302
    assert GateEntry.objects.get().person == person_a
    assert FeverEvent.objects.get().person == person_a


def test_e21_a_keeper_of_another_gate_posts_no_batch_to_this_gate_and_reads_nothing(
    county, personas, gate, keeper
):
    other = gate_create(
        actor=personas.worker_a, unit=county.village_a, kind="village_checkpoint", name="后山卡点"
    )
    rows = [_visitor(gate=gate.pk), _visitor(gate=gate.pk, celsius="38.6", outcome="fever_clinic",
            visitor_id_number=make_resident_id(sequence="041"))]  # fmt: skip
    assert _batch(keeper, rows).json()["entries"] == 2
    stranger = make_user("keeper-2", Role.GATE_KEEPER, county.village_a)
    gate_keeper_assign(actor=personas.worker_a, gate=other, user=stranger)
    # the keeper of the other gate may not post to this one
    answer = _batch(stranger, [_visitor(gate=gate.pk)])
    assert answer.json()["entries"] == 0
    assert [(e["field"], "门岗" in e["reason"]) for e in answer.json()["errors"]] == [
        ("gate", True)
    ]
    assert GateEntry.objects.count() == 2
    # nor read its register, through the API or the page
    assert _api(stranger).get("/api/gate-entries/", {"gate": gate.pk}).json()["results"] == []
    assert login(stranger).get(reverse("gate-register", args=[gate.pk])).status_code == 404
    # and a neighbour's worker neither
    assert _batch(personas.worker_b, [_visitor(gate=gate.pk)]).json()["entries"] == 0
    assert GateEntry.objects.count() == 2

"""Symptoms in check-ins (E-20): the form asks about the plan's list, in Chinese; the plan decides
what they do (P09 and P08: alone enough; P12: only with a reading over 37.3 °C), and where the
person goes first follows the plan."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from conftest import login
from fangkong.monitoring.models import Checkin, FeverEvent
from fangkong.monitoring.services import self_link_create
from fangkong.monitoring.tests.test_monitoring import under
from fangkong.obligations.models import Obligation
from fangkong.people.models import PersonUnit


def ticked_symptoms(page: str, person_pk: int) -> list[str]:
    return re.findall(
        rf'name="s{person_pk}" value="\w+" id="[^"]+"><label class="form-check-label" '
        r'for="[^"]+">([^<]+)<',
        page,
    )


def test_e10_e20_p09_the_class_form_ticks_the_plans_symptoms_and_a_cough_isolates(
    county, personas, person_a, person_b
):
    under("P09-school-opening-x", county, personas)
    for person in (person_a, person_b):
        PersonUnit.objects.create(person=person, unit=county.class_1, relation="student")
    teacher = login(personas.teacher)
    url = reverse("class-checkin", args=[county.class_1.pk])
    # P09 asks about 发热、咳嗽 (E-20), by their Chinese names.
    assert ticked_symptoms(teacher.get(url).content.decode(), person_a.pk) == ["发热", "咳嗽"]
    # person_a at 36.6 °C with a cough; person_b well.
    response = teacher.post(
        url, {f"t{person_a.pk}": "36.6", f"s{person_a.pk}": ["cough"], f"t{person_b.pk}": "36.5"}
    )
    assert response.status_code == 302
    assert Checkin.objects.get(person=person_a).status == "symptoms"
    assert Checkin.objects.get(person=person_b).status == "normal"
    event = FeverEvent.objects.get()
    assert (event.person, event.actions, event.disposition) == (person_a, ["isolate"], "open")
    # A-19, N-09: reported at once by the designated reporter.
    assert Obligation.objects.filter(kind="report", person=person_a).count() == 1


def test_d08_e20_p08_fatigue_alone_sends_the_worker_home(county, personas, person_a):
    under("P08-enterprise-emergency", county, personas)
    api = login(personas.worker_a)
    created = api.post(
        "/api/checkins/",
        {"person": person_a.pk, "symptoms": ["fatigue"]},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["status"] == "symptoms"
    event = FeverEvent.objects.get()
    # D-08: stays off work until the symptoms ease; the disposition follows the plan.
    assert (event.actions, event.disposition) == (["send_home"], "sent_home")
    # Diarrhoea is not on P08's list (发热、乏力、咳嗽): nothing follows.
    other = api.post(
        "/api/checkins/",
        {"person": person_a.pk, "symptoms": ["diarrhoea"]},
        content_type="application/json",
    )
    assert other.json()["status"] == "normal"
    assert FeverEvent.objects.count() == 1


def test_d06_e20_p12_a_symptom_off_its_list_does_not_isolate_a_reading_over_37_3(
    county, personas, person_a
):
    under("P12-enterprise-response-team", county, personas)
    api = login(personas.worker_a)
    off_list = api.post(
        "/api/checkins/",
        {"person": person_a.pk, "celsius": 37.6, "symptoms": ["diarrhoea"]},
        content_type="application/json",
    )
    assert off_list.json()["status"] == "fever"
    assert FeverEvent.objects.get().actions == ["monitor"]
    # The person's own check-in form lists P12's four symptoms only, by their Chinese names.
    token = self_link_create(actor=personas.worker_a, person=person_a)
    page = Client().get(reverse("self-checkin", args=[token])).content.decode()
    assert re.findall(r'name="symptoms" value="\w+" id="[^"]+"><label[^>]*>([^<]+)<', page) == [
        "发热",
        "干咳",
        "乏力",
        "呼吸困难",
    ]


def test_i13_a_fever_is_audited_in_chinese_reading_symptoms_and_actions_apart(
    county, personas, person_a
):
    under("P09-school-opening-x", county, personas)
    PersonUnit.objects.create(person=person_a, unit=county.class_1, relation="student")
    teacher = login(personas.teacher)
    # when a teacher records 36.6 °C with a cough
    teacher.post(
        reverse("class-checkin", args=[county.class_1.pk]),
        {f"t{person_a.pk}": "36.6", f"s{person_a.pk}": ["cough"]},
    )
    # then the audit trail reads the reading, the symptom and the action, each in Chinese
    trail = login(personas.commander).get(reverse("audit-list")).content.decode()
    assert "36.6 °C、咳嗽：" in trail
    assert "isolate" not in trail

"""Issue 10, finding 4: sampling by ID number tells nobody whether a number is registered."""

import pytest
from rest_framework.test import APIClient

from conftest import Personas, make_resident_id
from fangkong.labs.models import Sample, Tube
from fangkong.people.models import Person

pytestmark = pytest.mark.django_db


def test_4_sampling_a_number_outside_the_units_answers_as_for_an_unknown_number(
    personas: Personas, person_b: Person
):
    # given 李四 is registered in village B, and another number is registered nowhere
    client = APIClient()
    client.force_authenticate(personas.worker_a)
    body = {
        "unit": "VA",
        "kind": "single",
        "samples": [
            {"tube": "S0001", "id_number": make_resident_id(sequence="022")},  # 李四
            {"tube": "S0002", "id_number": make_resident_id(sequence="999")},  # nobody
        ],
    }
    # when a grid worker of village A samples both numbers
    answer = client.post("/api/sampling/", body, format="json")
    # then both rows are refused with the same field and reason, naming no one
    assert answer.status_code == 200
    errors = answer.json()["errors"]
    assert [e["index"] for e in errors] == [0, 1]
    reasons = [(e["field"], e["reason"]) for e in errors]
    assert reasons == [("id_number", "您的单位中没有该证件号码的人员。")] * 2
    assert not Sample.objects.exists()
    assert not Tube.objects.exists()

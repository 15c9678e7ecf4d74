"""Schemathesis against a live server: no request generated from /api/schema/ may cause a 500."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from conftest import Personas, make_resident_id
from fangkong.people.services import PersonInput, TravelInput, person_create, travel_add


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_no_generated_request_causes_a_server_error(
    live_server, county, personas: Personas, tmp_path
):
    # given: a register to read and write, and a commander's token
    person = person_create(
        actor=personas.commander,
        data=PersonInput(
            name="张三", id_type="resident", id_number=make_resident_id(), unit=county.grid_a
        ),
    )
    travel_add(
        actor=personas.commander,
        person=person,
        data=TravelInput(
            start_date=dt.date(2022, 1, 1), end_date=dt.date(2022, 1, 5), region_code="110105"
        ),
    )
    token = Token.objects.create(user=personas.commander)
    cli = Path(sys.executable).with_name("schemathesis")
    # when
    result = subprocess.run(
        [
            str(cli),
            "run",
            f"{live_server.url}/api/schema/",
            "--url",
            live_server.url,
            "-H",
            f"Authorization: Token {token.key}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            os.environ.get("FUZZ_EXAMPLES", "25"),
            "--generation-deterministic",
            "--request-timeout",
            "30",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
        check=False,
    )
    # then
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]

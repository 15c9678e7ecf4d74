"""Schemathesis against a live server: no request generated from /api/schema/ may cause a 500."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path

import pytest
from django.test.testcases import QuietWSGIRequestHandler
from rest_framework.authtoken.models import Token

from conftest import Personas, make_resident_id
from fangkong.org.models import GroupMember, LeadingGroup
from fangkong.people.services import PersonInput, TravelInput, person_create, travel_add


class LengthRequired(QuietWSGIRequestHandler):
    """Django's test server reads a request body by its Content-Length. A chunked body (which
    schemathesis sends for some empty forms) would stay on the kept-alive connection and be read
    as the next request, whose client then gets no status line. Refuse it as HTTP provides (411,
    connection closed); gunicorn, the production server, reads chunked bodies."""

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.send_error(HTTPStatus.LENGTH_REQUIRED)
            return False
        return True


@pytest.fixture
def api_server(live_server) -> Iterator[str]:
    server = live_server.thread.httpd
    handler = server.RequestHandlerClass
    server.RequestHandlerClass = LengthRequired
    yield live_server.url
    server.RequestHandlerClass = handler


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_no_generated_request_causes_a_server_error(
    api_server: str, county, personas: Personas, tmp_path
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
    group = LeadingGroup.objects.create(
        unit=county.hq, name="疫情防控工作领导小组", kind=LeadingGroup.Kind.LEADING_GROUP
    )
    GroupMember.objects.create(group=group, person=person, position=GroupMember.Position.LEADER)
    token = Token.objects.create(user=personas.commander)
    cli = Path(sys.executable).with_name("schemathesis")
    # when
    result = subprocess.run(
        [
            str(cli),
            "run",
            f"{api_server}/api/schema/",
            "--url",
            api_server,
            "-H",
            f"Authorization: Token {token.key}",
            "--checks",
            "not_a_server_error",
            # 15 cases an operation: the schema has grown to some 150 operations, and the run
            # must stay well inside its time box beside the other suite in CI (FUZZ_EXAMPLES
            # raises it for a deeper run).
            "--max-examples",
            os.environ.get("FUZZ_EXAMPLES", "15"),
            "--generation-deterministic",
            "--request-timeout",
            "30",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=1500,
        cwd=tmp_path,
        check=False,
    )
    # then
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]

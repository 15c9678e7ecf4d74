"""Issue 10, finding 28: the production job path, a Celery worker and beat over a real broker.

A register imported on the page is run by the worker; beat's tick marks the deadlines of a person
on it missed, and the worker sends the reminder to an SMS gateway. The worker and beat are real
processes on the test database, so they need one other processes can open: PostgreSQL. Runs when
FANGKONG_TEST_BROKER names a Redis (``.ci/run`` sets it); skipped otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation

from conftest import County, Personas, login, make_resident_id
from fangkong.config.celery import app
from fangkong.core import clock
from fangkong.obligations.models import Notification, NotificationTopic
from fangkong.org.models import Membership, Region
from fangkong.people.models import ImportJob, Person
from fangkong.policy.services import RiskAreaInput, risk_area_create
from fangkong.policy.tests.test_measures import at, came_back_from, p14

BROKER = os.environ.get("FANGKONG_TEST_BROKER", "")

pytestmark = [
    pytest.mark.celery,
    pytest.mark.skipif(not BROKER, reason="no broker: set FANGKONG_TEST_BROKER=redis://…"),
    pytest.mark.skipif(
        not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="the worker needs a database another process can open (PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]

__all__ = ["p14"]  # the plan fixture shared with the work-plan tests


@pytest.fixture
def sms_gateway() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """An SMS gateway on a free local port, keeping what it is sent."""
    received: list[dict[str, str]] = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the handler's protocol
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", received
    server.shutdown()


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )


def _app_configure(**conf: object) -> None:
    app.conf.update(conf)
    # Eager calls made the connection pool already, for no broker: made anew on first use.
    app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_processes(settings, tmp_path: Path, sms_gateway) -> Iterator[None]:
    """A worker and beat (ticking every second) on the broker and this test's database; this
    process queues its tasks on the broker as production does."""
    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER,
        "FANGKONG_TICK_SECONDS": "1",
        "FANGKONG_REMINDER_CHANNELS": "sms",
        "FANGKONG_SMS_URL": sms_gateway[0],
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    before = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    _app_configure(task_always_eager=False, broker_url=BROKER)
    app.control.purge()  # what an earlier, interrupted run left
    # Other processes read the clock from the database: the tests' frozen time, until moved.
    clock.clock_set(clock.now())
    celery = [sys.executable, "-m", "celery", "-A", "fangkong.config.celery"]
    processes = [
        subprocess.Popen(  # noqa: S603 - our own command line
            [*celery, "worker", "--pool=solo", "--without-mingle",
             "--without-gossip", "-l", "warning"],
            env=env,
        ),
        subprocess.Popen(  # noqa: S603
            [*celery, "beat", "-s", str(tmp_path / "beat-schedule"), "-l", "warning"], env=env
        ),
    ]  # fmt: skip
    yield
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    _app_configure(**before)
    clock.clock_set(None)


def eventually(check: Callable[[], object], seconds: float = 60) -> object:
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "the worker did not do it in time"
        time.sleep(0.5)
    return found


def test_28_a_worker_and_beat_import_a_register_tick_and_send_the_reminder(
    county: County, personas: Personas, p14, sms_gateway, celery_processes, settings
):
    # given the grid worker's duty phone, and Dalian's Zhongshan district a high-risk area
    Membership.objects.filter(user=personas.worker_a).update(phone="13800000001")
    risk_area_create(
        actor=personas.commander,
        data=RiskAreaInput(Region.objects.get(code="210211"), "high", dt.date(2022, 1, 20), None),
        recompute=False,
    )
    # when the grid worker imports a register on the page: the worker runs the import
    client = login(personas.worker_a)
    register = f"姓名,证件号码,手机号码\n李四,{make_resident_id(sequence='501')},13900000001\n"
    upload = client.post(
        "/people/import/",
        {"file": SimpleUploadedFile("台账.csv", register.encode()), "unit": county.grid_a.pk},
    )
    client.post(upload["Location"] + "start/")
    job = ImportJob.objects.get()
    eventually(lambda: ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.DONE).exists())
    # and the person came back from there, and beat's tick runs three days later
    came_back_from(Person.objects.get(name="李四"), personas.worker_a, "210211", "2022-01-25",
                   "2022-02-01")  # fmt: skip
    clock.clock_set(at("2022-02-04T08:00"))
    # then the tests of 02-02 and 02-03 are missed, and the worker texts the grid worker once
    note = eventually(
        lambda: (
            Notification.objects.filter(
                topic=NotificationTopic.MISSED, params__kind="test", sent_at__isnull=False
            )
            .select_related("unit")
            .first()
        )
    )
    assert isinstance(note, Notification)
    assert note.params == {"kind": "test", "count": 2}
    with translation.override(settings.LANGUAGE_CODE):
        sms = {"to": "13800000001", "text": f"【防控】{note.text}"}
    eventually(lambda: sms in sms_gateway[1])
    assert sms_gateway[1].count(sms) == 1

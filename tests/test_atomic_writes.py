"""Issue 10, finding 27: a write commits with its audit row or not at all.

Each test makes the audit write fail and takes the user's path (page, API, or the service where
only commands and the demo call it); the change must not be there afterwards.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from conftest import County, Personas, login
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.labs.models import LabResult, TubeResult
from fangkong.labs.sampling import samples_record
from fangkong.labs.services import box_send, result_record
from fangkong.labs.tests.test_labs import lab, pool, screening, technician, villagers
from fangkong.labs.tests.test_labs_pages import api
from fangkong.monitoring.models import UnitReport
from fangkong.obligations.models import Notification, Obligation, ObligationStatus
from fangkong.org.services import unit_create
from fangkong.policy.models import RiskArea
from fangkong.policy.services import plan_assign, reports_open
from fangkong.policy.tests.test_measures import came_back_from, dalian_high, p14
from fangkong.quarantine.models import Transfer
from fangkong.quarantine.services import (
    Trip,
    people_place,
    rooms_create,
    transfers_arrive,
    transfers_depart,
)
from fangkong.tracing.models import Case, Exposure
from fangkong.tracing.services import CaseInput, cases_report, exposure_record

# Fixtures shared with the testing and work-plan tests.
__all__ = ["dalian_high", "lab", "p14", "screening", "technician"]


def refuse_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit table refuses every write, one row or a set (audit_record_many)."""

    def refuse(*_rows: object, **_fields: object) -> AuditEvent:
        raise DatabaseError("the audit table refuses writes")

    monkeypatch.setattr(AuditEvent.objects, "create", refuse)
    monkeypatch.setattr(AuditEvent.objects, "bulk_create", refuse)


@pytest.fixture
def school_report(county: County, personas: Personas) -> Obligation:
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id="P11-school-winter-exams",
        start_date=dt.date(2022, 1, 1), end_date=None, recompute=False,
    )  # fmt: skip
    reports_open(dt.date(2022, 2, 1))
    return Obligation.objects.get(kind="daily_report", unit=county.school)


def test_27_a_risk_area_import_commits_no_row_when_its_audit_fails(personas, monkeypatch):
    upload = SimpleUploadedFile(
        "areas.csv",
        "地区代码,风险等级,开始日期\n210211,high,2022-01-20\n210212,medium,2022-01-20\n".encode(),
    )
    refuse_audit(monkeypatch)
    with pytest.raises(DatabaseError):
        login(personas.commander).post(reverse("risk-area-import"), {"file": upload})
    assert not RiskArea.objects.exists()


def test_27_an_obligation_stays_open_when_the_audit_of_meeting_it_fails(
    personas, school_report, monkeypatch
):
    refuse_audit(monkeypatch)
    with pytest.raises(DatabaseError):
        login(personas.commander).post(reverse("obligation-meet", args=[school_report.pk]))
    school_report.refresh_from_db()
    assert (school_report.status, school_report.met_at) == (ObligationStatus.OPEN, None)


def test_27_a_report_is_not_filed_when_its_audit_fails(
    county, personas, school_report, monkeypatch
):
    figures = dict.fromkeys(
        ("expected", "checked_in", "missing", "fevers", "absences", "quarantined", "new_contacts"),
        "0",
    )
    refuse_audit(monkeypatch)
    with pytest.raises(DatabaseError):
        login(personas.commander).post(
            reverse("reports"),
            {"unit": county.school.pk, "kind": "daily_report", "day": "2022-02-01", **figures},
        )
    assert not UnitReport.objects.exists()
    school_report.refresh_from_db()
    assert school_report.status == ObligationStatus.OPEN


def test_27_a_box_stays_unreceived_when_its_audit_fails(
    county, personas, screening, lab, technician, monkeypatch
):
    samples_record(
        actor=personas.worker_a, round=screening, unit=county.village_a,
        rows=pool("T7000", villagers(county, personas, 1)),
    )  # fmt: skip
    box = box_send(
        actor=personas.worker_a, unit=county.village_a, lab=lab, code="BOX-7", barcodes=["T7000"]
    )
    deadlines = Obligation.objects.count()
    refuse_audit(monkeypatch)
    with pytest.raises(DatabaseError):
        login(technician).post(reverse("boxes"), {"receive": box.pk})
    box.refresh_from_db()
    assert box.received_at is None
    assert Obligation.objects.count() == deadlines  # no turnaround clock started


def test_27_lab_results_are_not_recorded_when_their_audit_fails(
    county, personas, screening, lab, technician, monkeypatch
):
    samples_record(
        actor=personas.worker_a, round=screening, unit=county.village_a,
        rows=pool("T7100", villagers(county, personas, 2)),
    )  # fmt: skip
    refuse_audit(monkeypatch)
    with pytest.raises(DatabaseError):
        api(technician).post(
            "/api/lab-results/",
            json.dumps({"lab": "LAB", "results": [{"tube": "T7100", "result": "positive"}]}),
            content_type="application/json",
        )
    assert not TubeResult.objects.exists()
    assert not Notification.objects.exists()


def test_27_a_persons_result_is_not_recorded_when_its_audit_fails(personas, person_a, monkeypatch):
    refuse_audit(monkeypatch)
    with pytest.raises(DatabaseError):
        result_record(
            actor=personas.commander,
            person=person_a,
            sampled_at=dt.datetime(2022, 2, 1, 8, tzinfo=dt.UTC),
            positive=True,
        )
    assert not LabResult.objects.exists()


def test_27_an_exposure_is_not_recorded_when_its_audit_fails(personas, person_a, monkeypatch):
    refuse_audit(monkeypatch)
    with pytest.raises(DatabaseError):
        exposure_record(
            actor=personas.commander,
            person=person_a,
            kind="close_contact",
            last_exposed_at=dt.datetime(2022, 1, 30, 12, tzinfo=dt.UTC),
        )
    assert not Exposure.objects.exists()


def test_27_cases_confirmed_at_once_are_not_recorded_when_their_audit_fails(
    personas, person_a, person_b, monkeypatch
):
    refuse_audit(monkeypatch)
    rows = [CaseInput(person_a.pk, "confirmed"), CaseInput(person_b.pk, "confirmed")]
    with pytest.raises(DatabaseError):
        cases_report(actor=personas.commander, rows=rows)
    assert not Case.objects.exists()


def test_27_a_transfer_arrival_is_not_recorded_when_its_audit_fails(
    county, personas, person_a, p14, dalian_high, monkeypatch
):
    site = unit_create(
        actor=personas.commander, code="QS1", name="集中隔离点一", kind="quarantine_site",
        region=county.hq.region, parent=county.hq,
    )  # fmt: skip
    came_back_from(person_a, personas.worker_a, "210211", "2022-01-25", "2022-02-01")
    rooms_create(actor=personas.commander, site=site, floors=(2, 2), rooms=(1, 1), capacity=1)
    people_place(actor=personas.commander, site=site, person_ids=[person_a.pk])
    trip = Trip("贵A12345", "王医生", "13800138001", clock.now())
    transfers_depart(actor=personas.commander, site=site, person_ids=[person_a.pk], trip=trip)
    refuse_audit(monkeypatch)
    with pytest.raises(DatabaseError):
        transfers_arrive(
            actor=personas.commander, site=site, transfer_ids=[Transfer.objects.get().pk]
        )
    assert Transfer.objects.get().arrived_at is None

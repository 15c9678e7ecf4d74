"""Issue 10, finding 6: risk areas apply to the whole installation, so only a plan manager of the
root unit publishes, changes, withdraws or imports them; a township's commander may not."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import County, Personas, login, make_user
from fangkong.org.roles import Role
from fangkong.policy.models import RiskArea

pytestmark = pytest.mark.django_db

AREA = {"region": "210211", "level": "high", "start_date": "2022-01-20"}


def test_6_risk_areas_are_managed_only_by_a_plan_manager_of_the_root_unit(
    county: County, personas: Personas, django_capture_on_commit_callbacks
):
    # given a published area, and a commander of the township (below the county's headquarters)
    with django_capture_on_commit_callbacks(execute=True):
        assert login(personas.commander).post("/api/risk-areas/", AREA).status_code == 201
    area = RiskArea.objects.get()
    township = login(make_user("township", Role.COMMANDER, county.township))
    # when the township's commander tries every way to publish, change, withdraw or import
    page = township.get(reverse("risk-area-list"))
    detail = township.get(reverse("risk-area-detail", args=[area.pk]))
    answers = [
        township.post(reverse("risk-area-list"), {**AREA, "level": "medium"}),
        township.post(reverse("risk-area-detail", args=[area.pk]), {**AREA, "level": "medium"}),
        township.post(reverse("risk-area-detail", args=[area.pk]), {"withdraw": "1"}),
        township.post(
            reverse("risk-area-import"),
            {
                "file": SimpleUploadedFile(
                    "areas.csv", "地区代码,风险等级,开始日期\n310115,high,2022-01-20\n".encode()
                )
            },
        ),
        township.post("/api/risk-areas/", {**AREA, "region": "310115"}),
        township.delete(f"/api/risk-areas/{area.pk}/"),
    ]
    # then each is refused, nothing changed, and the pages offer no publish or withdraw controls
    assert [a.status_code for a in answers] == [403] * 6
    assert list(RiskArea.objects.values_list("pk", "level", "is_current")) == [
        (area.pk, "high", True)
    ]
    assert page.status_code == detail.status_code == 200
    assert "发布风险地区" not in page.content.decode()
    assert 'name="withdraw"' not in detail.content.decode()
    headquarters = login(personas.commander)
    assert "发布风险地区" in headquarters.get(reverse("risk-area-list")).content.decode()
    assert (
        'name="withdraw"'
        in headquarters.get(reverse("risk-area-detail", args=[area.pk])).content.decode()
    )

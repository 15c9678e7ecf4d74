"""Managing the tree: a commander adds units and grants roles in their subtree; nobody else can."""

import pytest
from rest_framework.test import APIClient

from conftest import County, Personas, login, make_user
from fangkong.audit.models import AuditEvent
from fangkong.org.access import user_can
from fangkong.org.models import Membership, Unit
from fangkong.org.roles import Capability

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_commander_adds_a_village_under_a_township(county: County, personas: Personas):
    response = login(personas.commander).post(
        f"/org/units/{county.township.pk}/children/",
        {"code": "VC", "name": "丙村", "kind": "village", "region": county.township.region_id},
    )
    village = Unit.objects.get(code="VC")
    assert response["Location"] == f"/org/units/{village.pk}/"
    assert village.parent == county.township
    assert village.path == f"{county.township.path}{village.pk}/"
    assert AuditEvent.objects.filter(
        object_type="unit", object_id=str(village.pk), actor=personas.commander
    ).exists()


def test_grid_worker_cannot_add_units_and_nothing_changes(county: County, personas: Personas):
    before = Unit.objects.count()
    page = login(personas.worker_a).post(
        f"/org/units/{county.village_a.pk}/children/",
        {"code": "VA-G9", "name": "新网格", "kind": "grid", "region": county.township.region_id},
    )
    assert page.status_code == 403
    response = api(personas.worker_a).post(
        "/api/units/",
        {
            "code": "VA-G9",
            "name": "新网格",
            "kind": "grid",
            "parent": "VA",
            "region": county.township.region_id,
        },
        format="json",
    )
    assert response.status_code == 403
    assert Unit.objects.count() == before


def test_unit_form_explains_bad_input_in_chinese(county: County, personas: Personas):
    response = login(personas.commander).post(
        f"/org/units/{county.township.pk}/children/",
        {"code": "VA", "name": "重复编码", "kind": "village", "region": "999999"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "没有名称或代码为“999999”的行政区划" in page
    assert 'value="999999"' in page  # as typed
    assert Unit.objects.filter(code="VA").count() == 1


def test_api_adds_a_unit_and_refuses_a_parent_outside_the_scope(county: County, personas: Personas):
    response = api(personas.commander).post(
        "/api/units/",
        {
            "code": "VA-G2",
            "name": "甲村第2网格",
            "kind": "grid",
            "parent": "VA",
            "region": county.township.region_id,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["parent"] == "VA"
    outsider = make_user("outsider", "commander", county.village_b)
    response = api(outsider).post(
        "/api/units/",
        {
            "code": "VA-G3",
            "name": "x",
            "kind": "grid",
            "parent": "VA",
            "region": county.township.region_id,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert not Unit.objects.filter(code="VA-G3").exists()


def test_only_an_administrator_creates_a_top_level_unit(county: County, personas: Personas):
    response = api(personas.commander).post(
        "/api/units/",
        {
            "code": "HQ2",
            "name": "另一指挥部",
            "kind": "headquarters",
            "parent": None,
            "region": "520113",
        },
        format="json",
    )
    assert response.status_code == 403
    admin = make_user("admin", None, None)
    admin.is_superuser = True
    admin.save()
    response = api(admin).post(
        "/api/units/",
        {
            "code": "HQ2",
            "name": "另一指挥部",
            "kind": "headquarters",
            "parent": None,
            "region": "520113",
        },
        format="json",
    )
    assert response.status_code == 201


def test_commander_grants_and_revokes_a_role(county: County, personas: Personas):
    newcomer = make_user("newcomer", None, None)
    client = login(personas.commander)
    client.post(
        f"/org/units/{county.village_b.pk}/members/",
        {"username": "newcomer", "role": "grid_worker"},
    )
    membership = Membership.objects.get(user=newcomer)
    assert membership.unit == county.village_b
    newcomer = type(newcomer).objects.get(pk=newcomer.pk)
    assert user_can(newcomer, Capability.EDIT_PEOPLE, county.grid_b)
    client.post(f"/org/memberships/{membership.pk}/revoke/")
    assert not Membership.objects.filter(user=newcomer).exists()
    assert list(
        AuditEvent.objects.filter(object_type="membership", object_id=str(membership.pk))
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["create", "delete"]


def test_grid_worker_cannot_grant_roles(county: County, personas: Personas):
    make_user("newcomer", None, None)
    response = login(personas.worker_a).post(
        f"/org/units/{county.village_a.pk}/members/", {"username": "newcomer", "role": "commander"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user__username="newcomer").exists()
    page = login(personas.worker_a).get(f"/org/units/{county.village_a.pk}/").content.decode()
    assert 'data-testid="grant-form"' not in page


def test_unit_page_title_is_the_units_name(county: County, personas: Personas):
    page = login(personas.commander).get(f"/org/units/{county.village_a.pk}/").content.decode()
    title = page.split("<title>")[1].split("</title>")[0]
    assert title == "甲村 · 防控"

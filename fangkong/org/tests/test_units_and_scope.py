import pytest
from django.core.exceptions import ValidationError

from conftest import County, Personas, make_user
from fangkong.org.access import units_visible_to, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability, Role
from fangkong.org.services import membership_grant, unit_create

pytestmark = pytest.mark.django_db


def test_unit_path_nests_under_the_parent(county: County):
    assert county.hq.path == f"/{county.hq.pk}/"
    assert county.grid_a.path == f"{county.village_a.path}{county.grid_a.pk}/"
    assert county.grid_a.depth == 3
    assert county.grid_a.is_within(county.hq)
    assert not county.grid_a.is_within(county.village_b)


def test_a_unit_code_is_unique(county: County):
    with pytest.raises(ValidationError) as error:
        unit_create(
            code="VA", name="重复", kind="village", region=county.hq.region, parent=county.hq
        )
    assert "code" in error.value.message_dict
    assert Unit.objects.filter(code="VA").count() == 1


def test_unknown_unit_kind_is_refused(county: County):
    with pytest.raises(ValidationError):
        unit_create(
            code="X1", name="x", kind="spaceport", region=county.hq.region, parent=county.hq
        )


def test_grid_worker_acts_on_the_own_village_subtree_only(county: County, personas: Personas):
    visible = set(units_visible_to(personas.worker_a).values_list("code", flat=True))
    assert visible == {"VA", "VA-G1"}
    assert user_can(personas.worker_a, Capability.EDIT_PEOPLE, county.grid_a)
    assert not user_can(personas.worker_a, Capability.EDIT_PEOPLE, county.grid_b)
    assert not user_can(personas.worker_a, Capability.REVEAL_ID, county.grid_a)


def test_commander_acts_on_the_whole_county(county: County, personas: Personas):
    assert units_visible_to(personas.commander).count() == Unit.objects.count()
    assert user_can(personas.commander, Capability.REVEAL_ID, county.grid_b)


def test_lab_sees_units_but_no_register(county: County, personas: Personas):
    assert not user_can(personas.lab, Capability.VIEW_PEOPLE)


def test_a_user_with_no_role_acts_nowhere(county: County):
    nobody = make_user("nobody", None, None)
    assert units_visible_to(nobody).count() == 0
    assert not user_can(nobody, Capability.VIEW_PEOPLE)


def test_membership_with_an_unknown_role_is_refused(county: County):
    user = make_user("x", None, None)
    with pytest.raises(ValidationError):
        membership_grant(user=user, unit=county.hq, role="emperor")
    membership_grant(user=user, unit=county.hq, role=Role.VIEWER)
    assert user.memberships.count() == 1


def test_an_api_token_brings_the_users_roles_in_one_query(
    county, personas, django_assert_num_queries
):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from fangkong.org.access import scope
    from fangkong.org.roles import Capability

    key = Token.objects.create(user=personas.worker_a).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with django_assert_num_queries(2):  # the token with the roles, then the page of units
        response = client.get("/api/units/?page_size=5")
    assert response.status_code == 200
    assert {u["code"] for u in response.json()["results"]} <= {"VA", "VA-G1"}
    assert scope(personas.worker_a, Capability.VIEW_PEOPLE).paths == (county.village_a.path,)
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token nope")
    assert bad.get("/api/units/").status_code == 401
    personas.worker_a.is_active = False
    personas.worker_a.save()
    assert client.get("/api/units/").status_code == 401

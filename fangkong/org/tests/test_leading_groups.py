"""Leading groups and their members as the plans set them up (A-13, A-17, A-19, A-22)."""

import pytest
from django.db import IntegrityError

from conftest import County, Personas, login, make_resident_id
from fangkong.org.models import GroupMember, LeadingGroup
from fangkong.people.services import PersonInput, person_create

pytestmark = pytest.mark.django_db


def staff(personas: Personas, county: County, name: str, sequence: str):
    return person_create(
        actor=personas.commander,
        data=PersonInput(
            name=name,
            id_type="resident",
            id_number=make_resident_id(sequence=sequence),
            unit=county.school,
        ),
    )


def test_a17_a19_school_leading_group_shows_leader_deputy_and_designated_reporter(
    county: County, personas: Personas
):
    # given: the principal leads, the vice-principal deputises and is the named reporter
    group = LeadingGroup.objects.create(
        unit=county.school,
        name="疫情防控工作领导小组",
        kind="leading_group",
        duties="统筹全校疫情防控",
    )
    principal, vice = (
        staff(personas, county, "周校长", "701"),
        staff(personas, county, "倪副校长", "702"),
    )
    GroupMember.objects.create(group=group, person=principal, position="leader")
    GroupMember.objects.create(group=group, person=vice, position="deputy_leader")
    GroupMember.objects.create(
        group=group,
        person=vice,
        position="designated_reporter",
        duties="立即上报属地卫生防疫机构和教育主管部门",
    )
    # when
    page = login(personas.commander).get(f"/org/units/{county.school.pk}/").content.decode()
    # then
    assert "组长: 周校长" in page
    assert "副组长: 倪副校长" in page
    assert "指定报告人: 倪副校长 (立即上报属地卫生防疫机构和教育主管部门)" in page


def test_a22_response_team_has_sub_groups(county: County):
    team = LeadingGroup.objects.create(
        unit=county.hq, name="疫情应急处置工作小组", kind="response_team"
    )
    for name in ("隔离组", "消杀组", "防护用品保障组", "维护稳定组"):
        LeadingGroup.objects.create(unit=county.hq, parent=team, name=name, kind="sub_group")
    assert list(team.sub_groups.order_by("pk").values_list("name", flat=True)) == [
        "隔离组",
        "消杀组",
        "防护用品保障组",
        "维护稳定组",
    ]


def test_a13_a_person_holds_a_position_in_a_group_once(county: County, personas: Personas):
    group = LeadingGroup.objects.create(unit=county.hq, name="领导小组", kind="leading_group")
    leader = staff(personas, county, "王总", "703")
    GroupMember.objects.create(group=group, person=leader, position="leader")
    with pytest.raises(IntegrityError):
        GroupMember.objects.create(group=group, person=leader, position="leader")

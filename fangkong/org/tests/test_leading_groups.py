"""Leading groups and their members as the plans set them up (A-13, A-17, A-19, A-22)."""

import pytest
from django.db import IntegrityError, transaction

from conftest import County, Personas, login, make_resident_id
from fangkong.org.models import GroupMember, LeadingGroup
from fangkong.people.models import Person
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


def test_a22_the_response_team_shows_its_leader_and_four_sub_groups_with_their_duties(
    county: County, personas: Personas
):
    # given: P12's response team, led by the legal representative, with its four sub-groups
    team = LeadingGroup.objects.create(
        unit=county.hq, name="疫情应急处置工作小组", kind="response_team"
    )
    GroupMember.objects.create(
        group=team, person=staff(personas, county, "李法人", "704"), position="leader"
    )
    duties = {
        "隔离组": "设置隔离区，保障隔离人员生活，负责定时向区防疫指挥部报告每日情况",
        "消杀组": "负责全面消毒消杀",
        "防护用品保障组": "负责防护用品的采购与发放",
        "维护稳定组": "负责厂区、宿舍、门岗安保，稳定员工情绪，宣传教育",
    }
    for name, text in duties.items():
        LeadingGroup.objects.create(
            unit=county.hq, parent=team, name=name, kind="sub_group", duties=text
        )
    # when
    page = login(personas.commander).get(f"/org/units/{county.hq.pk}/").content.decode()
    # then: the team and its leader, and the sub-groups listed within it, in order, with duties
    assert "组长: 李法人" in page
    within = page[page.index("疫情应急处置工作小组") :]
    sub_groups = within[within.index('data-testid="sub-groups"') :]
    assert [
        sub_groups.index(f"<strong>{name}</strong> — {text}") for name, text in duties.items()
    ] == sorted(
        sub_groups.index(f"<strong>{name}</strong> — {text}") for name, text in duties.items()
    )
    assert page.count("<strong>隔离组</strong>") == 1  # within the team, not again on its own


def test_a13_the_company_leading_group_shows_its_leader_deputies_members_and_duties(
    county: County, personas: Personas
):
    # given: P08's leading group (组长: 公司主要领导; 副组长、成员: 其他领导班子成员)
    group = LeadingGroup.objects.create(
        unit=county.hq,
        name="疫情防控领导小组",
        kind="leading_group",
        duties="负责方案制修订和启动取消、资源调配",
    )
    for name, sequence, position in (
        ("王总", "703", "leader"),
        ("赵副总", "705", "deputy_leader"),
        ("钱经理", "706", "member"),
    ):
        GroupMember.objects.create(
            group=group, person=staff(personas, county, name, sequence), position=position
        )
    # when
    page = login(personas.commander).get(f"/org/units/{county.hq.pk}/").content.decode()
    # then
    assert "<strong>疫情防控领导小组</strong> — 负责方案制修订和启动取消、资源调配" in page
    assert "组长: 王总" in page
    assert "副组长: 赵副总" in page
    assert "成员: 钱经理" in page
    # and one person holds a position in a group once
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMember.objects.create(
            group=group, person=Person.objects.get(name="王总"), position="leader"
        )

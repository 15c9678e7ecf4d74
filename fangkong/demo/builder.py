"""The demo county: a plausible 白云区 (Guiyang) with units, accounts and a register.

Built through the real services (unit_create, membership_grant, the register import), so the demo
exercises the same code as an office would. Deterministic for a given seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from fangkong.core import clock
from fangkong.gates.models import GateKind, Outcome
from fangkong.gates.services import (
    EntryInput,
    gate_create,
    gate_entries_record,
    gate_entry_record,
    gate_keeper_assign,
)
from fangkong.labs.results import ResultInput, results_record
from fangkong.labs.sampling import SampleInput, samples_record
from fangkong.labs.services import (
    box_receive,
    box_send,
    environment_sample_record,
    point_create,
    result_record,
    round_create,
)
from fangkong.monitoring.services import (
    CheckinInput,
    absence_record,
    checkins_record,
    report_file,
)
from fangkong.movement.guests import GuestInput, gathering_guest_add
from fangkong.movement.models import GatheringApplication
from fangkong.movement.reservations import (
    SelfBooking,
    reservation_book,
    reservation_self_book,
    venue_slot_create,
)
from fangkong.movement.services import (
    GatheringInput,
    ReturneeInput,
    TravelRequestInput,
    gathering_apply,
    gathering_decide,
    returnee_report_record,
    travel_request_file,
    travel_step_decide,
)
from fangkong.obligations.models import Obligation
from fangkong.obligations.services import obligation_meet, obligations_tick
from fangkong.org.models import GroupMember, LeadingGroup, Region, Unit
from fangkong.org.roles import Role
from fangkong.org.services import membership_grant, unit_create
from fangkong.people.identity import id_decrypt, resident_id_check_char
from fangkong.people.importing import import_job_create, import_job_execute
from fangkong.people.models import Person, PersonCategory, PersonUnit, TravelRecord
from fangkong.people.services import TravelInput, travel_add
from fangkong.people.validation import age_on
from fangkong.pharmacy.models import DrugCategory
from fangkong.pharmacy.services import SaleInput, sale_record
from fangkong.playbooks.services import run_finish, run_start, step_done
from fangkong.policy.classify import people_classify
from fangkong.policy.models import Trigger
from fangkong.policy.services import (
    ReleaseFactInput,
    RiskAreaInput,
    plan_assign,
    release_fact_record,
    reports_open,
    risk_area_create,
)
from fangkong.quarantine.home import home_quarantine_record, home_quarantines, home_visit_record
from fangkong.quarantine.models import Placement, Transfer
from fangkong.quarantine.selectors import people_unplaced
from fangkong.quarantine.services import (
    CareNoteInput,
    Trip,
    care_notes_record,
    people_place,
    person_to_hospital,
    rooms_create,
    transfers_arrive,
    transfers_depart,
)
from fangkong.readiness.disinfection import (
    LogInput,
    disinfection_log,
    disinfection_open,
    schedule_add,
)
from fangkong.readiness.injuries import InjuryInput, injury_record
from fangkong.readiness.models import SupplyItem
from fangkong.readiness.services import ShiftInput, shifts_add
from fangkong.readiness.supplies import stock_consume, stock_receive, supply_request
from fangkong.tracing.linelist import contacts_record
from fangkong.tracing.models import Case, VenueKind
from fangkong.tracing.services import (
    case_report,
    exposure_record,
    investigation_answer,
    investigation_open,
)
from fangkong.tracing.venues import (
    ScanInput,
    contact_candidates_propose,
    scans_record,
    venue_create,
)
from fangkong.vaccination.selectors import ELIGIBLE_AGE
from fangkong.vaccination.services import DoseInput, dose_record

COUNTY = "520113"  # 贵州省贵阳市白云区, the county of plan P14
# The first people of the register whose doses the demo enters (any more adds only time).
VACCINATED_PEOPLE = 200
# The villagers of the second village due a booster (P13, M-02).
BOOSTER_DUE_PEOPLE = 2
DEMO_PASSWORD = "fangkong-demo"  # noqa: S105 - printed for the demo accounts by design

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏飞建华文斌宇浩凯俊鑫欣怡子涵梓萱"
    "思琪雨欣一诺梓涵浩然宇轩子轩俊杰晨阳佳怡婷雪梅海燕春花志强国庆建国丹丹晓东红梅天佑"
)
HOME_CODES = (
    "520113",
    "520113",
    "520113",
    "520102",
    "520103",
    "520111",
    "520112",
    "520115",
    "522401",
    "520201",
    "510104",
    "430102",
    "110105",
)
TRAVEL_REGIONS = ("210211", "310115", "440305", "510107", "420106", "330106", "110105", "520102")
VILLAGE_NAMES = (
    "沙子哨",
    "长坡岭",
    "大山洞",
    "麦架",
    "沙文",
    "都拉",
    "牛场",
    "尖山",
    "龙井",
    "红岩",
    "三桥",
    "艳山红",
    "阿所",
    "蓬莱",
    "新民",
    "金龙",
    "小湾",
    "鱼洞",
    "水田",
    "白岩",
    "沙坝",
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    unit: str


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _resident_id(rng: random.Random, birth: dt.date, male: bool, serial: int) -> str:
    sequence = (serial % 499) * 2 + (1 if male else 0)
    body = f"{rng.choice(HOME_CODES)}{birth:%Y%m%d}{sequence:03d}"
    return body + resident_id_check_char(body)


class DemoBuilder:
    def __init__(self, *, people: int, seed: int = 2022) -> None:
        self.people = people
        self.rng = random.Random(seed)
        self.accounts: list[DemoAccount] = []

    def unit(self, code: str, name: str, kind: str, region: Region, parent: Unit | None) -> Unit:
        return unit_create(code=code, name=name, kind=kind, region=region, parent=parent)

    def user(self, username: str, role: str, unit: Unit, *, superuser: bool = False) -> User:
        model = get_user_model()
        user = model.objects.create_user(
            username=username, password=DEMO_PASSWORD, is_staff=superuser, is_superuser=superuser
        )
        membership_grant(user=user, unit=unit, role=role)
        self.accounts.append(DemoAccount(username, str(Role(role).label), unit.name))
        return user

    @transaction.atomic
    def build_units(self) -> dict[str, Unit]:
        county = Region.objects.get(code=COUNTY)
        townships = list(Region.objects.filter(parent=county).order_by("code")[:3])
        units: dict[str, Unit] = {}
        hq = units["hq"] = self.unit("HQ", "白云区疫情防控指挥部", "headquarters", county, None)
        village_names = iter(VILLAGE_NAMES)
        for t_index, township in enumerate(townships, start=1):
            t_unit = self.unit(
                f"T{t_index}", f"{township.name}疫情防控指挥部", "township", township, hq
            )
            units[f"T{t_index}"] = t_unit
            for v_index in range(1, 8 if t_index < 3 else 7):
                v_name = next(village_names)
                kind_word = "社区" if "街道" in township.name else "村"
                village = self.unit(
                    f"T{t_index}V{v_index}", f"{v_name}{kind_word}", "village", township, t_unit
                )
                units[village.code] = village
                for g_index in range(1, 3):
                    grid = self.unit(
                        f"{village.code}G{g_index}",
                        f"{v_name}第{g_index}网格",
                        "grid",
                        township,
                        village,
                    )
                    units[grid.code] = grid
        t1 = townships[0]
        school = units["SCH"] = self.unit("SCH", "白云区第一高级中学", "school", t1, units["T1"])
        for grade in (1, 2, 3):
            g_unit = self.unit(
                f"SCH-G{grade}", f"高{['一', '二', '三'][grade - 1]}年级", "grade", t1, school
            )
            for klass in (1, 2, 3, 4):
                units[f"SCH-G{grade}C{klass}"] = self.unit(
                    f"SCH-G{grade}C{klass}",
                    f"高{['一', '二', '三'][grade - 1]}({klass})班",
                    "class",
                    t1,
                    g_unit,
                )
        t2 = townships[1]
        exams = units["SCH2"] = self.unit("SCH2", "白云区第二中学", "school", t2, units["T2"])
        for klass in (1, 2):
            units[f"SCH2-C{klass}"] = self.unit(
                f"SCH2-C{klass}", f"初三({klass})班", "class", t2, exams
            )
        company = units["CO"] = self.unit("CO", "白云铝业有限公司", "company", t1, units["T1"])
        for index, dept in enumerate(("安全生产管理部", "生产部", "后勤部"), start=1):
            units[f"CO-D{index}"] = self.unit(f"CO-D{index}", dept, "department", t1, company)
        services = units["CO2"] = self.unit(
            "CO2", "白云城市物业服务有限公司", "company", t2, units["T2"]
        )
        units["CO2-D1"] = self.unit("CO2-D1", "保洁保安部", "department", t2, services)
        # The offices serving the public in a hall: social security (P07), medical insurance (P17).
        units["SOCIAL"] = self.unit("SOCIAL", "白云区社会保险事业局服务大厅", "venue", county, hq)
        units["MEDINS"] = self.unit("MEDINS", "白云区医疗保障局服务大厅", "venue", county, hq)
        units["CLINIC"] = self.unit("CLINIC", "白云区人民医院", "clinic", county, hq)
        units["PHARM"] = self.unit("PHARM", "益康大药房", "pharmacy", t1, units["T1"])
        units["LAB"] = self.unit("LAB", "白云区疾控中心实验室", "lab", county, hq)
        units["SITE"] = self.unit(
            "SITE", "白云区集中隔离点（某酒店）", "quarantine_site", county, hq
        )

        self.user("hq-admin", Role.COMMANDER, hq, superuser=False)
        self.user("village-a", Role.GRID_WORKER, units["T1V1"])
        self.user("village-b", Role.GRID_WORKER, units["T1V2"])
        self.user("school-officer", Role.SCHOOL_HEALTH_OFFICER, school)
        self.user("teacher", Role.CLASS_TEACHER, units["SCH-G1C1"])
        self.user("principal", Role.PRINCIPAL, school)
        self.user("lab-tech", Role.LAB_TECHNICIAN, units["LAB"])
        self.user("sampler", Role.SAMPLER, units["T1"])
        self.user("site-manager", Role.SITE_MANAGER, units["SITE"])
        self.user("pharmacist", Role.PHARMACIST, units["PHARM"])
        self.user("gate-keeper", Role.GATE_KEEPER, units["T1V1"])
        self.user("epidemiologist", Role.EPIDEMIOLOGIST, hq)
        self.user("viewer", Role.VIEWER, hq)
        return units

    def register_csv(self, units: dict[str, Unit], today: dt.date) -> str:
        grids = [u for code, u in units.items() if u.kind == "grid"]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "姓名",
                "证件号码",
                "手机号码",
                "所属单位编码",
                "户编号",
                "现住址区划代码",
                "详细地址",
                "人员类别",
            ]
        )
        rng = self.rng
        serial = 0
        household = 0
        while serial < self.people:
            household += 1
            grid = rng.choice(grids)
            size = min(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)), self.people - serial)
            address = f"{grid.name.split('第')[0]}{rng.randint(1, 300)}号"
            for _member in range(size):
                serial += 1
                birth = today - dt.timedelta(days=rng.randint(3 * 365, 88 * 365))
                categories = ["常住居民"]
                age = age_on(birth, today)
                if age >= 60:
                    categories.append("60岁以上老人")
                if 15 <= age <= 18 and rng.random() < 0.6:
                    categories.append("学生")
                elif 22 <= age <= 58 and rng.random() < 0.08:
                    categories.append("返乡人员")
                elif 22 <= age <= 58 and rng.random() < 0.05:
                    categories.append("职工")
                phone = (
                    f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
                    if age >= 12
                    else ""
                )
                writer.writerow(
                    [
                        _name(rng),
                        _resident_id(rng, birth, rng.random() < 0.5, serial),
                        phone,
                        grid.code,
                        f"H{household:06d}",
                        grid.region_id,
                        address,
                        "、".join(categories),
                    ]
                )
        return out.getvalue()

    def build_people(self, units: dict[str, Unit], today: dt.date) -> None:
        hq_user = get_user_model().objects.get(username="hq-admin")
        job = import_job_create(
            user=hq_user,
            unit=units["hq"],
            file_name="demo-register.csv",
            content=self.register_csv(units, today).encode("utf-8"),
        )
        job = import_job_execute(job.pk)
        if job.error_count:
            raise RuntimeError(f"demo register has {job.error_count} bad rows")
        classes = [u for u in units.values() if u.kind == "class"]
        departments = [u for u in units.values() if u.kind == "department"]
        rng = self.rng
        ties = [
            PersonUnit(person_id=pk, unit=rng.choice(classes), relation="student")
            for pk in Person.objects.filter(categories="student").values_list("pk", flat=True)
        ]
        ties += [
            PersonUnit(person_id=pk, unit=rng.choice(departments), relation="staff")
            for pk in Person.objects.filter(categories="employee").values_list("pk", flat=True)
        ]
        PersonUnit.objects.bulk_create(ties, batch_size=2000)
        stays = []
        for pk in Person.objects.filter(categories="returnee").values_list("pk", flat=True):
            end = today - dt.timedelta(days=rng.randint(0, 20))
            stays.append(
                TravelRecord(
                    person_id=pk,
                    region_id=rng.choice(TRAVEL_REGIONS),
                    start_date=end - dt.timedelta(days=rng.randint(3, 60)),
                    end_date=end,
                )
            )
        TravelRecord.objects.bulk_create(stays, batch_size=2000)
        self.build_groups(units)

    def build_groups(self, units: dict[str, Unit]) -> None:
        """Leading groups as the plans set them up (A-13, A-17)."""
        school_staff = list(
            Person.objects.filter(
                unit__path__startswith=units["T1"].path, birth_date__year__lt=1990
            )[:8]
        )
        group = LeadingGroup.objects.create(
            unit=units["SCH"],
            name="疫情防控工作领导小组",
            kind="leading_group",
            duties="统筹全校疫情防控工作",
        )
        positions = ["leader", "deputy_leader", "member", "member", "member", "designated_reporter"]
        GroupMember.objects.bulk_create(
            [
                GroupMember(group=group, person=p, position=pos)
                for p, pos in zip(school_staff, positions, strict=False)
            ]
        )
        hq_group = LeadingGroup.objects.create(
            unit=units["hq"],
            name="区疫情防控工作领导小组",
            kind="leading_group",
            duties="统一指挥全区疫情防控",
        )
        LeadingGroup.objects.create(
            unit=units["hq"],
            parent=hq_group,
            name="领导小组办公室",
            kind="office",
            duties="信息收集、上报和督导检查",
        )

    def _confirmed_case_reported_late(self, hq_user: User, person: Person) -> None:
        """A confirmed case of two days ago whose 2 h direct report (G-04) was filed after three
        hours: the 四早 board shows it an hour late."""
        reported = clock.now() - dt.timedelta(days=2)
        case = case_report(
            actor=hq_user,
            person=person,
            kind="confirmed",
            reported_at=reported,
            note="示例：医院报告确诊病例",
        )
        with clock.frozen(reported + dt.timedelta(hours=3)):
            for obligation in Obligation.objects.of_case(case.pk).pending():
                obligation_meet(actor=hq_user, obligation=obligation, note="示例：已网络直报")

    def build_plans(self, units: dict[str, Unit], today: dt.date) -> None:
        """Plans in force as the offices hold them (the county under P01, its schools under P14
        and P11, the companies under P12 and P05, the social-security and medical-insurance halls
        under P07 and P17; the kindergarten's P15 comes with it), published risk areas, a
        suspected case with two contacts and a placement, then one classification of everyone and
        a tick: the plan pages open on a county at work."""
        hq_user = get_user_model().objects.get(username="hq-admin")
        start = today - dt.timedelta(days=60)
        for unit, pack_id in (
            (units["hq"], "P01-rural-winter"),
            (units["SCH"], "P14-school-spring-festival"),
            (units["SCH2"], "P11-school-winter-exams"),
            (units["CO"], "P12-enterprise-response-team"),
            (units["CO2"], "P05-service-company-winter"),
            (units["SOCIAL"], "P07-social-security"),
            (units["MEDINS"], "P17-medical-insurance"),
            # A village on the border of the festivals' plan: its travellers from abroad stay at
            # the site until person, object and environment are negative (D-05).
            (units["T3V6"], "P02-two-festivals"),
        ):
            plan_assign(
                actor=hq_user,
                unit=unit,
                pack_id=pack_id,
                start_date=start,
                end_date=None,
                recompute=False,
            )
        for code, level in (
            ("210211", "high"),
            ("310115", "medium"),
            ("420106", "high"),
            ("440305", "local_case_city"),
        ):
            risk_area_create(
                actor=hq_user,
                data=RiskAreaInput(
                    Region.objects.get(code=code),
                    level,
                    today - dt.timedelta(days=25),
                    today + dt.timedelta(days=30),
                    "示例：国家卫健委公布的中高风险地区",
                ),
                recompute=False,
            )
        # C-16 (P05): two of the service company's staff, registered with it, came back from a
        # high-risk area three days ago; the classification puts them in home quarantine.
        staff = list(
            PersonUnit.objects.filter(unit=units["CO2-D1"])
            .order_by("pk")[:2]
            .values_list("person_id", flat=True)
        )
        Person.objects.filter(pk__in=staff).update(unit=units["CO2-D1"])
        for person_id in staff:
            TravelRecord.objects.create(
                person_id=person_id,
                region=Region.objects.get(code="210211"),
                start_date=today - dt.timedelta(days=10),
                end_date=today - dt.timedelta(days=3),
            )
        people_classify(trigger=Trigger.PLAN, actor_id=hq_user.pk)
        locals_ = list(
            Person.objects.filter(unit__path__startswith=units["T1"].path)
            .exclude(classification__isnull=False)
            .order_by("pk")[:4]
        )
        if len(locals_) >= 3:
            sick, close, secondary = locals_[:3]
            # A suspected case reported 40 minutes ago: its 2 h report and transfer are running.
            case = case_report(
                actor=hq_user,
                person=sick,
                kind="suspected",
                reported_at=clock.now() - dt.timedelta(minutes=40),
                note="示例：发热门诊上报",
            )
            # Its investigation is under way: the interview's answers and two contacts listed.
            investigation = investigation_answer(
                actor=hq_user,
                investigation=investigation_open(actor=hq_user, case=case),
                onset_date=today - dt.timedelta(days=1),
                history="示例：近14天在本村活动，2天前赶集，1天前家庭聚餐",
            )
            self.build_venues(units, hq_user, case)
            exposure_record(
                actor=hq_user,
                person=close,
                kind="close_contact",
                last_exposed_at=clock.now() - dt.timedelta(days=1),
                via=sick,
                note="示例：家庭聚餐同桌",
                investigation=investigation,
            )
            exposure_record(
                actor=hq_user,
                person=secondary,
                kind="secondary_contact",
                last_exposed_at=clock.now() - dt.timedelta(hours=20),
                via=close,
                investigation=investigation,
            )
            if close.phone:
                # The line list named the close contact again under a mistyped ID number: a
                # second file, proposed on the investigation page for merge (合并重复人员).
                contacts_record(
                    actor=hq_user,
                    investigation=investigation,
                    rows=[
                        (
                            1,
                            {
                                "name": close.name,
                                "id_number": _resident_id(
                                    self.rng, dt.date(1986, 6, 6), close.sex == "M", 997
                                ),
                                "phone": close.phone,
                                "last_exposed_at": clock.now() - dt.timedelta(days=1),
                                "how": "示例：一览表重复登记",
                            },
                        )
                    ],
                )
            # The close contact tested positive: an asymptomatic infection, two generations on
            # the chain page, whose township the zones page proposes as a risk area (H-01).
            case_report(
                actor=hq_user,
                person=close,
                kind="asymptomatic",
                reported_at=clock.now() - dt.timedelta(minutes=20),
                note="示例：密接者核酸阳性",
            )
        if len(locals_) == 4:
            self._confirmed_case_reported_late(hq_user, locals_[3])
        # The hotel's rooms: floors 2–5, rooms 01–20; up to 40 of the people under central
        # quarantine are placed, the others wait on the placement page.
        rooms_create(actor=hq_user, site=units["SITE"], floors=(2, 5), rooms=(1, 20), capacity=1)
        waiting = list(people_unplaced(hq_user).values_list("pk", flat=True)[:40])
        if waiting:
            people_place(actor=hq_user, site=units["SITE"], person_ids=waiting)
            # Point-to-point transfers: most arrived, one vehicle on the road, a few still wait.
            arrived, on_the_road = waiting[:-6], waiting[-6:-3]
            for people, plate, hours in ((arrived, "贵A·D1234", 3), (on_the_road, "贵A·D5678", 1)):
                if people:
                    transfers_depart(
                        actor=hq_user,
                        site=units["SITE"],
                        person_ids=people,
                        trip=Trip(
                            plate, "刘护士", "13985000001", clock.now() - dt.timedelta(hours=hours)
                        ),
                    )
            if arrived:
                transfers_arrive(
                    actor=hq_user,
                    site=units["SITE"],
                    transfer_ids=list(
                        Transfer.objects.filter(vehicle="贵A·D1234").values_list("pk", flat=True)
                    ),
                )
        self._release_blocked(units, hq_user, today)
        # D-02: the first people quarantined at home have their notice served, the door sealed
        # and today's visit; the others wait on the visit list.
        for measure in list(home_quarantines(hq_user)[:3]):
            home_quarantine_record(actor=hq_user, measure=measure, notice_served=True, door="seal")
            home_visit_record(actor=hq_user, measure=measure, note="体温正常，无不适")
        # Most past tests were taken (negative); the rest show up as missed after the tick.
        now = clock.now()
        for obligation in (
            Obligation.objects.tests().filter(due_at__lt=now).select_related("person__unit")
        ):
            if obligation.person is None or self.rng.random() > 0.85:
                continue
            sampled = obligation.due_at - dt.timedelta(hours=14)
            result_record(
                actor=hq_user, person=obligation.person, sampled_at=sampled, positive=False
            )
        obligations_tick()
        # A fever at the site: one of the people placed there who still owes a check-in today
        # goes to hospital; the next tick suspends what he owes while his case is in course
        # (住院期间暂停 on his page), and opens him no more check-ins until it is closed.
        owing = (
            Obligation.objects.checkins()
            .open()
            .filter(
                person__in=Placement.objects.filter(
                    room__site=units["SITE"], released_at__isnull=True
                ).values("person"),
                due_at__lte=clock.day_end(today),
            )
            .values_list("person_id", flat=True)
            .first()
        )
        if owing is not None:
            person_to_hospital(
                actor=hq_user,
                site=units["SITE"],
                person=Person.objects.get(pk=owing),
                reason="fever",
                trip=Trip("贵A·D9012", "刘护士", "13985000001", clock.now()),
            )

    def _release_blocked(self, units: dict[str, Unit], hq_user: User, today: dt.date) -> None:
        """D-05, F-12: a traveller back from abroad to the P02 village, placed at the site, his
        own and the object's samples negative but his room's environment sample positive: the
        site page shows his release blocked beside the secondary contact's, which is due. The
        floor screen has his lunch noted and his morning temperature."""
        traveller = (
            Person.objects.filter(unit__path__startswith=units["T3V6"].path)
            .exclude(classification__isnull=False)
            .order_by("pk")
            .first()
        )
        if traveller is None:
            return
        travel_add(
            actor=hq_user,
            person=traveller,
            data=TravelInput(
                region_code="",
                country="KOR",
                place="首尔",
                start_date=today - dt.timedelta(days=20),
                end_date=today - dt.timedelta(days=3),
            ),
        )
        people_place(actor=hq_user, site=units["SITE"], person_ids=[traveller.pk])
        result_record(
            actor=hq_user,
            person=traveller,
            sampled_at=clock.now() - dt.timedelta(days=1),
            positive=False,
        )
        yesterday = today - dt.timedelta(days=1)
        for kind, positive in (("object", False), ("environment", True)):
            release_fact_record(
                actor=hq_user,
                person=traveller,
                data=ReleaseFactInput(kind, yesterday, positive, note="示例：房间门把手"),
            )
        checkins_record(
            actor=hq_user,
            rows=[CheckinInput(person_id=traveller.pk, celsius="36.6")],
        )
        care_notes_record(
            actor=hq_user,
            site=units["SITE"],
            notes=[CareNoteInput(traveller.pk, "need", "示例：需要充电器")],
        )

    def build_venues(self, units: dict[str, Unit], hq_user: User, case: Case) -> None:
        """A market's venue code scanned by the suspected case and by others of the township
        that morning: the case page proposes those who were there within the hour."""
        market = venue_create(
            actor=hq_user, unit=units["T1"], kind=VenueKind.VENUE, name="泉湖农贸市场"
        )
        venue_create(actor=hq_user, unit=units["T1"], kind=VenueKind.BUS, name="1路公交车")
        others = list(
            Person.objects.filter(unit__path__startswith=units["T1"].path)
            .exclude(pk=case.person_id)
            .order_by("-pk")
            .values_list("pk", flat=True)[:4]
        )
        morning = (clock.now() - dt.timedelta(days=1)).replace(hour=2, minute=0, second=0)
        scans_record(
            actor=hq_user,
            rows=[ScanInput(market.code, case.person_id, scanned_at=morning)]
            + [
                ScanInput(market.code, pk, scanned_at=morning + dt.timedelta(minutes=25 * n))
                for n, pk in enumerate(others, start=1)
            ],
        )
        contact_candidates_propose(actor=hq_user, cases=[case])

    def build_monitoring(self, units: dict[str, Unit]) -> None:
        """Today's check-ins of a class, a kindergarten teacher's fever on the P15 clock, an
        illness absence, a report filed late and one on time."""
        hq_user = get_user_model().objects.get(username="hq-admin")
        now = clock.now()
        klass = units["SCH-G1C1"]
        students = list(Person.objects.filter(unit_ties__unit=klass).order_by("pk")[:40])
        rows = [
            CheckinInput(
                person_id=p.pk,
                at=now - dt.timedelta(hours=2),
                celsius=f"{self.rng.choice(['36.3', '36.5', '36.6', '36.8', '37.0'])}",
                unit_id=klass.pk,
            )
            for p in students
        ]
        if rows:
            checkins_record(actor=hq_user, rows=rows)
        kindergarten = self.unit(
            "KG", "白云区第一幼儿园", "school", units["T1"].region, units["T1"]
        )
        plan_assign(
            actor=hq_user,
            unit=kindergarten,
            pack_id="P15-kindergarten-drill",
            start_date=clock.localdate() - dt.timedelta(days=30),
            end_date=None,
            recompute=False,
        )
        teacher = Person.objects.filter(unit__path__startswith=units["T1"].path).order_by("-pk")[0]
        PersonCategory.objects.get_or_create(person=teacher, category_id="staff")
        PersonUnit.objects.get_or_create(person=teacher, unit=kindergarten, relation="staff")
        for minutes, value in ((25, "37.9"), (20, "38.1")):
            checkins_record(
                actor=hq_user,
                rows=[
                    CheckinInput(
                        person_id=teacher.pk,
                        at=now - dt.timedelta(minutes=minutes),
                        celsius=value,
                        symptoms=["cough"],
                        unit_id=kindergarten.pk,
                    )
                ],
            )
        if students:
            absence_record(
                actor=hq_user,
                person=students[-1],
                unit=klass,
                day=clock.localdate(),
                illness=True,
                symptoms=["fever", "cough"],
            )
        today = clock.localdate()
        yesterday = today - dt.timedelta(days=1)
        reports_open(yesterday)
        reports_open(today)
        # The second middle school filed yesterday's report (P11: by 10:00) only now: late. The
        # aluminium company has filed today's; the schools and the service company still owe
        # theirs, as the command view shows.
        report_file(actor=hq_user, unit=units["SCH2"], kind="daily_report", day=yesterday)
        report_file(actor=hq_user, unit=units["CO"], kind="daily_report", day=today)

    def build_testing(self, units: dict[str, Unit]) -> None:
        """A screening round of the first township under way: a sampling point per village, most
        of village 1 sampled in ten-person tubes, a box received by the lab, results with one
        positive pool whose members now owe single re-tests, two of them re-tested (one
        positive, not yet a case)."""
        hq_user = get_user_model().objects.get(username="hq-admin")
        lab_user = get_user_model().objects.get(username="lab-tech")
        now = clock.now()
        township = units["T1"]
        screening = round_create(
            actor=hq_user, unit=township, name="泉湖街道第一轮全员核酸筛查",
            starts_at=now - dt.timedelta(hours=6), pool_size=10, lab=units["LAB"],
        )  # fmt: skip
        village = units["T1V1"]
        point = point_create(
            actor=hq_user, unit=village, name="村委会广场采样点", address="村委会广场",
            slots="07:00-11:30 14:00-18:00",
        )  # fmt: skip
        people = list(
            Person.objects.filter(unit__path__startswith=village.path).order_by("pk")
            .values_list("pk", flat=True)
        )  # fmt: skip
        sampled = people[: len(people) * 4 // 5]
        rows = [
            SampleInput(
                barcode=f"QH{i // 10 + 1:06d}", person_id=pk, sampled_at=now - dt.timedelta(hours=4)
            )
            for i, pk in enumerate(sampled)
        ]
        samples_record(actor=hq_user, rows=rows, round=screening, point=point)
        barcodes = sorted({r.barcode for r in rows})
        if not barcodes:
            return
        box = box_send(
            actor=hq_user, unit=village, lab=units["LAB"], code="BOX-QH-001", barcodes=barcodes
        )
        box_receive(actor=lab_user, box=box)
        positive = barcodes[len(barcodes) // 2]
        results_record(
            actor=lab_user,
            lab=units["LAB"],
            rows=[
                ResultInput(
                    barcode=code,
                    outcome="阳性" if code == positive else "阴性",
                    ct="30.2" if code == positive else None,
                )
                for code in barcodes[:-2]  # the last two tubes still in the lab
            ],
            source="demo",
        )
        # Two of the positive pool re-tested singly, one positive: the round page offers to
        # confirm them at once with the other positives not yet cases.
        members = [r.person_id for r in rows if r.barcode == positive][:2]
        retests = [SampleInput(barcode=f"QHR{n:05d}", person_id=pk) for n, pk in enumerate(members)]
        samples_record(actor=hq_user, kind="single", rows=retests, round=screening, point=point)
        results_record(
            actor=lab_user,
            lab=units["LAB"],
            rows=[
                ResultInput(barcode=r.barcode, outcome="阳性" if n == 0 else "阴性")
                for n, r in enumerate(retests)
            ],
            source="demo",
        )

    def build_schedules(self, units: dict[str, Unit]) -> None:
        """P01's standing schedules in the third township: a village clinic's staff owe a test
        this week (F-01), the clinic and a farmers' market an environment sample (F-03), one of
        them already taken."""
        hq_user = get_user_model().objects.get(username="hq-admin")
        village = units["T3V1"]
        self.unit("T3V1-CL", f"{village.name}卫生室", "clinic", village.region, village)
        market = self.unit("T3V1-MK", f"{village.name}农贸市场", "venue", village.region, village)
        adults = clock.localdate() - dt.timedelta(days=365 * 25)
        staff = Person.objects.filter(
            unit__path__startswith=village.path, birth_date__lte=adults
        ).order_by("pk")[:4]
        PersonCategory.objects.bulk_create(
            [PersonCategory(person=p, category_id="medical_staff") for p in staff],
            ignore_conflicts=True,
        )
        obligations_tick()
        environment_sample_record(
            actor=hq_user, unit=market, barcode="ENV-T3-0001", place="水产区摊位台面"
        )

    def build_roster(self, units: dict[str, Unit]) -> None:
        """The first high school's duty for three days and nights (P14: round the clock), then a
        gap; the second middle school (P11) has nobody on duty: the roster page flags it."""
        principal = get_user_model().objects.get(username="principal")
        day = clock.localdate()
        for name, begins, ends in (("王校长", "08:00", "20:00"), ("刘老师", "20:00", "08:00")):
            starts_at = dt.datetime.combine(day, dt.time.fromisoformat(begins), clock.tz())
            ends_at = dt.datetime.combine(day, dt.time.fromisoformat(ends), clock.tz())
            if ends_at <= starts_at:
                ends_at += dt.timedelta(days=1)
            shifts_add(
                actor=principal,
                data=ShiftInput(
                    unit=units["SCH"],
                    name=name,
                    phone="0851-84110000",
                    leader=name == "王校长",
                    starts_at=starts_at,
                    ends_at=ends_at,
                    days=3,
                ),
            )

    def build_readiness(self, units: dict[str, Unit]) -> None:
        """The first high school's supplies under P14 (L-07): masks for three days of its people
        where the plan asks a week, in a batch expiring in 20 days, and disinfectant for months;
        the first village's request for masks waiting at its township. Its teaching building is
        disinfected twice a day (L-02): yesterday's noon time was logged, the midnight one missed
        (overdue on the disinfection page and the deadline list). The aluminium company told the
        social-security hall of a work injury this morning; its written report is owed (G-13)."""
        principal = get_user_model().objects.get(username="principal")
        hq_user = get_user_model().objects.get(username="hq-admin")
        school = units["SCH"]
        today = clock.localdate()
        people = (
            Person.objects.filter(
                Q(unit__path__startswith=school.path)
                | Q(unit_ties__unit__path__startswith=school.path)
            )
            .distinct()
            .count()
        )
        stock_receive(
            actor=principal,
            unit=school,
            item=SupplyItem.MASK,
            quantity=max(1, 3 * people),
            expires_on=today + dt.timedelta(days=20),
        )
        stock_receive(
            actor=principal,
            unit=school,
            item=SupplyItem.DISINFECTANT,
            quantity=200,
            expires_on=None,
        )
        stock_consume(actor=principal, unit=school, item=SupplyItem.DISINFECTANT, quantity=40)
        supply_request(
            actor=hq_user, unit=units["T1V1"], item=SupplyItem.MASK, quantity=500, note="春节返乡"
        )
        schedule = schedule_add(actor=principal, unit=school, place="教学楼", times_per_day=2)
        yesterday = today - dt.timedelta(days=1)
        disinfection_open(yesterday)
        disinfection_log(
            actor=principal,
            schedule=schedule,
            data=LogInput(
                agent="含氯消毒液",
                concentration_mg_l=500,
                duration_minutes=30,
                done_by="王师傅",
                done_at=dt.datetime.combine(yesterday, dt.time(10, 0), clock.tz()),
            ),
        )
        injury_record(
            actor=hq_user,
            data=InjuryInput(
                unit=units["SOCIAL"],
                employer=units["CO"].name,
                name="工伤示例",
                phone="13800138904",
                occurred_at=clock.now() - dt.timedelta(hours=5),
                hospital="白云区人民医院",
                description="搬运铝锭时砸伤左脚",
            ),
        )

    def build_pharmacy(self, units: dict[str, Unit]) -> None:
        """A buyer of a fever drug at the township's pharmacy, new to the register: the report to
        the health centre still owed, and the follow-up test owed by the buyer's village."""
        sale_record(
            actor=get_user_model().objects.get(username="pharmacist"),
            data=SaleInput(
                pharmacy=units["PHARM"],
                name="周药购",
                id_number=_resident_id(self.rng, dt.date(1978, 5, 20), True, 777),
                village=units["T1V1"],
                category=DrugCategory.FEVER,
                sold_at=clock.now() - dt.timedelta(minutes=40),
                phone="13900139000",
                address="第一村2组",
                temperature=Decimal("38.0"),
            ),
        )

    def build_gates(self, units: dict[str, Unit]) -> None:
        """The first village's checkpoint (P08: 外来人员登记), kept by the gate keeper: a villager
        and a visitor let in, a visitor with a yellow code refused (E-21), and a reader's batch
        with a visitor with a fever sent to the fever clinic, registered in the village, whose
        fever path opens (E-19, ADR 20)."""
        model = get_user_model()
        keeper = model.objects.get(username="gate-keeper")
        gate = gate_create(
            actor=model.objects.get(username="village-a"),
            unit=units["T1V1"],
            kind=GateKind.VILLAGE_CHECKPOINT,
            name=f"{units['T1V1'].name}村口卡点",
        )
        gate_keeper_assign(actor=model.objects.get(username="village-a"), gate=gate, user=keeper)
        villager = (
            Person.objects.filter(unit__path__startswith=units["T1V1"].path).order_by("pk").first()
        )
        now = clock.now()
        entries = [
            EntryInput(
                gate.pk, Outcome.ADMITTED, visitor_name="送货司机王", visitor_phone="13700137001",
                at=now - dt.timedelta(minutes=50), celsius="36.4", health_code="green",
                disinfected=True,
            ),
            EntryInput(
                gate.pk, Outcome.REFUSED, visitor_name="访客李", visitor_phone="13700137002",
                at=now - dt.timedelta(minutes=30), celsius="36.6", health_code="yellow",
                from_epidemic_area=True, reason="黄码，劝返",
            ),
        ]  # fmt: skip
        if villager is not None:
            entries.append(
                EntryInput(
                    gate.pk, Outcome.ADMITTED, person_id=villager.pk,
                    at=now - dt.timedelta(minutes=10), celsius="36.5", health_code="green",
                    disinfected=True,
                )
            )  # fmt: skip
        for entry in entries:
            gate_entry_record(actor=keeper, data=entry)
        gate_entries_record(
            actor=keeper,
            rows=[
                EntryInput(
                    gate.pk, Outcome.ADMITTED, visitor_name="快递员赵", visitor_phone="13700137003",
                    at=now - dt.timedelta(minutes=8), celsius="36.3", health_code="green",
                    disinfected=True,
                ),
                EntryInput(
                    gate.pk, Outcome.FEVER_CLINIC, visitor_name="访客孙",
                    visitor_phone="13700137004",
                    visitor_id_number="520113198506127312",
                    at=now - dt.timedelta(minutes=5), celsius="38.4", health_code="green",
                ),
            ],
        )  # fmt: skip

    def build_vaccination(self, units: dict[str, Unit]) -> None:
        """Doses of the first people of the register, as the vaccination system would export
        them: most had the course in the summer, some a booster, some one dose, some none; the
        coverage page and the outreach lists have figures and names. The first villagers of the
        second village, under P13 (a booster six months after the course, M-02), had the course
        seven months ago: its outreach list and coverage show a booster due."""
        hq_user = get_user_model().objects.get(username="hq-admin")
        day = clock.localdate()
        summer = day - dt.timedelta(days=240)
        courses = {
            person.pk: (person, (2, 2, 2, 2, 2, 2, 3, 1, 0, 0)[index % 10], summer)
            for index, person in enumerate(Person.objects.order_by("pk")[:VACCINATED_PEOPLE])
        }
        due = Person.objects.filter(
            unit__path__startswith=units["T1V2"].path,
            birth_date__lte=day - relativedelta(years=ELIGIBLE_AGE),
        ).order_by("pk")[:BOOSTER_DUE_PEOPLE]
        courses.update({person.pk: (person, 2, day - relativedelta(months=9)) for person in due})
        for person, doses, start in courses.values():
            for number in range(1, doses + 1):
                dose_record(
                    actor=hq_user,
                    data=DoseInput(
                        name=person.name,
                        id_number=id_decrypt(person.id_cipher),
                        number=number,
                        given_on=start + dt.timedelta(days=30 * number),
                        vaccine="新冠病毒灭活疫苗(Vero细胞)",
                        site="乡镇卫生院预防接种门诊",
                    ),
                )

    def build_drill(self) -> None:
        """The kindergarten's P15 drill of a child with fever at arrival, two hours ago: the
        oral report 5 minutes late, step 5 never done, then finished and scored."""
        hq_user = get_user_model().objects.get(username="hq-admin")
        start = clock.now() - dt.timedelta(hours=2)
        with clock.frozen(start):
            run = run_start(
                actor=hq_user,
                unit=Unit.objects.get(code="KG"),
                playbook_id="drill-child-fever-at-arrival",
                drill=True,
                names={
                    "组长": "李园长",
                    "副组长": "陈副园长",
                    "医护组": "周医生",
                    "班主任": "吴老师",
                },
            )
        for minutes, position in ((4, 1), (9, 2), (14, 3), (25, 4), (38, 6), (55, 7)):
            with clock.frozen(start + dt.timedelta(minutes=minutes)):
                step_done(actor=hq_user, run_id=run.pk, position=position)
        with clock.frozen(start + dt.timedelta(minutes=70)):
            run_finish(actor=hq_user, run_id=run.pk)

    def build(self, today: dt.date) -> list[DemoAccount]:
        units = self.build_units()
        self.build_people(units, today)
        self.build_plans(units, today)
        self.build_monitoring(units)
        self.build_testing(units)
        self.build_schedules(units)
        self.build_roster(units)
        self.build_readiness(units)
        self.build_movement(units)
        self.build_gatherings(units)
        self.build_reservations(units)
        self.build_pharmacy(units)
        self.build_gates(units)
        self.build_vaccination(units)
        self.build_drill()
        return self.accounts

    def build_gatherings(self, units: dict[str, Unit]) -> None:
        """The second village under P13 for the May Day week: a banquet of 60 that needed
        approval and was refused by the command, and a banquet of 3 tables filed with the
        village, its guest list with one guest without the 24 h negative proof (I-15, D-17)."""
        hq_user = get_user_model().objects.get(username="hq-admin")
        worker = get_user_model().objects.get(username="village-b")
        village = units["T1V2"]
        today = clock.localdate()
        plan_assign(
            actor=hq_user,
            unit=village,
            pack_id="P13-may-day-county",
            start_date=today - dt.timedelta(days=1),
            end_date=None,
            recompute=False,
        )

        def banquet(people: int, tables: int, place: str) -> GatheringApplication:
            return gathering_apply(
                actor=worker,
                data=GatheringInput(unit=village, type="banquet", organiser="family",
                                    purpose="other", people=people, tables=tables,
                                    held_on=today + dt.timedelta(days=2), place=place,
                                    organiser_name=_name(self.rng),
                                    organiser_phone="13800138902"),
            )  # fmt: skip

        refused = banquet(60, 5, f"{village.name}文化广场")
        gathering_decide(actor=hq_user, application_id=refused.pk, approve=False,
                         reason="示例：疫情期间宴会从简，请缩小规模至50人以下")  # fmt: skip
        filed = banquet(30, 3, f"{village.name}3组院坝")
        guests = list(Person.objects.filter(unit__path__startswith=village.path).order_by("pk")[:3])
        for guest in guests[:2]:
            result_record(actor=hq_user, person=guest, positive=False,
                          sampled_at=clock.now() - dt.timedelta(hours=3))  # fmt: skip
        for guest in guests:
            gathering_guest_add(actor=worker, application=filed, data=GuestInput(person=guest))

    def build_reservations(self, units: dict[str, Unit]) -> None:
        """A museum of the township by reservation in time slots, booked today; the second
        village's restaurant at half its 80 seats (P13); the social-security hall by
        appointment (P07, O-04), booked by staff and by a visitor through its link."""
        hq_user = get_user_model().objects.get(username="hq-admin")
        today = clock.localdate()
        museum = venue_create(actor=hq_user, unit=units["T1"], kind=VenueKind.CULTURE,
                              name="泉湖街道文化馆")  # fmt: skip
        restaurant = venue_create(actor=hq_user, unit=units["T1V2"], kind=VenueKind.RESTAURANT,
                                  name="乙村农家饭庄", seats=80)  # fmt: skip
        hall = venue_create(actor=hq_user, unit=units["SOCIAL"], kind=VenueKind.SERVICE_HALL,
                            name="社保服务大厅")  # fmt: skip
        visitors = list(
            Person.objects.filter(unit__path__startswith=units["T1"].path).order_by("pk")[:12]
        )
        tomorrow = today + dt.timedelta(days=1)
        # Tonight's last slot (its bookings, while it is not over) and tomorrow morning's.
        times = [(today, dt.time(23), 4), (tomorrow, dt.time(9), 10), (tomorrow, dt.time(10), 6)]
        for venue, places in ((museum, 30), (restaurant, 40), (hall, 6)):
            for day, starts_at, booked in times:
                slot = venue_slot_create(
                    actor=hq_user,
                    venue=venue,
                    day=day,
                    starts_at=starts_at,
                    ends_at=starts_at.replace(minute=59),
                    capacity=places,
                )
                if dt.datetime.combine(day, slot.ends_at, clock.tz()) > clock.now():
                    for person in visitors[: min(booked, places)]:
                        reservation_book(actor=hq_user, slot=slot, person=person)
        # A visitor who booked the hall tomorrow afternoon through its link (O-04, I-20).
        afternoon = venue_slot_create(
            actor=hq_user, venue=hall, day=tomorrow, starts_at=dt.time(14), ends_at=dt.time(15),
            capacity=6,
        )  # fmt: skip
        reservation_self_book(
            venue=hall, data=SelfBooking(slot_id=afternoon.pk, name="预约示例", phone="13800138903")
        )

    def build_movement(self, units: dict[str, Unit]) -> None:
        """A student's leave request under P14 (J-04): filed ten days ahead by the class teacher,
        approved by them, and waiting at 德育处 (the school health officer's queue); a returnee's
        report through the first village's link, 3 days ahead (G-19)."""
        returnee_report_record(
            actor=None,
            unit=units["T1V1"],
            data=ReturneeInput(
                name="返乡示例",
                id_number=_resident_id(self.rng, dt.date(1988, 5, 6), True, 901),
                phone="13800138901",
                arrival_on=clock.localdate() + dt.timedelta(days=3),
                destination=f"{units['T1V1'].name}1组",
                from_region_code="440305",
            ),
        )
        teacher = get_user_model().objects.get(username="teacher")
        student = (
            Person.objects.filter(unit_ties__unit=units["SCH-G1C1"], categories="student")
            .order_by("pk")
            .first()
        )
        if student is None:
            return
        leave_on = clock.localdate() + dt.timedelta(days=10)
        request = travel_request_file(
            actor=teacher,
            data=TravelRequestInput(
                person=student,
                leave_on=leave_on,
                return_on=leave_on + dt.timedelta(days=4),
                reason="示例：春节探亲",
                to_region_code="530102",
            ),
        )
        step = request.steps.get(position=1)
        travel_step_decide(actor=teacher, step_id=step.pk, approve=True)

"""The drill simulator (演练模拟, issue 17 item 6): an outbreak on a register of its own, driven
day by day through the public services on the controlled clock.

The register (households in villages, classes of a school, departments of a company) is written
in sets, as an import would; everything that happens after is a call of the service a clerk, a
sampler, a lab or a site manager would make: check-ins, fevers, cases, samples, boxes, results,
exposures, placements, transfers, releases, filings of reports and the daily tick. One
``random.Random(seed)`` decides everything, and the events run in time order from a queue, so a
seed always gives the same outbreak and the same deadlines (docs/adr/0019-drill-simulator.md).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection, transaction

from fangkong.core import clock
from fangkong.core.bulk import rows_insert
from fangkong.labs.models import Box
from fangkong.labs.results import ResultInput, results_record
from fangkong.labs.sampling import SampleInput, samples_record
from fangkong.labs.services import box_receive, box_send
from fangkong.monitoring.services import CheckinInput, checkins_record
from fangkong.obligations.models import Obligation, ObligationKind
from fangkong.obligations.services import obligation_meet, obligations_tick
from fangkong.org.models import Region, Unit
from fangkong.org.roles import Role
from fangkong.org.services import membership_grant, unit_create
from fangkong.people.identity import id_encrypt, id_hash, mask_id_number, resident_id_check_char
from fangkong.people.models import Household, Person, PersonUnit
from fangkong.policy.services import people_release, plan_assign
from fangkong.quarantine.models import Transfer
from fangkong.quarantine.services import (
    Trip,
    people_place,
    rooms_create,
    transfers_arrive,
    transfers_depart,
)
from fangkong.tracing.models import Case, CaseStatus, Venue, VenueKind
from fangkong.tracing.services import (
    ExposureInput,
    case_report,
    case_status_change,
    case_upgrade,
    exposures_record,
    investigation_determine,
    investigation_open,
)
from fangkong.tracing.venues import ScanInput, scans_record, venue_create

COUNTY = "520113"  # 贵州省贵阳市白云区, as the demo
PACK = "P01-rural-winter"  # the county's plan: its deadlines are the ones the drill runs against
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红鹏飞斌宇浩凯俊鑫欣怡涵萱琪轩然"
TOWNSHIPS = 3
PEOPLE_PER_VILLAGE = 2_000
TICK_AT = dt.time(0, 10)  # the daily tick, before anyone checks in
QUARANTINE_DAYS = 14
CONTACTS_AT_WORK = 6  # classmates or colleagues named as close contacts of one case
CONTACTS_AT_VENUES = 4  # people who scanned the same venue within the hour
# The chances that decide how well the county works: most deadlines are met, some late, a few not.
ON_TIME, LATE = 0.8, 0.12
CHECKED_IN = 0.93
INFECTED = {"household": 0.2, "work": 0.05, "venue": 0.03}
FEVER_NOT_COVID = 0.1  # a fever whose test comes back negative


@dataclass(frozen=True)
class DrillSize:
    people: int = 300
    cases: int = 3
    days: int = 7
    seed: int = 1


@dataclass(frozen=True)
class Filing:
    """A report a simulated officer filed: the case's report (G-01) or direct report (G-04), or
    the lab's report of a positive tube (G-03). These deadlines are met by filing alone, so the
    drill's log of filings is the only record of them besides the deadline itself."""

    kind: str
    case_id: int | None = None
    barcode: str = ""


@dataclass
class Drill:
    """What a drill built and did: the outcome the command prints and the test checks."""

    size: DrillSize
    hq: Unit
    lab: Unit
    commander: User
    started: dt.datetime
    ended: dt.datetime = field(init=False)
    ticks: list[dt.datetime] = field(default_factory=list)
    filings: set[Filing] = field(default_factory=set)
    cases: int = 0
    contacts: int = 0
    checkins: int = 0


def _prefix(seed: int) -> str:
    """The code of the drill's headquarters, and the start of its other units' codes."""
    return f"DR{seed}"


def _resident_id(seed: int, birth: dt.date, serial: int) -> str:
    """A valid ID number, distinct within the drill (``serial`` counts the people born that day)
    and from other drills' (the address code is 99 and the seed's last four digits, a code no
    region has, so no one of a real register shares it)."""
    body = f"{990000 + seed % 10_000}{birth:%Y%m%d}{serial:03d}"
    return body + resident_id_check_char(body)


class _Simulation:
    """The queue of timed events and the state of the outbreak as the simulated people know it."""

    def __init__(self, size: DrillSize, start: dt.datetime) -> None:
        self.size = size
        self.rng = random.Random(size.seed)
        self.queue: list[tuple[dt.datetime, int, Callable[[], object]]] = []
        self.order = itertools.count()
        self.start = start
        self.prefix = _prefix(size.seed)
        self.exposed: set[int] = set()  # contacts named (each once) and cases
        self.infected: set[int] = set()
        self.quarantined: dict[int, dt.date] = {}  # contact -> day 0 (last exposure)
        self.scans: dict[int, list[tuple[int, dt.datetime]]] = {}  # person -> (venue, at)
        self.visits: dict[int, list[tuple[dt.datetime, int]]] = {}  # venue -> (at, person)

    def at(self, moment: dt.datetime, action: Callable[[], object]) -> None:
        heapq.heappush(self.queue, (moment, next(self.order), action))

    def later(self, minutes: float, action: Callable[[], object]) -> None:
        self.at(clock.now() + dt.timedelta(minutes=minutes), action)

    def maybe_late(self, on_time: float, late: float, action: Callable[[], object]) -> None:
        """Do it ``on_time`` minutes from now (mostly), ``late`` minutes (sometimes) or never."""
        draw = self.rng.random()
        if draw < ON_TIME:
            self.later(on_time, action)
        elif draw < ON_TIME + LATE:
            self.later(late, action)

    def run(self, end: dt.datetime) -> None:
        while self.queue and self.queue[0][0] <= end:
            moment, _order, action = heapq.heappop(self.queue)
            with clock.frozen(moment):
                action()


@transaction.atomic
def _build(sim: _Simulation) -> Drill:
    """The county of the drill, its people and the plan in force (bulk paths for the register)."""
    size, rng, prefix = sim.size, sim.rng, sim.prefix
    region = Region.objects.get(code=COUNTY)
    hq = unit_create(
        code=prefix, name=f"演练{size.seed}号疫情防控指挥部", kind="headquarters", region=region
    )
    commander = get_user_model().objects.create_user(username=f"drill-{size.seed}-commander")
    membership_grant(user=commander, unit=hq, role=Role.COMMANDER)
    lab = unit_create(
        code=f"{prefix}-LAB", name="演练疾控中心实验室", kind="lab", region=region, parent=hq
    )
    lab_user = get_user_model().objects.create_user(username=f"drill-{size.seed}-lab")
    membership_grant(user=lab_user, unit=lab, role=Role.LAB_TECHNICIAN)
    site = unit_create(
        code=f"{prefix}-SITE",
        name="演练集中隔离点",
        kind="quarantine_site",
        region=region,
        parent=hq,
    )
    plan_assign(
        actor=commander,
        unit=hq,
        pack_id=PACK,
        start_date=sim.start.date(),
        end_date=None,
        recompute=False,
    )
    villages_count = max(1, -(-size.people // PEOPLE_PER_VILLAGE))
    villages: list[Unit] = []
    for t in range(TOWNSHIPS):
        township = unit_create(
            code=f"{prefix}-T{t + 1}",
            name=f"演练第{t + 1}镇",
            kind="township",
            region=region,
            parent=hq,
        )
        for v in range(t, villages_count, TOWNSHIPS):
            villages.append(
                unit_create(
                    code=f"{prefix}-V{v + 1}",
                    name=f"演练第{v + 1}村",
                    kind="village",
                    region=region,
                    parent=township,
                )
            )
    school = unit_create(
        code=f"{prefix}-SCH", name="演练中学", kind="school", region=region, parent=hq
    )
    company = unit_create(
        code=f"{prefix}-CO", name="演练公司", kind="company", region=region, parent=hq
    )
    classes = [
        unit_create(
            code=f"{prefix}-SCH-C{c + 1}",
            name=f"演练中学{c + 1}班",
            kind="class",
            region=region,
            parent=school,
        )
        for c in range(max(1, size.people // 400))
    ]
    departments = [
        unit_create(
            code=f"{prefix}-CO-D{d + 1}",
            name=f"演练公司第{d + 1}部",
            kind="department",
            region=region,
            parent=company,
        )
        for d in range(max(1, size.people // 500))
    ]
    today = sim.start.date()
    households: list[Household] = []
    rows: list[tuple[str, str, dt.date, int, int, str]] = []  # the people, by household
    born: dict[dt.date, int] = {}
    now = clock.now()
    while len(rows) < size.people:
        village = villages[len(households) % len(villages)]
        household = Household(
            unit=village,
            code=f"H{len(households) + 1:06d}",
            address_region=region,
            address=f"{village.name}{len(households) % 300 + 1}号",
        )
        households.append(household)
        for _member in range(min(rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5)), size.people - len(rows))):
            birth = today - dt.timedelta(days=rng.randint(3 * 365, 85 * 365))
            born[birth] = born.get(birth, -1) + 1
            number = _resident_id(size.seed, birth, born[birth])
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            rows.append((name, number, birth, village.pk, len(households) - 1, household.address))
    Household.objects.bulk_create(households, batch_size=5000)
    rows_insert(
        Person,
        [
            "name",
            "id_type",
            "id_hash",
            "id_cipher",
            "id_masked",
            "birth_date",
            "sex",
            "phone",
            "nationality",
            "unit",
            "household",
            "address_region",
            "address",
            "created_at",
            "updated_at",
        ],
        (
            (
                name,
                "resident",
                id_hash(number),
                id_encrypt(number),
                mask_id_number(number),
                birth,
                "",
                "",
                "CHN",
                village_id,
                households[index].pk,
                region.pk,
                address,
                now,
                now,
            )
            for name, number, birth, village_id, index, address in rows
        ),
    )
    ties = []
    for pk, birth_date in (
        Person.objects.filter(unit__path__startswith=hq.path)
        .order_by("pk")
        .values_list("pk", "birth_date")
    ):
        age = (today - (birth_date or today)).days // 365
        if 12 <= age <= 18:
            ties.append(PersonUnit(person_id=pk, unit=rng.choice(classes), relation="student"))
        elif 22 <= age <= 58 and rng.random() < 0.4:
            ties.append(PersonUnit(person_id=pk, unit=rng.choice(departments), relation="staff"))
    PersonUnit.objects.bulk_create(ties, batch_size=5000)
    # A room for one in 20 people: 5,000 rooms for the county of 100,000, in blocks of 20 floors.
    floors = min(99, max(1, size.people // 2000))
    for first in range(1, floors + 1, 20):
        rooms_create(
            actor=commander,
            site=site,
            floors=(first, min(floors, first + 19)),
            rooms=(1, 99),
            capacity=1,
        )
    for township in Unit.objects.filter(parent=hq, kind="township").order_by("code"):
        venue_create(
            actor=commander, unit=township, kind=VenueKind.VENUE, name=f"{township.name}农贸市场"
        )
    return Drill(size, hq, lab, commander, sim.start)


class _Outbreak:
    """The events of the drill, scheduled on the simulation's queue."""

    def __init__(self, sim: _Simulation, drill: Drill) -> None:
        self.sim, self.drill, self.rng = sim, drill, sim.rng
        self.commander = drill.commander
        self.lab_user = get_user_model().objects.get(username=f"drill-{sim.size.seed}-lab")
        self.site = Unit.objects.get(code=f"{sim.prefix}-SITE")
        self.people = list(
            Person.objects.filter(unit__path__startswith=drill.hq.path)
            .order_by("pk")
            .values_list("pk", "unit_id", "household_id")
        )
        self.unit_of = {pk: unit for pk, unit, _household in self.people}
        self.household: dict[int, list[int]] = {}
        for pk, _unit, household in self.people:
            self.household.setdefault(household, []).append(pk)
        self.household_of = {pk: household for pk, _unit, household in self.people}
        self.work: dict[int, list[int]] = {}
        self.work_of: dict[int, int] = {}
        for pk, unit in (
            PersonUnit.objects.filter(person__unit__path__startswith=drill.hq.path)
            .order_by("person_id")
            .values_list("person_id", "unit_id")
        ):
            self.work.setdefault(unit, []).append(pk)
            self.work_of[pk] = unit
        self.venues = list(
            Venue.objects.filter(unit__parent=drill.hq)
            .order_by("code")
            .values_list("code", flat=True)
        )
        self.sequence = itertools.count(1)

    # -- every day ------------------------------------------------------------------------------
    def day(self, day: dt.date) -> None:
        midnight = clock.local_midnight(day)
        self.sim.at(midnight + dt.timedelta(hours=TICK_AT.hour, minutes=TICK_AT.minute), self.tick)
        self.sim.at(midnight + dt.timedelta(hours=8), lambda: self.check_ins(day))
        self.sim.at(midnight + dt.timedelta(hours=9), lambda: self.releases(day))
        self.sim.at(midnight + dt.timedelta(hours=10), lambda: self.market(day))

    def tick(self) -> None:
        self.drill.ticks.append(clock.now())
        obligations_tick()

    def check_ins(self, day: dt.date) -> None:
        """Everyone under quarantine takes the morning temperature; a few forget."""
        now = clock.now()
        rows = [
            CheckinInput(
                person_id=pk,
                at=now + dt.timedelta(minutes=self.rng.randint(0, 90)),
                celsius=self.rng.choice(("36.2", "36.5", "36.7", "36.9")),
            )
            for pk in sorted(self.sim.quarantined)
            if self.rng.random() < CHECKED_IN
        ]
        self.sim.later(91, lambda: self._check_ins_write(rows))

    def _check_ins_write(self, rows: list[CheckinInput]) -> None:
        for start in range(0, len(rows), 500):
            checkins_record(actor=self.commander, rows=rows[start : start + 500])
        self.drill.checkins += len(rows)

    def releases(self, day: dt.date) -> None:
        """Contacts whose 14 days are over go home."""
        due = [
            pk
            for pk, day0 in self.sim.quarantined.items()
            if day0 + dt.timedelta(days=QUARANTINE_DAYS) <= day
        ]
        if due:
            people = list(Person.objects.filter(pk__in=due).order_by("pk"))
            people_release(actor=self.commander, people=people, on=day)
        for pk in due:
            del self.sim.quarantined[pk]

    def market(self, day: dt.date) -> None:
        """A morning at the townships' markets: 1 % of the county scans a venue code."""
        rows = []
        for pk, _unit, _household in self.rng.sample(self.people, max(1, len(self.people) // 100)):
            venue = self.rng.randrange(len(self.venues))
            at = clock.now() + dt.timedelta(minutes=self.rng.randint(0, 180))
            rows.append(ScanInput(self.venues[venue], pk, scanned_at=at))
            self.sim.scans.setdefault(pk, []).append((venue, at))
            self.sim.visits.setdefault(venue, []).append((at, pk))
        self.sim.later(181, lambda: scans_record(actor=self.commander, rows=rows))

    # -- a case ---------------------------------------------------------------------------------
    def onset(self, pk: int, moment: dt.datetime) -> None:
        self.sim.exposed.add(pk)
        self.sim.at(moment, lambda: self.fever(pk, infected=pk in self.sim.infected))

    def fever(self, pk: int, *, infected: bool) -> None:
        """A fever at the village clinic: the check-in, the suspected case, the sample."""
        person = Person.objects.get(pk=pk)
        checkins_record(
            actor=self.commander,
            rows=[
                CheckinInput(
                    person_id=pk,
                    celsius=self.rng.choice(("38.1", "38.5", "38.9")),
                    symptoms=["fever", "dry_cough"],
                )
            ],
        )
        case = case_report(actor=self.commander, person=person, kind="suspected")
        self.drill.cases += 1
        self.sim.maybe_late(60, 200, lambda: self.file(case.pk, ObligationKind.REPORT))
        self.sim.maybe_late(90, 180, lambda: self.transferred(case.pk))
        barcode = f"{self.sim.prefix}-{next(self.sequence):06d}"
        self.sim.later(45, lambda: self.sample(case.pk, barcode, infected))

    def file(self, case_id: int, kind: str) -> None:
        for obligation in Obligation.objects.of_case(case_id).filter(kind=kind).pending():
            obligation_meet(actor=self.commander, obligation=obligation, note="演练：已报告")
            self.drill.filings.add(Filing(kind, case_id=case_id))

    def transferred(self, case_id: int) -> None:
        case = Case.objects.get(pk=case_id)
        if case.status == CaseStatus.REPORTED:
            case_status_change(actor=self.commander, case=case, status=CaseStatus.TRANSFERRED)

    def sample(self, case_id: int, barcode: str, infected: bool) -> None:
        case = Case.objects.select_related("person").get(pk=case_id)
        unit = Unit.objects.get(pk=case.unit_id)
        samples_record(
            actor=self.commander,
            rows=[SampleInput(barcode, case.person_id)],
            kind="single",
            unit=unit,
        )
        box = box_send(
            actor=self.commander,
            unit=unit,
            lab=self.drill.lab,
            code=f"BOX-{barcode}",
            barcodes=[barcode],
        )
        self.sim.later(60, lambda: box_receive(actor=self.lab_user, box=Box.objects.get(pk=box.pk)))
        # The lab answers within its 12 h mostly; sometimes later; a few boxes are forgotten.
        self.sim.maybe_late(
            60 + self.rng.randint(240, 600),
            60 + 900,
            lambda: self.result(case_id, barcode, infected),
        )

    def result(self, case_id: int, barcode: str, positive: bool) -> None:
        results_record(
            actor=self.lab_user,
            lab=self.drill.lab,
            source="drill",
            rows=[
                ResultInput(barcode, "阳性" if positive else "阴性", "28.5" if positive else None)
            ],
        )
        if not positive:
            return
        recorded = clock.now()
        self.sim.maybe_late(20, 150, lambda: self.file_positive(barcode, recorded))
        self.sim.later(30, lambda: self.confirm(case_id))

    def file_positive(self, barcode: str, recorded: dt.datetime) -> None:
        """The report of this one positive: one of the lab's reports due at its moment (two
        positives of the same minute owe two, and each filing meets one)."""
        obligation = (
            Obligation.objects.filter(
                unit=self.drill.lab, kind=ObligationKind.REPORT, due_at=recorded
            )
            .pending()
            .order_by("pk")
            .first()
        )
        if obligation is not None:
            obligation_meet(actor=self.commander, obligation=obligation, note="演练：阳性已报告")
            self.drill.filings.add(Filing(ObligationKind.REPORT, barcode=barcode))

    def confirm(self, case_id: int) -> None:
        case = case_upgrade(
            actor=self.commander, case=Case.objects.get(pk=case_id), kind="confirmed"
        )
        self.sim.maybe_late(60, 200, lambda: self.file(case_id, ObligationKind.DIRECT_REPORT))
        self.sim.later(120, lambda: self.trace(case.pk))

    def trace(self, case_id: int) -> None:
        """The investigation names the household, classmates or colleagues (close contacts) and
        those at the same market within the hour (secondary contacts), each recorded once, and
        is determined."""
        case = Case.objects.select_related("person").get(pk=case_id)
        investigation = investigation_open(actor=self.commander, case=case)
        pk = case.person_id
        close = [p for p in self.household.get(self.household_of[pk], []) if p != pk]
        work = [p for p in self.work.get(self.work_of.get(pk, 0), []) if p != pk]
        close += self.rng.sample(work, min(CONTACTS_AT_WORK, len(work)))
        secondary = [
            other
            for venue, at in self.sim.scans.get(pk, [])
            for seen, other in self.sim.visits.get(venue, [])
            if other != pk and abs(seen - at) <= dt.timedelta(hours=1)
        ]
        now = clock.now()
        named: list[int] = []
        rows: list[ExposureInput] = []
        for kind, people, route in (
            ("close_contact", close, None),
            ("secondary_contact", secondary[:CONTACTS_AT_VENUES], "venue"),
        ):
            for contact in people:
                if contact in self.sim.exposed:
                    continue
                self.sim.exposed.add(contact)
                last = now - dt.timedelta(hours=self.rng.randint(6, 30))
                rows.append(ExposureInput(contact, kind, last, via=case.person))
                self.sim.quarantined[contact] = last.astimezone(clock.tz()).date()
                named.append(contact)
                way = route or (
                    "household" if self.household_of[contact] == self.household_of[pk] else "work"
                )
                if self.rng.random() < INFECTED[way]:
                    self.sim.infected.add(contact)
                    days = self.rng.randint(2, 6)
                    hour = self.rng.randint(8, 18)
                    onset = clock.local_midnight(
                        now.astimezone(clock.tz()).date() + dt.timedelta(days=days)
                    ) + dt.timedelta(hours=hour)
                    self.onset(contact, onset)
        exposures_record(actor=self.commander, rows=rows, investigation=investigation)
        self.drill.contacts += len(rows)
        investigation_determine(actor=self.commander, investigation=investigation)
        # Most contacts are placed and driven to the site; a few wait on the placement page.
        placed = [pk for pk in named if self.rng.random() < 0.9]
        if placed:
            self.sim.later(120, lambda: self.place(placed))

    def place(self, person_ids: list[int]) -> None:
        people_place(actor=self.commander, site=self.site, person_ids=person_ids)
        trip = Trip("贵A·Y0001", "演练护士", "13985000001", clock.now())
        transfers_depart(actor=self.commander, site=self.site, person_ids=person_ids, trip=trip)
        ids = list(
            Transfer.objects.filter(
                placement__person_id__in=person_ids, arrived_at__isnull=True
            ).values_list("pk", flat=True)
        )
        self.sim.maybe_late(
            self.rng.randint(60, 300),
            700,
            lambda: transfers_arrive(actor=self.commander, site=self.site, transfer_ids=ids),
        )


def drill_exists(seed: int) -> bool:
    """Whether the drill of this seed has built its county here already (its codes are taken)."""
    return Unit.objects.filter(code=_prefix(seed)).exists()


@contextmanager
def _commits_unwaited() -> Iterator[None]:
    """Outside a transaction on PostgreSQL, the drill's commits (one for each action of a clerk,
    thousands in a day of a county) do not wait for the disk: a crash could lose the last
    moments of a rehearsal, never the database's consistency (as classify's derived writes)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def drill_run(size: DrillSize, *, start: dt.date | None = None) -> Drill:
    """Build the drill's county and run its outbreak for ``size.days`` days from ``start`` (the
    controlled clock's today): the index cases fall ill over the first three days."""
    first = start or clock.localdate()
    sim = _Simulation(size, clock.local_midnight(first))
    with _commits_unwaited():
        return _drill_run(sim, first)


def _drill_run(sim: _Simulation, first: dt.date) -> Drill:
    size = sim.size
    with clock.frozen(sim.start):
        drill = _build(sim)
    outbreak = _Outbreak(sim, drill)
    for offset in range(size.days):
        outbreak.day(first + dt.timedelta(days=offset))
    for pk, _unit, _household in sim.rng.sample(
        outbreak.people, min(size.cases, len(outbreak.people))
    ):
        if sim.rng.random() >= FEVER_NOT_COVID:
            sim.infected.add(pk)
        onset = sim.start + dt.timedelta(
            days=sim.rng.randrange(min(3, size.days)), hours=sim.rng.randint(8, 18)
        )
        outbreak.onset(pk, onset)
    drill.ended = clock.local_midnight(first + dt.timedelta(days=size.days)) + dt.timedelta(
        hours=TICK_AT.hour, minutes=TICK_AT.minute
    )
    sim.at(drill.ended, outbreak.tick)
    sim.run(drill.ended)
    return drill

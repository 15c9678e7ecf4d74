"""Benchmarks of quarantine sites (issue 15): placing 1,000 people in one action (under 5 s), and
the occupancy board with the 14-day bed forecast for a county of 200 sites and 50,000 people under
measures (under 500 ms); BENCH_SCALE scales the sites and the people, not the 1,000 placed.

It builds its own headquarters (QHQ) with villages and sites beside whatever the other benchmarks
left, so its commander sees only this county: the people are written by one INSERT … SELECT, their
measures and placements in bulk (setup, not measured). Baselines, in the same run: a bare bulk
insert of the same 1,000 placements, and the board's figures as three bare grouped statements.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client

from bench.run import Result, median_ms
from fangkong.core import clock
from fangkong.org.models import Region, Unit
from fangkong.org.roles import Role
from fangkong.org.services import membership_grant, unit_create
from fangkong.people.models import Person
from fangkong.quarantine.models import Placement, Room, RoomState
from fangkong.quarantine.selectors import FORECAST_DAYS
from fangkong.quarantine.services import MAX_PLACED, people_place, rooms_create

FULL_SITES = 200
FULL_PEOPLE = 50_000
VILLAGES = 20
ROOMS_PER_SITE = (4, 25)  # floors 1–4, rooms 01–25: 100 single rooms
OCCUPIED = 0.6  # of each site's rooms
PLACEMENT_TARGET_MS = 5000
BOARD_TARGET_MS = 500


def _county(scale: float) -> tuple[User, list[Unit], Unit]:
    """QHQ and its commander, its villages, the scaled number of sites of 100 rooms, and a large
    site of 1,089 single rooms for the placement."""
    region = Region.objects.get(code="520113")
    hq = unit_create(code="QHQ", name="隔离指挥部", kind="headquarters", region=region)
    user = get_user_model().objects.create_user(username="quarantine-bench")
    membership_grant(user=user, unit=hq, role=Role.COMMANDER)
    for v in range(VILLAGES):
        unit_create(code=f"QV{v}", name=f"隔离村{v}", kind="village", region=region, parent=hq)
    sites = []
    for s in range(max(2, round(FULL_SITES * scale))):
        site = unit_create(
            code=f"QS{s}", name=f"集中隔离点{s}", kind="quarantine_site", region=region, parent=hq
        )
        rooms_create(actor=user, site=site, floors=(1, ROOMS_PER_SITE[0]),
                     rooms=(1, ROOMS_PER_SITE[1]), capacity=1)  # fmt: skip
        sites.append(site)
    large = unit_create(
        code="QS-LARGE", name="大型集中隔离点", kind="quarantine_site", region=region, parent=hq
    )
    rooms_create(actor=user, site=large, floors=(1, 11), rooms=(1, 99), capacity=1)
    return user, sites, large


def _people(people: int, at_sites: int, today: dt.date) -> None:
    """``people`` people of QHQ's villages, each under one active measure: the first MAX_PLACED
    waiting for a room (central quarantine, no site), then ``at_sites`` central quarantines (placed
    by ``_placements``), the rest at home; starts spread over the last 14 days, 14 days each."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO people_person (created_at, updated_at, name, id_type, id_hash, id_cipher,"
            " id_masked, nationality, address, phone, sex, unit_id)"
            " SELECT now(), now(), '隔离' || g, 'resident',"
            " encode(sha256(convert_to('quarantine-bench:' || g, 'UTF8')), 'hex'), '\\x00',"
            " '5201************' || lpad((g %% 100)::text, 2, '0'), 'CHN', '', '', '',"
            " (SELECT id FROM org_unit WHERE code = 'QV' || (g %% %s))"
            " FROM generate_series(1, %s) g",
            [VILLAGES, people],
        )
        cursor.execute(
            "INSERT INTO policy_measure (person_id, unit_id, decision, phase, kind, start_date,"
            " end_date, pack_id, rule_id, trigger, explanation, release, status, created_at)"
            " SELECT p.id, p.unit_id, gen_random_uuid(), 0,"
            " CASE WHEN row_number() OVER (ORDER BY p.id) <= %s + %s"
            " THEN 'central_quarantine' ELSE 'home_quarantine' END,"
            " %s::date - (p.id %% 14)::int, %s::date - (p.id %% 14)::int + 14, 'P01-rural-winter',"
            " 'close-contact', 'contact', '[]', '[]', 'active', now()"
            " FROM people_person p JOIN org_unit u ON u.id = p.unit_id"
            " WHERE u.code LIKE 'QV%%'",
            [MAX_PLACED, at_sites, today, today],
        )


def _placements(sites: list[Unit]) -> int:
    """OCCUPIED of each site's rooms hold a person waiting past the first MAX_PLACED."""
    rooms = list(
        Room.objects.filter(site__in=sites).order_by("site_id", "id").values_list("pk", "site_id")
    )
    per_site = ROOMS_PER_SITE[0] * ROOMS_PER_SITE[1]
    taken = [room for i, room in enumerate(rooms) if i % per_site < round(per_site * OCCUPIED)]
    people = list(
        Person.objects.filter(unit__code__startswith="QV")
        .order_by("id")
        .values_list("pk", flat=True)[MAX_PLACED : MAX_PLACED + len(taken)]
    )
    now = clock.now()
    Placement.objects.bulk_create(
        (Placement(person_id=person, room_id=room, placed_at=now)
         for person, (room, _site) in zip(people, taken, strict=True)),
        batch_size=5000,
    )  # fmt: skip
    Room.objects.filter(pk__in=[room for room, _site in taken]).update(state=RoomState.OCCUPIED)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE policy_measure m SET site_id = r.site_id FROM quarantine_placement pl"
            " JOIN quarantine_room r ON r.id = pl.room_id"
            " WHERE pl.person_id = m.person_id AND pl.released_at IS NULL"
        )
        for table in ("people_person", "policy_measure", "quarantine_room", "quarantine_placement"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return len(people)


def _rolled_back(run: Callable[[], object], repeat: int = 3) -> float:
    """The median of ``run`` in a transaction undone each time (a placement changes the data)."""
    samples = []
    for _ in range(repeat):
        with transaction.atomic():
            start = time.perf_counter()
            run()
            samples.append((time.perf_counter() - start) * 1000)
            transaction.set_rollback(True)
    return statistics.median(samples)


def _bare_board(today: dt.date) -> None:
    last = today + dt.timedelta(days=FORECAST_DAYS - 1)
    with connection.cursor() as cursor:
        for statement, params in (
            ("SELECT site_id, state, count(*), sum(capacity) FROM quarantine_room"
             " GROUP BY 1, 2", []),
            ("SELECT r.site_id, count(*) FROM quarantine_placement p JOIN quarantine_room r"
             " ON r.id = p.room_id WHERE p.released_at IS NULL GROUP BY 1", []),
            ("SELECT site_id, end_date, count(*) FROM policy_measure WHERE status = 'active'"
             " AND kind = 'central_quarantine' AND site_id IS NOT NULL"
             " AND end_date BETWEEN %s AND %s GROUP BY 1, 2", [today, last]),
        ):  # fmt: skip
            cursor.execute(statement, params)
            cursor.fetchall()


def run(*, scale: float) -> list[Result]:
    today = clock.localdate()
    user, sites, large = _county(scale)
    people = max(round(FULL_PEOPLE * scale), MAX_PLACED + len(sites) * 100)
    per_site = ROOMS_PER_SITE[0] * ROOMS_PER_SITE[1]
    _people(people, len(sites) * round(per_site * OCCUPIED), today)
    placed = _placements(sites)

    # Placing the 1,000 people waiting, all at once, into the large site.
    waiting = list(
        Person.objects.filter(unit__code__startswith="QV")
        .order_by("id")
        .values_list("pk", flat=True)[:MAX_PLACED]
    )
    free_rooms = list(Room.objects.filter(site=large).order_by("id").values_list("pk", flat=True))

    def place() -> None:
        assert people_place(actor=user, site=large, person_ids=None) == MAX_PLACED

    def bare_insert() -> None:
        now = clock.now()
        Placement.objects.bulk_create(
            Placement(person_id=person, room_id=room, placed_at=now)
            for person, room in zip(waiting, free_rooms, strict=False)
        )

    bare_placing = _rolled_back(bare_insert)
    placing = _rolled_back(place)

    # The board and the forecast of the county.
    client = Client()
    client.force_login(user)

    def board() -> None:
        response = client.get("/quarantine/")
        assert response.status_code == 200
        assert "大型集中隔离点" in response.content.decode()

    def forecast() -> None:
        assert client.get("/api/quarantine/forecast/").status_code == 200

    bare = median_ms(lambda: _bare_board(today), repeat=9)
    page = median_ms(board, repeat=9)
    api = median_ms(forecast, repeat=9)
    print(
        f"quarantine: {len(sites) + 1} sites, {people:,} people under measures, {placed:,} placed:"
        f" placing {MAX_PLACED:,} {placing:.0f} ms (bare insert {bare_placing:.0f} ms);"
        f" board page {page:.0f} ms, forecast API {api:.0f} ms (bare figures {bare:.1f} ms)"
    )
    return [
        Result("quarantine-place-1000", round(placing, 1), "ms", round(bare_placing, 1),
               round(placing / bare_placing, 1), PLACEMENT_TARGET_MS, "max_value",
               placing < PLACEMENT_TARGET_MS),
        Result("quarantine-board-forecast-page", round(page, 1), "ms", round(bare, 1),
               round(page / bare, 1), BOARD_TARGET_MS, "max_value", page < BOARD_TARGET_MS),
        Result("quarantine-forecast-api", round(api, 1), "ms", round(bare, 1),
               round(api / bare, 1), BOARD_TARGET_MS, "max_value", api < BOARD_TARGET_MS),
    ]  # fmt: skip

"""Applying the packs to the register: facts in, measures and obligations out, written in sets.

One path serves one person (an arrival recorded on a page) and a whole county (a new risk area, a
changed plan, the benchmark): people are read in chunks with one query per kind of fact, the engine
decides each person in memory, and the changes are written with COPY. A decision has an id derived
from its content, so recomputing an unchanged person writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Max, Min, Q

from fangkong.core import clock
from fangkong.core.bulk import JsonText, rows_insert
from fangkong.core.lookups import Ids
from fangkong.obligations.models import Obligation, ObligationKind, ObligationSource
from fangkong.obligations.services import obligations_cancel, obligations_open
from fangkong.obligations.specs import DayTest, Due, Owner, Spec, WithinTest
from fangkong.org.models import Unit
from fangkong.people.models import Person, PersonCategory, TravelRecord
from fangkong.policy import facts
from fangkong.policy.engine import (
    Arrival,
    Contact,
    Decision,
    RiskAreas,
    Stay,
    TestResult,
    evaluate_arrival,
    evaluate_contact,
    schedule_from,
)
from fangkong.policy.engine import (
    RiskArea as AreaFact,
)
from fangkong.policy.facts import ExposureFact
from fangkong.policy.geography import city_of
from fangkong.policy.models import Classification, Measure, MeasureStatus, RiskArea
from fangkong.policy.packs import Pack
from fangkong.policy.resolver import PackResolver

# An arrival is classified for this long after it: the longest shipped phases are 14 + 14 days.
HORIZON_DAYS = 28
# Travel read for an arrival: the longest travel-history window of the shipped packs, 14 days.
WINDOW_DAYS = 14
# A stay ending ahead of today is a planned trip (报备 in advance): classified as soon as it is
# recorded, so that a filing due before the arrival (G-19: 提前3天) is owed before it, not born
# late. As far ahead as a pack's deadline may reach before its event (packs.ObligationTemplate).
PLANNED_DAYS = dt.timedelta(days=31)
CHUNK = 5_000
LOCAL_CASE_CITY = "local_case_city"
_NAMESPACE = uuid.UUID("6f1d2b1e-3c1a-4c55-9d0e-1a2b3c4d5e6f")


def risk_facts(start: dt.date, end: dt.date) -> tuple[RiskAreas, frozenset[str]]:
    """Current risk areas overlapping the window, and the cities with local cases."""
    rows = (
        RiskArea.objects.filter(is_current=True, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .values_list("region_id", "level", "start_date", "end_date")
    )
    areas: list[AreaFact] = []
    cities: set[str] = set()
    for region, level, area_start, area_end in rows:
        if level == LOCAL_CASE_CITY:
            cities.add(city_of(region))
        else:
            areas.append(AreaFact(region, level, area_start, area_end or dt.date.max))
    return RiskAreas(areas), frozenset(cities)


def decision_id(person_id: int, pack_id: str, decision: Decision) -> uuid.UUID | None:
    """The same facts give the same decision, and so the same id; an empty decision has none."""
    d = decision
    if not (d.measures or d.tests or d.obligations or d.proofs or d.actions):
        return None
    # repr of plain lists of dicts built in a fixed order: stable across processes and runs.
    content = (d.measures, d.tests, d.proofs, d.obligations, d.actions, d.release, d.after_release)
    return uuid.uuid5(_NAMESPACE, f"{person_id}:{pack_id}:{d.rule}:{content!r}")


@dataclass
class ClassificationCounts:
    """What a classification run did: people read, people whose decision changed, rows written."""

    people: int = 0
    changed: int = 0
    measures: int = 0
    obligations: int = 0


@lru_cache(maxsize=1024)
def _explanation_frame(rule: str, clause: str, plan: str) -> tuple[str, str]:
    """The JSON of an explanation around its one varying part, "because": built once per rule."""
    marker = "\x00because\x00"
    text = json.dumps(
        [{"rule": rule, "clause": clause, "because": marker, "plan": plan}], ensure_ascii=False
    )
    head, _marker, tail = text.partition(json.dumps(marker))
    return head, tail


def explanation_json(explanation: list[dict[str, str]]) -> JsonText:
    if len(explanation) == 1:
        e = explanation[0]
        head, tail = _explanation_frame(e["rule"], e["clause"], e["plan"])
        return JsonText(head + json.dumps(e["because"], ensure_ascii=False) + tail)
    return JsonText(json.dumps(explanation, ensure_ascii=False))


@dataclass
class Entry:
    person_id: int
    unit_id: int
    site_id: int | None
    pack: Pack
    decision: Decision
    decision_id: uuid.UUID
    restarted_on: dt.date | None = None

    @cached_property
    def explanation_json(self) -> JsonText:
        return explanation_json(self.decision.explanation)

    @cached_property
    def decision_text(self) -> str:
        return str(self.decision_id)


@dataclass
class _Chunk:
    """The facts of a chunk of people, one query per kind."""

    people: list[tuple[int, int, str, str]]
    categories: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    travel: dict[int, list[Stay]] = field(default_factory=lambda: defaultdict(list))
    exposures: dict[int, ExposureFact] = field(default_factory=dict)
    results: dict[int, list[TestResult]] = field(default_factory=lambda: defaultdict(list))
    existing: dict[int, tuple[uuid.UUID, str, dt.date | None]] = field(default_factory=dict)
    sites: dict[int, int] = field(default_factory=dict)


def _uses_categories(packs: Iterable[Pack]) -> bool:
    return any(
        any(r.when.categories for r in pack.arrival_rules)
        or any(r.categories for r in pack.contact_rules)
        for pack in packs
    )


def _read(ids: Sequence[int], today: dt.date, categories: bool = True) -> _Chunk:
    chunk = _Chunk(
        list(
            Person.objects.filter(id__any=Ids(ids))
            .order_by("id")
            .values_list("id", "unit_id", "unit__path", "unit__region_id")
        )
    )
    if categories:
        for person_id, code in PersonCategory.objects.filter(person_id__any=Ids(ids)).values_list(
            "person_id", "category_id"
        ):
            chunk.categories[person_id].append(code)
    since = today - dt.timedelta(days=HORIZON_DAYS + WINDOW_DAYS)
    for person_id, region, country, start, end in TravelRecord.objects.filter(
        person_id__any=Ids(ids), end_date__gte=since
    ).values_list("person_id", "region_id", "country", "start_date", "end_date"):
        chunk.travel[person_id].append(Stay(start, end, region or "", country))
    chunk.exposures = facts.exposures_latest(ids)
    vias = {e.via_id for e in chunk.exposures.values() if e.via_id}
    for person_id, results in facts.results_of([*chunk.exposures, *vias]).items():
        for sampled_at, positive in results:
            chunk.results[person_id].append(
                TestResult(sampled_at.astimezone(clock.tz()).date(), positive)
            )
    chunk.existing = {
        person_id: (decision, rule_id, restarted_on)
        for person_id, decision, rule_id, restarted_on in Classification.objects.filter(
            person_id__any=Ids(ids)
        ).values_list("person_id", "decision", "rule_id", "restarted_on")
    }
    chunk.sites = dict(
        Measure.objects.filter(
            person_id__any=Ids(ids), status=MeasureStatus.ACTIVE, site__isnull=False
        ).values_list("person_id", "site_id")
    )
    return chunk


def _decide(
    person_id: int,
    region: str,
    pack: Pack,
    chunk: _Chunk,
    facts: tuple[RiskAreas, frozenset[str]],
    today: dt.date,
) -> Decision:
    zone = clock.tz()
    categories = tuple(chunk.categories.get(person_id, ()))
    exposure = chunk.exposures.get(person_id)
    if exposure is not None:
        exposed_on = exposure.last_exposed_at.astimezone(zone).date()
        contact = Contact(
            kind=exposure.kind,
            last_at=exposure.last_exposed_at,
            identified_at=exposure.identified_at,
            categories=categories,
            results=tuple(r for r in chunk.results.get(person_id, ()) if r.date >= exposed_on),
            contact_results=tuple(
                r for r in chunk.results.get(exposure.via_id or 0, ()) if r.date >= exposed_on
            ),
        )
        decision = evaluate_contact(pack, contact, zone)
        if decision.rule:
            return decision
    stays = chunk.travel.get(person_id, [])
    if not stays:
        return Decision()
    arrived = max(s.end for s in stays)
    if arrived < today - dt.timedelta(days=HORIZON_DAYS) or arrived > today + PLANNED_DAYS:
        return Decision()
    areas, cities = facts
    arrival = Arrival(
        # Day 0 is the date the stay ended; deadlines in hours count from the start of that day.
        at=clock.local_midnight(arrived),
        region=region,
        categories=categories,
        travel=tuple(stays),
        risk_areas=areas,
        local_case_cities=cities,
    )
    return evaluate_arrival(pack, arrival, zone)


def people_classify(
    person_ids: Iterable[int] | None = None,
    *,
    trigger: str,
    actor_id: int | None = None,
    within: Unit | None = None,
    workers: int = 1,
) -> ClassificationCounts:
    """(Re)compute the measures of these people (or everyone, or everyone within a unit).

    ``workers`` > 1 splits a whole population into that many id ranges classified by forked
    processes, each with its own database connection (PostgreSQL, outside a transaction only:
    the command line and the benchmark; a Celery task runs one process).
    """
    if (
        workers > 1
        and person_ids is None
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    ):
        return _classify_in_processes(trigger, actor_id, within, workers)
    return _classify(person_ids, trigger, actor_id, within, None)


def _classify_in_processes(
    trigger: str, actor_id: int | None, within: Unit | None, workers: int
) -> ClassificationCounts:
    people = Person.objects.all()
    if within is not None:
        people = people.filter(unit__path__startswith=within.path)
    bounds = people.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return ClassificationCounts()
    low, high = bounds["low"], bounds["high"] + 1
    step = -(-(high - low) // workers)
    ranges = [(start, min(start + step, high)) for start in range(low, high, step)]
    connections.close_all()  # each process opens its own connection
    context = multiprocessing.get_context("fork")
    with context.Pool(len(ranges)) as pool:
        parts = pool.starmap(
            _classify_range, [(r, trigger, actor_id, within.pk if within else None) for r in ranges]
        )
    total = ClassificationCounts()
    for part in parts:
        total.people += part.people
        total.changed += part.changed
        total.measures += part.measures
        total.obligations += part.obligations
    return total


def _classify_range(
    id_range: tuple[int, int], trigger: str, actor_id: int | None, within_id: int | None
) -> ClassificationCounts:
    try:
        within = Unit.objects.get(pk=within_id) if within_id else None
        return _classify(None, trigger, actor_id, within, id_range)
    finally:
        connections.close_all()


def _classify(
    person_ids: Iterable[int] | None,
    trigger: str,
    actor_id: int | None,
    within: Unit | None,
    id_range: tuple[int, int] | None,
) -> ClassificationCounts:
    today = clock.localdate()
    facts = risk_facts(today - dt.timedelta(days=HORIZON_DAYS + WINDOW_DAYS), today)
    resolver = PackResolver(today)
    outcome = ClassificationCounts()
    # Categories are read only when a rule in force asks for them.
    categories = _uses_categories(resolver.packs)
    for ids in _id_chunks(person_ids, within, id_range):
        chunk = _read(ids, today, categories)
        entries: list[Entry] = []
        changed: list[int] = []
        for person_id, unit_id, path, region in chunk.people:
            outcome.people += 1
            pack = resolver.pack(path)
            decision = (
                Decision()
                if pack is None
                else _decide(person_id, region, pack, chunk, facts, today)
            )
            previous = chunk.existing.get(person_id)
            restarted_on = None
            if pack is not None and previous and previous[2] and decision.rule == previous[1]:
                # D-04: a cross-infection restarted this rule's count; it stays restarted.
                restarted_on = previous[2]
                decision = schedule_from(
                    pack,
                    decision,
                    restarted_on,
                    clock.local_midnight(restarted_on),
                )
            new_id = decision_id(person_id, pack.id, decision) if pack else None
            if new_id == (previous[0] if previous else None):
                continue
            changed.append(person_id)
            if new_id is not None and pack is not None:
                entries.append(
                    Entry(
                        person_id,
                        unit_id,
                        chunk.sites.get(person_id),
                        pack,
                        decision,
                        new_id,
                        restarted_on,
                    )
                )
        classified_before = [pid for pid in changed if pid in chunk.existing]
        measures, obligations = decisions_write(
            changed, entries, trigger, actor_id, classified_before
        )
        outcome.changed += len(changed)
        outcome.measures += measures
        outcome.obligations += obligations
    return outcome


def _id_chunks(
    person_ids: Iterable[int] | None,
    within: Unit | None,
    id_range: tuple[int, int] | None = None,
) -> Iterator[list[int]]:
    if person_ids is not None:
        ids = sorted(set(person_ids))
        for start in range(0, len(ids), CHUNK):
            yield ids[start : start + CHUNK]
        return
    people = Person.objects.order_by("id")
    if within is not None:
        people = people.filter(unit__path__startswith=within.path)
    last = 0
    if id_range is not None:
        people = people.filter(id__lt=id_range[1])
        last = id_range[0] - 1
    while True:
        ids = list(people.filter(id__gt=last).values_list("id", flat=True)[:CHUNK])
        if not ids:
            return
        yield ids
        last = ids[-1]


def decisions_write(
    changed: Sequence[int],
    entries: Sequence[Entry],
    trigger: str,
    actor_id: int | None,
    previous: Sequence[int] | None = None,
) -> tuple[int, int]:
    """Supersede what the changed people had and write their new decisions, in sets; returns how
    many measures and obligations were written.

    ``previous`` are those of ``changed`` who had a classification (None: assume all). Only they
    can have active measures or open obligations of a decision, so only they are superseded.
    """
    if not changed:
        return 0, 0
    had = list(changed if previous is None else previous)
    now = clock.now()
    with transaction.atomic():
        _commit_without_waiting()
        taken = _supersede(had, now) if had else set()
        _classifications_insert(entries, trigger, now)
        measures = rows_insert(
            Measure, MEASURE_FIELDS, _measure_rows(entries, trigger, actor_id, now)
        )
        obligations = obligations_open(_obligation_specs(entries, taken))
    return measures, obligations


def _commit_without_waiting() -> None:
    """What is written here is derived and recomputed idempotently: a crash losing the last
    commits loses nothing the next run does not write again, so the commit need not wait for the
    disk (the database stays consistent either way)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _supersede(had: list[int], now: dt.datetime) -> set[tuple[int, dt.datetime]]:
    """End the people's active measures, cancel their open classification obligations and drop
    their classification; returns the (person, due time) of the tests they already took and the
    filings they already made, which the new decision does not ask for again."""
    Measure.objects.filter(person_id__any=Ids(had), status=MeasureStatus.ACTIVE).update(
        status=MeasureStatus.SUPERSEDED, closed_at=now
    )
    obligations_cancel(
        Obligation.objects.for_people(had).filter(source=ObligationSource.CLASSIFICATION)
    )
    Classification.objects.filter(person_id__any=Ids(had)).delete()
    return set(
        Obligation.objects.for_people(had)
        .filter(kind__in=[ObligationKind.TEST, ObligationKind.FILING])
        .met()
        .values_list("person_id", "due_at")
    )


def _classifications_insert(entries: Sequence[Entry], trigger: str, now: dt.datetime) -> None:
    rows_insert(
        Classification,
        [
            "person",
            "decision",
            "pack_id",
            "rule_id",
            "trigger",
            "explanation",
            "actions",
            "restarted_on",
            "decided_at",
        ],
        [
            (
                e.person_id,
                e.decision_text,
                e.pack.id,
                e.decision.rule,
                trigger,
                e.explanation_json,
                JsonText(json.dumps(e.decision.actions)) if e.decision.actions else EMPTY_LIST,
                e.restarted_on,
                now,
            )
            for e in entries
        ],
    )


def _measure_rows(
    entries: Sequence[Entry], trigger: str, actor_id: int | None, now: dt.datetime
) -> Iterator[tuple[object, ...]]:
    """The phases of each decision, as rows in MEASURE_FIELDS order."""
    for e in entries:
        d = e.decision
        release = JsonText(json.dumps(d.release)) if d.release else EMPTY_LIST
        for phase, m in enumerate(d.measures):
            yield (
                e.person_id,
                e.unit_id,
                e.site_id if m["kind"] == "central_quarantine" else None,
                e.decision_text,
                phase,
                m["kind"],
                dt.date.fromisoformat(m["start"]),
                dt.date.fromisoformat(m["end"]) if m["end"] else None,
                e.pack.id,
                d.rule,
                trigger,
                e.explanation_json,
                release,
                MeasureStatus.ACTIVE,
                now,
                actor_id,
            )


def _obligation_specs(
    entries: Sequence[Entry], taken: set[tuple[int, dt.datetime]]
) -> Iterator[Spec]:
    """The tests (but those already taken) and the other deadlines of each decision."""
    for e in entries:
        d = e.decision
        owner = Owner(
            e.unit_id,
            ObligationSource.CLASSIFICATION,
            e.person_id,
            pack_id=e.pack.id,
            rule_id=d.rule,
            clause=d.explanation[0]["clause"] if d.explanation else "",
            decision=e.decision_text,
        )
        for test in d.tests:
            spec = scheduled_test(owner, test)
            if (e.person_id, spec.due_at) not in taken:
                yield spec
        for item in d.obligations:
            due = Due(owner, item["kind"], dt.datetime.fromisoformat(item["due_by"]))
            if item["kind"] != ObligationKind.FILING or (e.person_id, due.due_at) not in taken:
                yield due


def scheduled_test(owner: Owner, test: dict[str, Any]) -> DayTest | WithinTest:
    """A test the engine scheduled: on a day (D3, D7 …) or within hours of the event."""
    if "date" in test:
        day = dt.date.fromisoformat(test["date"])
        return DayTest(owner, day, double_sample=bool(test.get("double_sample")))
    return WithinTest(owner, dt.datetime.fromisoformat(test["due_by"]))


MEASURE_FIELDS = (
    "person",
    "unit",
    "site",
    "decision",
    "phase",
    "kind",
    "start_date",
    "end_date",
    "pack_id",
    "rule_id",
    "trigger",
    "explanation",
    "release",
    "status",
    "created_at",
    "created_by",
)
EMPTY_LIST = JsonText("[]")


def population_decide(within: Unit, pack: Pack) -> Iterator[tuple[int, Decision]]:
    """What ``pack`` would decide today for everyone in the unit's subtree, writing nothing (the
    what-if of the plan pages): the same reads and the same engine as the classification."""
    today = clock.localdate()
    facts = risk_facts(today - dt.timedelta(days=HORIZON_DAYS + WINDOW_DAYS), today)
    categories = _uses_categories([pack])
    for ids in _id_chunks(None, within):
        chunk = _read(ids, today, categories)
        for person_id, _unit_id, _path, region in chunk.people:
            yield person_id, _decide(person_id, region, pack, chunk, facts, today)

"""Venue codes (场所码) and scans as evidence of where people were; a case's trajectory (行程);
the candidate contacts it suggests (候选密接).

Evidence of a visit comes from more than one table: the scans of venue codes here, and the
samples taken at a sampling point (``labs``, above this layer). Each app registers its visits here
(``visits_from``, when Django starts) and the evidence is read as one UNION of their rows, never
copied from one table into another.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.inputs import dates_allowed, local_datetime_parse, moment_problem, whole_number
from fangkong.core.lookups import Ids
from fangkong.core.spreadsheets import Column, TableColumns, read_rows
from fangkong.org.access import AnyUser, acting_user, may_act_on, scope, user_can
from fangkong.org.models import Region, Unit
from fangkong.org.roles import Capability
from fangkong.people.identity import InvalidIdentity, normalize_phone
from fangkong.people.models import Person
from fangkong.policy.packs import CONTACT_WINDOW_MINUTES
from fangkong.policy.resolver import pack_in_force
from fangkong.tracing.models import (
    Case,
    ContactCandidate,
    Exposure,
    Scan,
    Stop,
    Venue,
    VenueKind,
)

# Venue codes are digits: read out over the phone and typed on any keypad, never mistaken for
# letters, and never read as one of the codes a page must not show (T1V1G1).
CODE_ALPHABET = "0123456789"
CODE_LENGTH = 12
SCAN_BATCH_MAX = 5_000
SEATS_MAX = 100_000  # a stadium's; more is a typing slip
CLOCK_SKEW = dt.timedelta(minutes=5)
TRAJECTORY_DAYS = 14
CANDIDATES_MAX = 500  # candidates proposed per case, the closest first
CASE_VISITS_MAX = 200  # the case's visits a search starts from
NEIGHBOUR_VISITS_MAX = 50_000  # the others' visits a search reads


@dataclass(frozen=True)
class VisitSource:
    """Rows that place a person at a venue at a time: the lookups (from the rows' model) of the
    venue id, the person id and the time; ``label`` names such a visit on the case page."""

    key: str
    label: Promise
    rows: Callable[[], QuerySet[Any]]
    venue: str
    person: str
    at: str


_SOURCES: list[VisitSource] = []


def visits_from(source: VisitSource) -> None:
    """Register a table of visits (``AppConfig.ready``)."""
    if all(known.key != source.key for known in _SOURCES):
        _SOURCES.append(source)


visits_from(
    VisitSource(
        "scan",
        gettext_lazy("venue code scan"),
        lambda: Scan.objects.all(),
        "venue_id",
        "person_id",
        "scanned_at",
    )
)


@dataclass(frozen=True)
class Visit:
    source: str
    venue_id: int
    person_id: int
    at: dt.datetime


def _rows(source: VisitSource, where: Q) -> QuerySet[Any]:
    """The source's visits matching ``where`` as (source, venue, person, time) rows."""
    return (
        source.rows()
        .filter(where)
        .annotate(
            visit_source=Value(source.key, output_field=models.CharField()),
            visit_venue=F(source.venue),
            visit_person=F(source.person),
            visit_at=F(source.at),
        )
        .values_list("visit_source", "visit_venue", "visit_person", "visit_at")
        .order_by()
    )


def _visits(where: Callable[[VisitSource], Q], limit: int) -> list[Visit]:
    """The visits of every source matching ``where``, as one UNION ALL, in time order."""
    parts = [_rows(source, where(source)) for source in _SOURCES]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return [Visit(*row) for row in union.order_by("visit_at", "visit_venue")[:limit]]


def person_visits(person_id: int, since: dt.datetime, until: dt.datetime) -> list[Visit]:
    """Where the person was between ``since`` and ``until``, by the evidence."""
    return _visits(
        lambda s: Q(**{s.person: person_id, f"{s.at}__gte": since, f"{s.at}__lte": until}),
        CASE_VISITS_MAX,
    )


@dataclass(frozen=True)
class VisitWindow:
    """A venue and a span of time, and the person whose own visits there do not count."""

    venue_id: int
    since: dt.datetime
    until: dt.datetime
    other_than: int


def _read_time(value: dt.datetime | str) -> dt.datetime:
    """A time as raw SQL returns it: typed by PostgreSQL, the UTC text Django wrote on SQLite."""
    at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _visits_within(windows: Sequence[VisitWindow], limit: int) -> list[tuple[int, Visit]]:
    """Other people's visits within each window, as (the window's index, the visit), in time
    order. The windows are rows of a VALUES list, joined to each source's visits in its own arm
    of a UNION ALL (an arm's joins stay open to the planner), so that each window is one range of
    the source's (venue, time) index, however many windows and cases there are. The windows go
    in as few statements as the database's limit on parameters allows."""
    arms: list[str] = []
    arm_params: list[Any] = []
    for source in _SOURCES:
        rows, params = _rows(source, Q()).query.sql_with_params()
        arms.append(
            "SELECT w.number, v.visit_source, v.visit_venue, v.visit_person, v.visit_at"  # noqa: S608 - our columns
            f" FROM visit_window w JOIN ({rows}) v ON v.visit_venue = w.venue_id"
            " AND v.visit_at BETWEEN w.since AND w.until AND v.visit_person <> w.other_than"
        )
        arm_params += params
    adapt = connection.ops.adapt_datetimefield_value  # as the ORM writes times (UTC on SQLite)
    most = connection.features.max_query_params or 5 * len(windows) + len(arm_params) + 1
    chunk = max(1, (most - len(arm_params) - 1) // 5)
    found: list[tuple[int, Visit]] = []
    for first in range(0, len(windows), chunk):
        part = windows[first : first + chunk]
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(part))
        sql = (
            f"WITH visit_window (number, venue_id, since, until, other_than) AS (VALUES {values})"  # noqa: S608 - our columns
            f" {' UNION ALL '.join(arms)}"
            " ORDER BY visit_at, visit_venue, visit_person, number LIMIT %s"
        )
        bounds: list[Any] = []
        for number, window in enumerate(part, start=first):
            bounds += [
                number,
                window.venue_id,
                adapt(window.since),
                adapt(window.until),
                window.other_than,
            ]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*bounds, *arm_params, limit])
            found += [
                (number, Visit(source, venue, person, _read_time(at)))
                for number, source, venue, person, at in cursor.fetchall()
            ]
    found.sort(key=lambda row: (row[1].at, row[1].venue_id, row[1].person_id, row[0]))
    return found[:limit]


# --- venues ----------------------------------------------------------------------------------


def venues_visible(user: AnyUser) -> QuerySet[Venue]:
    return (
        Venue.objects.filter(scope(user, Capability.INVESTIGATE).units("unit__path"))
        .select_related("unit")
        .order_by("name", "id")
    )


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def venue_create(
    *, actor: AnyUser, unit: Unit, kind: str, name: str, seats: int | None = None
) -> Venue:
    """A venue of ``unit`` with a new venue code, and its rated seats (核定人数) where a plan
    limits the venue to a share of them. Samplers set up the venues of their sampling points;
    other venues are the investigators'."""
    may = user_can(actor, Capability.INVESTIGATE, unit) or (
        kind == VenueKind.SAMPLING_POINT and user_can(actor, Capability.SAMPLE, unit)
    )
    if not may:
        raise PermissionDenied(_("You may not set up venues here."))
    if kind not in VenueKind.values:
        raise ValidationError({"kind": _("Unknown kind of venue.")})
    if not name.strip():
        raise ValidationError({"name": _("Give the venue a name.")})
    if seats is not None and not 1 <= seats <= SEATS_MAX:
        raise ValidationError(
            {"seats": _("Rated seats are between 1 and %(max)d.") % {"max": SEATS_MAX}}
        )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                venue = Venue.objects.create(
                    unit=unit,
                    kind=kind,
                    name=name.strip()[:100],
                    code=_new_code(),
                    seats=seats,
                    created_by=acting_user(actor),
                )
            break
        except IntegrityError:  # the code was taken: draw another
            continue
    else:
        raise ValidationError({"code": _("No free venue code was found; try again.")})
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="venue",
        object_id=venue.pk,
        unit_id=unit.pk,
        summary=f"{venue.get_kind_display()} {venue.name} ({venue.code})",
    )
    return venue


# --- scans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanInput:
    """One scan: the venue by its code, the person by register id or by phone."""

    venue: str
    person_id: int | None = None
    phone: str = ""
    scanned_at: Any = None  # a time; anything else is refused
    row: int | None = None  # the file's row number, for errors


@dataclass
class ScansOutcome:
    scans: int = 0  # scans newly recorded
    unchanged: int = 0  # recorded before (sent again)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, index: int, name: str, reason: str) -> None:
        self.errors.append({"index": index, "field": name, "reason": reason})


def scans_record(*, actor: AnyUser, rows: Iterable[ScanInput]) -> ScansOutcome:
    """Record scans of venues and people of the actor's units; every refused row is reported
    with its index, field and reason, every good one kept. The same scan sent again changes
    nothing."""
    investigators = scope(actor, Capability.INVESTIGATE)
    if investigators.nowhere:
        raise PermissionDenied(_("You may not record scans."))
    inputs = list(rows)
    outcome = ScansOutcome()
    venues = dict(
        Venue.objects.filter(investigators.units("unit__path"))
        .filter(code__in={r.venue for r in inputs if isinstance(r.venue, str)})
        .values_list("code", "pk")
    )
    ids = {r.person_id for r in inputs if type(r.person_id) is int}
    people = set(
        Person.objects.filter(investigators.people(), pk__any=Ids(ids)).values_list("pk", flat=True)
        if ids
        else ()
    )
    phones: dict[int, str] = {}
    for index, row in enumerate(inputs):
        if row.person_id is None and row.phone:
            try:
                phones[index] = normalize_phone(str(row.phone))
            except InvalidIdentity as error:
                outcome.error(row.row or index, "phone", str(error.args[0]))
    by_phone: dict[str, list[int]] = {}
    if phones:
        for phone, pk in Person.objects.filter(
            investigators.people(), phone__in=set(phones.values())
        ).values_list("phone", "pk"):
            by_phone.setdefault(phone, []).append(pk)
    good = list(_checked(inputs, venues, people, phones, by_phone, outcome))
    if good:
        with transaction.atomic():
            outcome.scans = _scans_insert(good)
            outcome.unchanged = len(good) - outcome.scans
            if outcome.scans:
                audit_record(
                    actor=actor,
                    action=AuditAction.CREATE,
                    object_type="scans",
                    unit_id=investigators.covering_unit_id(),
                    summary=_("%(scans)d scans recorded") % {"scans": outcome.scans}
                    + (
                        _(", %(count)d rows refused") % {"count": len(outcome.errors)}
                        if outcome.errors
                        else ""
                    ),
                )
    outcome.errors.sort(key=lambda e: e["index"])
    return outcome


def _scans_insert(rows: list[tuple[int, int, dt.datetime]]) -> int:
    """Insert the scans not recorded yet, in one statement; returns how many were new."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":  # SQLite sums the rows each statement inserted
            adapt = connection.ops.adapt_datetimefield_value  # UTC, as Django writes times
            cursor.executemany(
                "INSERT INTO tracing_scan (venue_id, person_id, scanned_at)"
                " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                [(venue, person, adapt(at)) for venue, person, at in rows],
            )
            return cursor.rowcount
        # Three arrays as text literals: adapting thousands of values one by one costs more than
        # the insert itself.
        venues, people, times = zip(*rows, strict=True)
        arrays = [
            "{" + ",".join(map(str, venues)) + "}",
            "{" + ",".join(map(str, people)) + "}",
            "{" + ",".join(at.isoformat() for at in times) + "}",
        ]
        insert = (
            "INSERT INTO tracing_scan (venue_id, person_id, scanned_at)"
            " SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::timestamptz[])"
        )
        try:
            # Usually every scan is new: a plain INSERT, cheaper than one that checks each row
            # for a conflict first.
            with transaction.atomic():
                cursor.execute(insert, arrays)
        except IntegrityError:
            cursor.execute(insert + " ON CONFLICT DO NOTHING", arrays)
        return cursor.rowcount


def _checked(
    inputs: list[ScanInput],
    venues: dict[str, int],
    people: set[int],
    phones: dict[int, str],
    by_phone: dict[str, list[int]],
    outcome: ScansOutcome,
) -> Iterable[tuple[int, int, dt.datetime]]:
    latest = clock.now() + CLOCK_SKEW
    allowed = dates_allowed()
    for index, row in enumerate(inputs):
        at_index = row.row or index
        bad = False
        venue_id = venues.get(row.venue) if isinstance(row.venue, str) else None
        if venue_id is None:
            reason = _("No venue with the code %(code)s in your units.")
            outcome.error(at_index, "venue", reason % {"code": str(row.venue)[:40]})
            bad = True
        person_id: int | None = None
        if row.person_id is not None:
            if row.person_id in people:
                person_id = row.person_id
            else:
                reason = _("No person %(id)s in your units.")
                outcome.error(at_index, "person", reason % {"id": str(row.person_id)[:20]})
                bad = True
        elif index in phones:
            found = by_phone.get(phones[index], [])
            if len(found) == 1:
                person_id = found[0]
            else:
                outcome.error(
                    at_index,
                    "phone",
                    _("Several people in your units have this phone: give the person.")
                    if found
                    else _("Nobody in your units has this phone."),
                )
                bad = True
        elif not row.phone:
            outcome.error(at_index, "person", _("Give the person or the phone."))
            bad = True
        else:
            bad = True  # the phone was refused already
        at = row.scanned_at
        if problem := moment_problem(at, latest, allowed):
            outcome.error(at_index, "scanned_at", problem)
            bad = True
        if not bad:
            assert venue_id is not None
            assert person_id is not None
            assert isinstance(at, dt.datetime)
            yield venue_id, person_id, at


# --- the case's trajectory -------------------------------------------------------------------


@dataclass(frozen=True)
class TrajectoryRow:
    """A place of the case's trajectory: a visit by the evidence, or a stop the investigator
    entered."""

    at: dt.datetime
    until: dt.datetime | None
    place: str
    region: str
    source: str  # what placed the case there


def _trajectory_since(case: Case) -> tuple[dt.datetime, dt.datetime]:
    return case.reported_at - dt.timedelta(days=TRAJECTORY_DAYS), case.reported_at


def case_trajectory(case: Case) -> list[TrajectoryRow]:
    """The case's visits in the 14 days before the report and the stops entered, in time
    order."""
    visits = person_visits(case.person_id, *_trajectory_since(case))
    venues = {v.pk: v for v in Venue.objects.filter(pk__in={v.venue_id for v in visits})}
    labels = {source.key: str(source.label) for source in _SOURCES}
    rows = [
        TrajectoryRow(visit.at, None, venues[visit.venue_id].name, "", labels[visit.source])
        for visit in visits
    ]
    for stop in case.stops.select_related("venue", "region"):
        rows.append(
            TrajectoryRow(
                stop.from_at,
                stop.to_at,
                stop.venue.name if stop.venue else stop.place,
                stop.region.full_name if stop.region else "",
                _("found by the investigator"),
            )
        )
    return sorted(rows, key=lambda row: row.at)


def cases_visited_regions(cases: Sequence[Case]) -> dict[int, set[str]]:
    """The regions each case's trajectory reached in the 14 days before its report: the region
    of each stop (its venue's unit's where none was written) and of the unit keeping each venue
    the evidence places the person at. Three queries, whatever the number of cases."""
    regions: dict[int, set[str]] = {case.pk: set() for case in cases}
    if not cases:
        return regions
    for case_id, region in (
        Stop.objects.filter(case__in=cases)
        .annotate(zone=Coalesce("region", "venue__unit__region"))
        .values_list("case_id", "zone")
    ):
        if region:
            regions[case_id].add(region)
    visits = _cases_visits(cases)
    venue_regions = dict(
        Venue.objects.filter(
            pk__in={visit.venue_id for seen in visits.values() for visit in seen}
        ).values_list("pk", "unit__region")
    )
    for case_id, seen in visits.items():
        regions[case_id] |= {
            venue_regions[visit.venue_id] for visit in seen if venue_regions.get(visit.venue_id)
        }
    return regions


def _cases_visits(cases: Sequence[Case]) -> dict[int, list[Visit]]:
    """Each case's visits in the 14 days before its report, in time order: one query, whatever
    the number of cases."""
    spans = {case.pk: (case.person_id, *_trajectory_since(case)) for case in cases}
    people = {person for person, _start, _end in spans.values()}
    since = min(start for _person, start, _end in spans.values())
    until = max(end for _person, _start, end in spans.values())
    visits = _visits(
        lambda s: Q(**{f"{s.person}__in": people, f"{s.at}__gte": since, f"{s.at}__lte": until}),
        NEIGHBOUR_VISITS_MAX,
    )
    by_person: dict[int, list[Visit]] = {}
    for visit in visits:
        by_person.setdefault(visit.person_id, []).append(visit)
    return {
        case_id: [visit for visit in by_person.get(person, ()) if start <= visit.at <= end]
        for case_id, (person, start, end) in spans.items()
    }


@transaction.atomic
def stop_add(
    *,
    actor: AnyUser,
    case: Case,
    venue: Venue | None,
    place: str,
    region: Region | None,
    from_at: dt.datetime,
    to_at: dt.datetime,
) -> Stop:
    """A place of the case's trajectory found by the investigator (a venue, or a place in
    words)."""
    if not may_act_on(actor, Capability.INVESTIGATE, case.person):
        raise PermissionDenied(_("You may not change this person."))
    if venue is None and not place.strip():
        raise ValidationError({"place": _("Give the venue or the place.")})
    if to_at < from_at:
        raise ValidationError({"to_at": _("The end comes before the start.")})
    if from_at > clock.now():
        raise ValidationError({"from_at": _("A stop cannot start in the future.")})
    stop = Stop.objects.create(
        case=case,
        venue=venue,
        place=place.strip()[:200],
        region=region,
        from_at=from_at,
        to_at=to_at,
        created_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="trajectory_stop",
        object_id=stop.pk,
        unit_id=case.unit_id,
        summary=f"{venue.name if venue else stop.place} {from_at:%Y-%m-%d %H:%M}"
        f"–{to_at:%Y-%m-%d %H:%M}",
    )
    return stop


# --- candidate contacts ----------------------------------------------------------------------


def _cases_presence(cases: Sequence[Case]) -> dict[int, list[tuple[int, dt.datetime, dt.datetime]]]:
    """(venue, from, to) of each case's visits and stops at a venue, CASE_VISITS_MAX a case: two
    queries, whatever the number of cases."""
    presence: dict[int, list[tuple[int, dt.datetime, dt.datetime]]] = {
        case_id: [(visit.venue_id, visit.at, visit.at) for visit in visits[:CASE_VISITS_MAX]]
        for case_id, visits in _cases_visits(cases).items()
    }
    for case_id, venue_id, from_at, to_at in Stop.objects.filter(
        case__in=cases, venue__isnull=False
    ).values_list("case_id", "venue_id", "from_at", "to_at"):
        presence[case_id].append((venue_id, from_at, to_at))
    return {case_id: places[:CASE_VISITS_MAX] for case_id, places in presence.items()}


@dataclass
class _Overlap:
    """What one person shared with the case: the closest moment, and which of its visits."""

    gap: dt.timedelta
    venue_id: int
    at: dt.datetime
    shared: set[int] = field(default_factory=set)


def contact_window(case: Case) -> dt.timedelta:
    """How long either side of the case's visit another visit to the venue makes a candidate:
    the pack in force at the case's unit says (``contact_window_minutes``)."""
    pack = pack_in_force(case.unit)
    minutes = pack.contact_window_minutes if pack is not None else CONTACT_WINDOW_MINUTES
    return dt.timedelta(minutes=minutes)


def _overlaps(cases: Sequence[Case], known: dict[int, set[int]]) -> dict[int, dict[int, _Overlap]]:
    """Per case, the people (not known to it) who shared a venue with it within its contact
    window, and how: one search of the evidence for every case's visits at once."""
    presence = _cases_presence(cases)
    windows: dict[int, dt.timedelta] = {}  # a contact window per unit
    owners: list[tuple[Case, dt.datetime, dt.datetime]] = []  # the case of each visit window
    searched: list[VisitWindow] = []
    for case in cases:
        if case.unit_id not in windows:
            windows[case.unit_id] = contact_window(case)
        window = windows[case.unit_id]
        for venue_id, start, end in presence[case.pk]:
            owners.append((case, start, end))
            searched.append(VisitWindow(venue_id, start - window, end + window, case.person_id))
    overlaps: dict[int, dict[int, _Overlap]] = {case.pk: {} for case in cases}
    for number, visit in _visits_within(searched, NEIGHBOUR_VISITS_MAX * len(cases)):
        case, start, end = owners[number]
        if visit.person_id in known[case.pk]:
            continue
        gap = max(start - visit.at, visit.at - end, dt.timedelta(0))
        found = overlaps[case.pk]
        overlap = found.setdefault(visit.person_id, _Overlap(gap, visit.venue_id, visit.at))
        overlap.shared.add(number)
        if gap < overlap.gap:
            overlap.gap, overlap.venue_id, overlap.at = gap, visit.venue_id, visit.at
    return overlaps


@transaction.atomic
def contact_candidates_propose(*, actor: AnyUser, cases: Sequence[Case]) -> int:
    """Propose for each case everyone at a venue of its trajectory within the contact window of
    its visit, ranked by the number of shared visits, then by closeness in time; people already
    exposed through the case, or proposed for it before, are not proposed again. Cases confirmed
    at once are searched together, each as if alone. Returns the number newly proposed."""
    for case in cases:
        if not may_act_on(actor, Capability.INVESTIGATE, case.person):
            raise PermissionDenied(_("You may not change this person."))
    if not cases:
        return 0
    known: dict[int, set[int]] = {case.pk: set() for case in cases}
    for case_id, person_id in ContactCandidate.objects.filter(case__in=cases).values_list(
        "case_id", "person_id"
    ):
        known[case_id].add(person_id)
    exposed: dict[int, set[int]] = {}  # by the person they were exposed through
    for via_id, person_id in Exposure.objects.filter(
        via__in={case.person_id for case in cases}
    ).values_list("via_id", "person_id"):
        exposed.setdefault(via_id, set()).add(person_id)
    for case in cases:
        known[case.pk] |= exposed.get(case.person_id, set())
    overlaps = _overlaps(cases, known)
    now = clock.now()
    proposals = {
        case.pk: [
            ContactCandidate(
                case=case,
                person_id=person_id,
                venue_id=overlap.venue_id,
                shared_at=overlap.at,
                visits=len(overlap.shared),
                gap_seconds=int(overlap.gap.total_seconds()),
                proposed_at=now,
            )
            for person_id, overlap in sorted(
                overlaps[case.pk].items(), key=lambda item: (-len(item[1].shared), item[1].gap)
            )[:CANDIDATES_MAX]
        ]
        for case in cases
    }
    ContactCandidate.objects.bulk_create(
        [candidate for listed in proposals.values() for candidate in listed],
        ignore_conflicts=True,
    )
    for case in cases:
        if proposals[case.pk]:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                object_type="contact_candidate",
                unit_id=case.unit_id,
                summary=_("%(count)d candidate contacts proposed by venue codes")
                % {"count": len(proposals[case.pk])},
                changes={"case": [None, case.pk]},
            )
    return sum(len(listed) for listed in proposals.values())


def candidates_visible(user: AnyUser, case: Case) -> QuerySet[ContactCandidate]:
    """The case's proposed contacts the user may see, the most overlapping first."""
    return (
        ContactCandidate.objects.filter(case=case)
        .filter(scope(user, Capability.VIEW_PEOPLE).people("person__"))
        .select_related("person", "venue")
        .order_by("-visits", "gap_seconds", "id")
    )


SCAN_COLUMNS = TableColumns(
    Column("venue", gettext_lazy("venue code"), ("场所编码",), required=True),
    Column("person", gettext_lazy("person number"), ("人员编号",)),
    Column("phone", gettext_lazy("phone"), ("手机号", "电话")),
    Column("scanned_at", gettext_lazy("scanned at"), ("扫码时间", "时间"), required=True),
)


def scans_import(*, actor: AnyUser, path: Path) -> ScansOutcome:
    """A file of scans (.xlsx or .csv): a header row naming the columns (场所码, 人员编号 or
    手机号, 扫码时间); errors name the file's row numbers and columns."""

    def inputs() -> Iterable[ScanInput]:
        for number, cells in read_rows(path, SCAN_COLUMNS):
            at = cells.get("scanned_at")
            person = whole_number(str(cells.get("person") or "").strip())
            yield ScanInput(
                venue=str(cells.get("venue") or "").strip(),
                person_id=person,
                phone=str(cells.get("phone") or "").strip(),
                scanned_at=at if isinstance(at, dt.datetime) else local_datetime_parse(str(at)),
                row=number,
            )

    outcome = scans_record(actor=actor, rows=inputs())
    for error in outcome.errors:
        error["label"] = SCAN_COLUMNS.label(error["field"])
    return outcome

"""Transmission chains (传播链): the case–contact graph of the people a user may see.

Nodes are people who are cases or contacts, edges the exposures (``via`` → ``person``). The node
set and its names are found in one statement (a recursive CTE for a chain, whose every step keeps
to the people the user may see, so that a chain never passes through another county), then its
edges (whose latest gives each person drawn their exposure) and cases in one query each, and the
latest exposure of the few nobody drawn exposed: a constant number of queries at any size, at
most ``NODE_CAP`` nodes. Positions of both layouts are computed here, so that the browser draws
tens of thousands of nodes without running a layout.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.inputs import BadInput, query_date, query_int
from fangkong.core.lookups import Ids
from fangkong.org.access import AnyUser, scope
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.tracing.models import Case, Exposure, Outbreak
from fangkong.tracing.selectors import cases_visible, outbreaks_visible

NODE_CAP = 50_000
# The clusters listed beside the graph, largest first.
CLUSTERS_SHOWN = 50
# Spacing of the preset positions, in Cytoscape's model units.
DAY_WIDTH = 160
ROW_HEIGHT = 40
GENERATION_HEIGHT = 160
COLUMN_WIDTH = 60
# The columns of a node and of an edge in the JSON; the timeline layout places a node at
# (timeline_x, timeline_y), the tree layout at (tree_x, tree_y).
NODE_FIELDS = (
    "id",
    "name",
    "kind",
    "case",
    "day",
    "generation",
    "cluster",
    "timeline_x",
    "timeline_y",
    "tree_x",
    "tree_y",
)
EDGE_FIELDS = ("source", "target", "kind")


@dataclass(frozen=True)
class GraphFilter:
    """Which part of the graph: a case's chain, an outbreak's chains, a date range (of the
    reports and exposures drawn), or everything the user sees."""

    case: Case | None = None
    outbreak: Outbreak | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def graph_filter_read(user: AnyUser, data: Mapping[str, str]) -> GraphFilter:
    """The filter from a query string; anything unreadable, unknown or out of the user's scope is
    refused naming the field (400)."""
    case_id = query_int(data, "case")
    outbreak_id = query_int(data, "outbreak")
    since = query_date(data, "since", dt.date.min) if data.get("since") else None
    until = query_date(data, "until", dt.date.max) if data.get("until") else None
    if since and until and since > until:
        raise BadInput("until", _("The end date is before the start date."))
    case = outbreak = None
    if case_id is not None:
        case = cases_visible(user).filter(pk=case_id).first()
        if case is None:
            raise BadInput("case", _("No such case in your units."))
    if outbreak_id is not None:
        outbreak = outbreaks_visible(user).filter(pk=outbreak_id).first()
        if outbreak is None:
            raise BadInput("outbreak", _("No such outbreak in your units."))
    return GraphFilter(case, outbreak, since, until)


def _bounds(chosen: GraphFilter) -> tuple[dt.datetime, dt.datetime]:
    """The date range as moments: from the start of ``since`` to the end of ``until``."""
    zone = timezone.get_current_timezone()
    low = dt.datetime.combine(chosen.since or dt.date(1900, 1, 2), dt.time.min, zone)
    high = dt.datetime.combine(chosen.until or dt.date(9999, 12, 30), dt.time.max, zone)
    return low, high


def _nodes(user: AnyUser, chosen: GraphFilter) -> list[tuple[int, str]]:
    """The people of the graph with their names, at most ``NODE_CAP`` + 1 (one more says "cut
    off"); the name comes from the join that checks the person may be seen."""
    visible, visible_params = scope(user, Capability.VIEW_PEOPLE).people_sql("p.id", "u.path")
    person_of = " JOIN people_person p ON p.id = {0} JOIN org_unit u ON u.id = p.unit_id"
    low, high = (connection.ops.adapt_datetimefield_value(moment) for moment in _bounds(chosen))
    # One step along the exposures (e), to a person the user may see, within the dates.
    step = f" WHERE {visible} AND e.last_exposed_at BETWEEN %s AND %s"
    step_params: list[Any] = [*visible_params, low, high]
    params: list[Any]
    seed_params: list[Any]
    if chosen.case is None and chosen.outbreak is None:
        sql = (
            "SELECT c.person_id AS id, p.name AS name FROM tracing_case c"  # noqa: S608 - our columns
            + person_of.format("c.person_id")
            + f" WHERE {visible} AND c.reported_at BETWEEN %s AND %s"
            + " UNION SELECT e.person_id, p.name FROM tracing_exposure e"
            + person_of.format("e.person_id")
            + step
        )
        params = [*visible_params, low, high, *step_params]
    else:
        if chosen.case is not None:
            seeds = "SELECT id, name FROM people_person WHERE id = %s"
            seed_params = [chosen.case.person_id]
        else:
            # The outbreak's cases of people the user may see.
            seeds = (
                "SELECT c.person_id, p.name FROM tracing_case c"  # noqa: S608 - our columns
                + person_of.format("c.person_id")
                + f" WHERE {visible} AND c.outbreak_id = %s"
            )
            seed_params = [*visible_params, getattr(chosen.outbreak, "pk", None)]
        down = (
            f"down(id, name) AS ({seeds} UNION SELECT e.person_id, p.name FROM down"  # noqa: S608 - our columns
            " JOIN tracing_exposure e ON e.via_id = down.id"
            + person_of.format("e.person_id")
            + step
            + ")"
        )
        sql = f"WITH RECURSIVE {down} SELECT id, name FROM down"  # noqa: S608 - our columns
        params = [*seed_params, *step_params]
        if chosen.case is not None:
            # The chain of a case also runs upward, to its source.
            up = (
                f"up(id, name) AS ({seeds} UNION SELECT e.via_id, p.name FROM up"  # noqa: S608 - our columns
                " JOIN tracing_exposure e ON e.person_id = up.id"
                + person_of.format("e.via_id")
                + step
                + ")"
            )
            both = "SELECT id, name FROM down UNION SELECT id, name FROM up"
            sql = f"WITH RECURSIVE {down}, {up} {both}"  # noqa: S608 - our columns
            params = [*params, *seed_params, *step_params]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name FROM ({sql}) g LIMIT %s", [*params, NODE_CAP + 1])  # noqa: S608 - our columns
        return cursor.fetchall()


def _generations_and_clusters(
    ids: list[int], edges: list[tuple[int, int]]
) -> tuple[dict[int, int], dict[int, int]]:
    """Each node's generation (its distance from the nearest node nobody in the graph infected)
    and its cluster (the smallest id of its connected component), in one walk: a breadth-first
    walk from the uninfected labels each node with the start it came from, and every edge
    between two starts' labels joins them (union-find over the starts, which are few)."""
    children: dict[int, list[int]] = {}
    infected: set[int] = set()
    for source, target in edges:
        children.setdefault(source, []).append(target)
        infected.add(target)
    generation: dict[int, int] = {}
    label: dict[int, int] = {}
    joined: dict[int, int] = {}

    def start(node: int) -> None:
        generation[node] = 0
        label[node] = joined[node] = node
        queue.append(node)

    def root(key: int) -> int:
        while joined[key] != key:
            joined[key] = joined[joined[key]]
            key = joined[key]
        return key

    queue: deque[int] = deque()
    for node in ids:
        if node not in infected:
            start(node)
    pending = iter(ids)
    while True:
        while queue:
            node = queue.popleft()
            own = label[node]
            below = generation[node] + 1
            for child in children.get(node, ()):
                other = label.get(child)
                if other is None:
                    generation[child] = below
                    label[child] = own
                    queue.append(child)
                elif other != own:
                    a, b = root(other), root(own)
                    if a != b:
                        joined[max(a, b)] = min(a, b)
        # A loop with no way in (A infected B, B infected A) starts at its smallest id.
        rest = next((node for node in pending if node not in generation), None)
        if rest is None:
            break
        start(rest)
    component = {key: root(key) for key in joined}
    smallest: dict[int, int] = {}
    for node in ids:  # ascending: the first node of a component is its smallest
        smallest.setdefault(component[label[node]], node)
    return generation, {node: smallest[component[label[node]]] for node in ids}


def _latest_exposures(people: list[int]) -> dict[int, tuple[str, dt.date]]:
    """Each person's latest exposure, its kind and day, by one index probe a person: a join of
    thousands of people to the exposures is planned as a scan of all of them."""
    if not people:
        return {}
    latest = Exposure.objects.filter(person_id=OuterRef("pk")).order_by("-last_exposed_at", "-id")
    found = {}
    for person_id, exposure in (
        Person.objects.filter(pk__any=Ids(people))
        .order_by()
        .annotate(
            exposure=Subquery(
                latest.annotate(
                    text=Concat("kind", Value(" "), Cast(TruncDate("last_exposed_at"), CharField()))
                ).values("text")[:1]
            )
        )
        .values_list("pk", "exposure")
    ):
        if exposure:
            kind, _space, day = exposure.partition(" ")
            found[person_id] = (kind, dt.date.fromisoformat(day))
    return found


def graph_build(user: AnyUser, chosen: GraphFilter) -> dict[str, Any]:
    """The graph as JSON-ready data: nodes with both layouts' positions, edges, clusters."""
    found = _nodes(user, chosen)
    truncated = len(found) > NODE_CAP
    names = dict(found[:NODE_CAP])
    ids = sorted(names)
    low, high = _bounds(chosen)
    latest_edge: dict[tuple[int, int], str] = {}
    # A person's exposure is the latest one drawn (the rows come oldest first); its day comes as
    # text, read once for each distinct day.
    exposures: dict[int, tuple[str, dt.date]] = {}
    day_of: dict[str, dt.date] = {}
    for via_id, person_id, kind, day in (
        Exposure.objects.filter(
            person_id__any=Ids(ids),
            via_id__any=Ids(ids),
            last_exposed_at__range=(low, high),
        )
        .annotate(day=Cast(TruncDate("last_exposed_at"), CharField()))
        .order_by("last_exposed_at", "id")
        .values_list("via_id", "person_id", "kind", "day")
    ):
        on = day_of.get(day)
        if on is None:
            on = day_of[day] = dt.date.fromisoformat(day)
        exposures[person_id] = (kind, on)
        if via_id != person_id:
            latest_edge[(via_id, person_id)] = kind
    edges = list(latest_edge)
    # Days, not times, come from the database: parsing 40,000 times costs more than the rest.
    cases: dict[int, tuple[int, str, dt.date, int]] = {}
    for order, (case_id, person_id, kind, day) in enumerate(
        Case.objects.filter(person_id__any=Ids(ids))
        .annotate(day=TruncDate("reported_at"))
        .order_by("reported_at", "id")
        .values_list("pk", "person_id", "kind", "day")
    ):
        cases[person_id] = (case_id, kind, day, order)  # the latest case of the person
    # Whoever nobody drawn exposed, and no case: their latest exposure at all (one index probe
    # a person; the roots of a graph are few).
    exposures.update(_latest_exposures([n for n in ids if n not in exposures and n not in cases]))
    generation, cluster = _generations_and_clusters(ids, edges)
    today = timezone.localdate()
    days = dict.fromkeys(ids, today)
    days.update((node, day) for node, (_kind, day) in exposures.items())
    days.update((node, case[2]) for node, case in cases.items())
    first_day = min(days.values(), default=today)
    day_text = {
        day: (day.isoformat(), (day - first_day).days * DAY_WIDTH) for day in set(days.values())
    }
    timeline_rows: dict[dt.date, int] = defaultdict(int)
    generation_columns: dict[int, int] = defaultdict(int)
    # One row per node, in the order of NODE_FIELDS: columns, not objects, halve the JSON.
    nodes = []
    for node in sorted(ids, key=lambda n: (generation[n], days[n], n)):
        day, gen = days[node], generation[node]
        row = timeline_rows[day]
        timeline_rows[day] = row + 1
        column = generation_columns[gen]
        generation_columns[gen] = column + 1
        case = cases.get(node)
        exposure = exposures.get(node)
        text, x = day_text[day]
        nodes.append(
            (
                node,
                names.get(node, ""),
                case[1] if case else exposure[0] if exposure else "",
                case[0] if case else None,
                text,
                gen,
                cluster[node],
                x,
                row * ROW_HEIGHT,
                column * COLUMN_WIDTH,
                gen * GENERATION_HEIGHT,
            )
        )
    return {
        "node_fields": NODE_FIELDS,
        "nodes": nodes,
        "edge_fields": EDGE_FIELDS,
        "edges": [(via, person, kind) for (via, person), kind in latest_edge.items()],
        "clusters": _clusters(cluster, cases, names),
        "truncated": truncated,
        "cap": NODE_CAP,
    }


def _clusters(
    cluster: dict[int, int], cases: dict[int, tuple[int, str, dt.date, int]], names: dict[int, str]
) -> list[dict[str, Any]]:
    """The connected components, largest first, each with its size and earliest case."""
    members: dict[int, list[int]] = defaultdict(list)
    for node, key in cluster.items():
        members[key].append(node)
    listed = []
    for key, nodes in sorted(members.items(), key=lambda item: (-len(item[1]), item[0])):
        with_case = [node for node in nodes if node in cases]
        earliest = min(with_case, key=lambda n: cases[n][3]) if with_case else None
        listed.append(
            {
                "id": key,
                "size": len(nodes),
                "earliest": None
                if earliest is None
                else {
                    "person": earliest,
                    "name": names.get(earliest, ""),
                    "case": cases[earliest][0],
                    "day": cases[earliest][2].isoformat(),
                },
            }
        )
        if len(listed) == CLUSTERS_SHOWN:
            break
    return listed

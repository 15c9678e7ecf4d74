"""Transmission chains: the case–contact graph through its API and page (issue 14, item 4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse

from conftest import TODAY, County, Personas, login, make_resident_id
from fangkong.people.models import Person
from fangkong.people.services import PersonInput, person_create
from fangkong.tracing.models import Case
from fangkong.tracing.services import case_report, exposure_record, outbreak_declare


@dataclass
class Chain:
    source: Person  # 甲村, confirmed
    contact_a: Person  # 甲村, close contact of the source
    contact_b: Person  # 乙村, close contact of the source, confirmed later
    secondary_b: Person  # 乙村, secondary contact through contact_b
    stranger: Person  # 甲村, a case of another cluster
    source_case: Case
    contact_b_case: Case
    stranger_case: Case


def _person(personas: Personas, name: str, unit, sequence: str) -> Person:
    return person_create(
        actor=personas.commander,
        data=PersonInput(
            name=name,
            id_type="resident",
            id_number=make_resident_id(sequence=sequence),
            unit=unit,
            categories=["resident"],
        ),
    )


@pytest.fixture
def chain(county: County, personas: Personas) -> Chain:
    epi = personas.epidemiologist
    source = _person(personas, "源头甲", county.grid_a, "101")
    contact_a = _person(personas, "密接甲", county.grid_a, "102")
    contact_b = _person(personas, "密接乙", county.grid_b, "103")
    secondary_b = _person(personas, "次密接乙", county.grid_b, "104")
    stranger = _person(personas, "另案丙", county.grid_a, "105")
    met = TODAY - dt.timedelta(days=3)
    source_case = case_report(
        actor=epi, person=source, kind="confirmed", reported_at=TODAY - dt.timedelta(days=2)
    )
    exposure_record(
        actor=epi, person=contact_a, kind="close_contact", last_exposed_at=met, via=source
    )
    exposure_record(
        actor=epi, person=contact_b, kind="close_contact", last_exposed_at=met, via=source
    )
    exposure_record(
        actor=epi,
        person=secondary_b,
        kind="secondary_contact",
        last_exposed_at=TODAY - dt.timedelta(days=1),
        via=contact_b,
    )
    contact_b_case = case_report(actor=epi, person=contact_b, kind="confirmed")
    stranger_case = case_report(actor=epi, person=stranger, kind="asymptomatic")
    return Chain(
        source,
        contact_a,
        contact_b,
        secondary_b,
        stranger,
        source_case,
        contact_b_case,
        stranger_case,
    )


def _graph(client, **query) -> dict:
    response = client.get(reverse("case-graph-data"), query)
    assert response.status_code == 200, response.content
    return response.json()


def _nodes(graph: dict) -> list[dict]:
    return [dict(zip(graph["node_fields"], row, strict=True)) for row in graph["nodes"]]


def _names(graph: dict) -> set[str]:
    return {node["name"] for node in _nodes(graph)}


def test_h01_the_chain_of_a_case_reaches_its_source_and_everyone_it_infected(chain, personas):
    county_epi = login(personas.epidemiologist)
    # when the epidemiologist asks for the chain of the later case
    graph = _graph(county_epi, case=chain.contact_b_case.pk)
    # then it runs up to the source and down to the secondary contact, and no further
    assert _names(graph) == {"源头甲", "密接乙", "次密接乙"}
    by_id = {node["id"]: node for node in _nodes(graph)}
    assert graph["edge_fields"] == ["source", "target", "kind"]
    assert {
        (by_id[source]["name"], by_id[target]["name"]) for source, target, _ in graph["edges"]
    } == {
        ("源头甲", "密接乙"),
        ("密接乙", "次密接乙"),
    }
    # coloured by case and contact kind, each node a generation further, placed by date
    assert {
        (node["name"], node["kind"], node["generation"], node["day"]) for node in _nodes(graph)
    } == {
        ("源头甲", "confirmed", 0, "2022-01-30"),
        ("密接乙", "confirmed", 1, "2022-02-01"),
        ("次密接乙", "secondary_contact", 2, "2022-01-31"),
    }
    timeline_x = {node["name"]: node["timeline_x"] for node in _nodes(graph)}
    assert timeline_x["源头甲"] < timeline_x["次密接乙"] < timeline_x["密接乙"]
    # one cluster, whose earliest case is the source
    assert [(c["size"], c["earliest"]["name"]) for c in graph["clusters"]] == [(3, "源头甲")]
    # when the chain of the source is asked: everyone it reached
    assert _names(_graph(county_epi, case=chain.source_case.pk)) == {
        "源头甲",
        "密接甲",
        "密接乙",
        "次密接乙",
    }


def test_h01_the_whole_graph_lists_clusters_and_filters_by_outbreak_and_dates(chain, personas):
    county_epi = login(personas.epidemiologist)
    graph = _graph(county_epi)
    assert _names(graph) == {"源头甲", "密接甲", "密接乙", "次密接乙", "另案丙"}
    assert [(c["size"], c["earliest"]["name"]) for c in graph["clusters"]] == [
        (4, "源头甲"),
        (1, "另案丙"),
    ]
    # an outbreak: its cases' chains, down from each
    outbreak = outbreak_declare(
        actor=personas.epidemiologist,
        case_ids=[chain.contact_b_case.pk, chain.stranger_case.pk],
    )
    assert _names(_graph(county_epi, outbreak=outbreak.pk)) == {"密接乙", "次密接乙", "另案丙"}
    # the last day alone: the cases reported today, without the older exposures
    assert _names(_graph(county_epi, since="2022-02-01", until="2022-02-01")) == {
        "密接乙",
        "另案丙",
    }


def test_h01_the_chain_page_draws_the_graph_with_cytoscape_and_links_to_people(chain, personas):
    county_epi = login(personas.epidemiologist)
    case_page = county_epi.get(reverse("case-detail", args=[chain.contact_b_case.pk]))
    chain_url = f"{reverse('case-graph')}?case={chain.contact_b_case.pk}"
    assert chain_url.encode() in case_page.content
    response = county_epi.get(
        reverse("case-graph"), {"case": chain.contact_b_case.pk, "layout": "tree"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "密接乙的病例的传播链" in page.replace("“", "").replace("”", "")
    assert "vendor/cytoscape/cytoscape.min.js" in page
    api_url = f"{reverse('case-graph-data')}?case={chain.contact_b_case.pk}&amp;layout=tree"
    assert f'data-api="{api_url}"' in page
    assert 'data-layout="tree"' in page
    assert f'data-person-url="{reverse("person-detail", args=[0])}"' in page


def test_h01_a_neighbour_sees_none_of_another_units_nodes(chain, personas):
    neighbour = login(personas.worker_b)
    # the whole graph of 乙村: its two people, the source in 甲村 unseen (and no edge to it)
    graph = _graph(neighbour)
    assert _names(graph) == {"密接乙", "次密接乙"}
    assert len(graph["edges"]) == 1
    # the chain of 乙村's case stops at the village's edge
    assert _names(_graph(neighbour, case=chain.contact_b_case.pk)) == {"密接乙", "次密接乙"}
    # a case of 甲村 is unknown here, on the API and on the page
    response = neighbour.get(reverse("case-graph-data"), {"case": chain.source_case.pk})
    assert response.status_code == 400
    assert response.json() == {"case": ["您的单位中没有此病例。"]}
    assert neighbour.get(reverse("case-graph"), {"case": chain.source_case.pk}).status_code == 400
    # and a lab sees no graph at all
    assert login(personas.lab).get(reverse("case-graph")).status_code == 403


def test_h01_a_contact_exposed_by_someone_unseen_is_drawn_with_their_own_exposure(
    chain, county, personas
):
    # a villager of 乙村 met the source of 甲村, whom 乙村's grid worker may not see
    met = TODAY - dt.timedelta(days=4)
    late = _person(personas, "密接乙二", county.grid_b, "106")
    exposure_record(
        actor=personas.epidemiologist, person=late, kind="close_contact", last_exposed_at=met,
        via=chain.source,
    )  # fmt: skip
    graph = _graph(login(personas.worker_b))
    # drawn without the edge, but as the close contact they are, on the day they were exposed
    node = next(node for node in _nodes(graph) if node["name"] == "密接乙二")
    assert (node["kind"], node["day"], node["case"]) == (
        "close_contact",
        met.date().isoformat(),
        None,
    )
    assert chain.source.pk not in {node["id"] for node in _nodes(graph)}
    assert not [edge for edge in graph["edges"] if edge[1] == late.pk]


@pytest.mark.parametrize(
    ("query", "key", "field"),
    [
        ({"case": "abc"}, "case", "病例"),
        ({"case": "-1"}, "case", "病例"),
        ({"outbreak": "999999"}, "outbreak", "聚集性疫情"),
        ({"since": "2022-02-30"}, "since", "开始日期"),
        ({"since": "2022-02-01", "until": "2022-01-01"}, "until", "结束日期"),
        ({"layout": "spiral"}, "layout", "布局"),
    ],
)
def test_h01_tampered_filters_are_refused_naming_the_field(chain, personas, query, key, field):
    county_epi = login(personas.epidemiologist)
    page = county_epi.get(reverse("case-graph"), query)
    assert page.status_code == 400
    assert field in page.content.decode()
    if key != "layout":
        api = county_epi.get(reverse("case-graph-data"), query)
        assert api.status_code == 400
        assert list(api.json()) == [key]

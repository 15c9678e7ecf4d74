"""The pharmacy purchase register (issue 16, item 7): a sale recorded at the counter or imported
opens the pack's report and the buyer's follow-up test, through the page and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import login, make_resident_id, make_user
from fangkong.audit.models import AuditEvent
from fangkong.core import clock
from fangkong.labs.models import Sample
from fangkong.labs.sampling import samples_record
from fangkong.labs.tests.test_labs import lab, pool, screening  # noqa: F401 - fixtures
from fangkong.obligations.models import Obligation
from fangkong.org.roles import Role
from fangkong.org.services import unit_create
from fangkong.people.identity import mask_id_number
from fangkong.people.models import Person
from fangkong.pharmacy.models import DrugSale
from fangkong.policy.services import plan_assign

pytestmark = pytest.mark.django_db

BUYER_ID = make_resident_id(sequence="201")


@pytest.fixture
def pharmacy(county):
    return unit_create(
        code="PH1", name="益康大药房", kind="pharmacy", region=county.township.region,
        parent=county.township,
    )  # fmt: skip


@pytest.fixture
def pharmacist(pharmacy):
    return make_user("pharmacist", Role.PHARMACIST, pharmacy)


def _plan(county, personas, pack_id: str) -> None:
    plan_assign(
        actor=personas.commander, unit=county.hq, pack_id=pack_id,
        start_date=dt.date(2022, 1, 1), end_date=None,
    )  # fmt: skip


def _sale(pharmacy, village, **changes) -> dict:
    return {
        "pharmacy": pharmacy.pk,
        "name": "赵六",
        "id_number": BUYER_ID,
        "phone": "13800138002",
        "village": village.pk,
        "address": "甲村3组",
        "category": "fever",
        "sold_at": (clock.now() - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "temperature": "38.2",
        **changes,
    }


def test_k01_k02_k05_g02_p01_a_sale_opens_the_2h_report_and_the_villages_follow_up_met_by_a_sample(
    county,
    personas,
    pharmacy,
    pharmacist,
    screening,  # noqa: F811
):
    # given P01 in force and a pharmacist at the counter
    _plan(county, personas, "P01-rural-winter")
    counter = login(pharmacist)
    # when a buyer of a fever drug is recorded on the quick form
    response = counter.post(reverse("sale-list"), _sale(pharmacy, county.village_a))
    # then the buyer is in village A's register, and the sale opens the report to the township
    # health centre due 2 h after the sale (G-02, K-02), owed by the pharmacy
    assert response.status_code == 302
    sale = DrugSale.objects.get()
    buyer = Person.objects.get(pk=sale.person_id)
    assert (buyer.name, buyer.unit) == ("赵六", county.village_a)
    report = Obligation.objects.of_drug_sale(sale.pk).get(kind="report")
    assert report.unit == pharmacy
    assert report.due_at == sale.sold_at + dt.timedelta(hours=2)
    assert report.clause.startswith("G-02, K-02")
    # and the buyer's follow-up test is owed by their village
    follow_up = Obligation.objects.of_drug_sale(sale.pk).get(kind="test")
    assert (follow_up.unit, follow_up.person) == (county.village_a, buyer)
    page = counter.get(reverse("sale-list")).content.decode()
    assert "赵六" in page
    assert BUYER_ID not in page
    # when the pharmacy marks the sale reported, and the village swabs the buyer
    assert counter.post(reverse("sale-reported", args=[sale.pk])).status_code == 302
    samples_record(
        actor=personas.worker_a, round=screening, unit=county.village_a,
        rows=pool("T3000", [buyer]),
    )  # fmt: skip
    # then both are met
    report.refresh_from_db()
    follow_up.refresh_from_db()
    assert (report.status, follow_up.status) == ("met", "met")
    assert Sample.objects.filter(person=buyer).count() == 1
    assert AuditEvent.objects.filter(object_type="drug_sale", object_id=str(sale.pk)).exists()


def test_k03_p06_a_sale_is_reported_to_the_regulator_the_same_day_through_the_api(
    county, personas, pharmacy, pharmacist, person_a
):
    # given P06 in force and a buyer already in the register
    _plan(county, personas, "P06-township-autumn")
    client = APIClient()
    client.force_authenticate(pharmacist)
    # when the pharmacy's system posts a sale of cough medicine with the buyer's ID number
    response = client.post(
        "/api/pharmacy-sales/",
        _sale(
            pharmacy, county.village_b, id_number=make_resident_id(sequence="011"), category="cough"
        )
        | {"sold_at": clock.now().isoformat()},
        format="json",
    )
    # then the buyer is matched by ID number (the register keeps them where they are) and the
    # report is due within the day (K-03: 及时)
    assert response.status_code == 201, response.json()
    sale = DrugSale.objects.get()
    assert sale.person == person_a
    assert Person.objects.count() == 1
    report = Obligation.objects.of_drug_sale(sale.pk).get(kind="report")
    assert report.due_at == clock.now() + dt.timedelta(hours=24)
    follow_up = Obligation.objects.of_drug_sale(sale.pk).get(kind="test")
    assert follow_up.unit == person_a.unit
    reported = client.post(f"/api/pharmacy-sales/{sale.pk}/reported/")
    assert reported.status_code == 200
    report.refresh_from_db()
    assert report.status == "met"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", "52011319900307120X"),
        ("category", "vitamins"),
        ("temperature", "47.5"),
        ("sold_at", "2099-01-01T10:00"),
        ("village", "0"),
    ],
)
def test_k01_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    county, personas, pharmacy, pharmacist, field, value
):
    _plan(county, personas, "P01-rural-winter")
    data = _sale(pharmacy, county.village_a) | {field: value}
    page = login(pharmacist).post(reverse("sale-list"), data)
    assert page.status_code == 400
    client = APIClient()
    client.force_authenticate(pharmacist)
    api = client.post("/api/pharmacy-sales/", data, format="json")
    assert api.status_code == 400
    assert field in api.json()
    assert not DrugSale.objects.exists()
    assert not Person.objects.exists()
    assert not Obligation.objects.exists()


def test_k01_a_pharmacist_of_another_pharmacy_sees_nothing_and_may_not_record_for_it(
    county, personas, pharmacy, pharmacist
):
    _plan(county, personas, "P01-rural-winter")
    assert login(pharmacist).post(reverse("sale-list"), _sale(pharmacy, county.village_a))
    sale = DrugSale.objects.get()
    other = unit_create(
        code="PH2", name="仁和药店", kind="pharmacy", region=county.township.region,
        parent=county.township,
    )  # fmt: skip
    neighbour = make_user("neighbour", Role.PHARMACIST, other)
    page = login(neighbour).get(reverse("sale-list")).content.decode()
    assert "赵六" not in page
    client = APIClient()
    client.force_authenticate(neighbour)
    assert client.get("/api/pharmacy-sales/").json()["results"] == []
    assert client.get(f"/api/pharmacy-sales/{sale.pk}/").status_code == 404
    assert client.post(f"/api/pharmacy-sales/{sale.pk}/reported/").status_code == 404
    refused = client.post(
        "/api/pharmacy-sales/", _sale(pharmacy, county.village_a, id_number=BUYER_ID)
    )
    assert refused.status_code == 404
    assert login(neighbour).post(reverse("sale-reported", args=[sale.pk])).status_code == 404
    # a village worker keeps the register, not the sales
    assert login(personas.worker_a).get(reverse("sale-list")).status_code == 403
    assert DrugSale.objects.get().reported_at is None


def test_k01_an_import_keeps_good_rows_lists_bad_ones_and_changes_nothing_the_second_time(
    county, personas, pharmacy, pharmacist
):
    _plan(county, personas, "P01-rural-winter")
    counter = login(pharmacist)
    valid = make_resident_id(sequence="205")
    mistyped = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    text = (
        "姓名,身份证号,电话,村(社区),药品类别,售药时间,体温\n"
        f"赵六,{BUYER_ID},13800138002,甲村,退烧药,2022-02-01 17:00,38.1\n"
        f"钱七,{make_resident_id(sequence='202')},,VB,抗生素,2022-02-01 17:10,\n"
        f"孙八,{make_resident_id(sequence='203')},,丙村,止咳药,2022-02-01 17:20,\n"
        f"李九,{make_resident_id(sequence='204')},,甲村,止咳药,昨天,\n"
        f"周十,{mistyped},,甲村,止咳药,2022-02-01 17:30,\n"
    )

    def upload():
        return counter.post(
            reverse("sale-import"),
            {"pharmacy": pharmacy.pk, "file": SimpleUploadedFile("sales.csv", text.encode())},
        )

    first = upload().content.decode()
    assert 'data-testid="sale-import-report"' in first
    assert "丙村" in first
    assert "昨天" in first
    # the mistyped ID number is refused and shown masked, as the register shows one
    assert mistyped not in first
    assert mask_id_number(mistyped) in first
    assert DrugSale.objects.count() == 2
    assert Obligation.objects.filter(kind="report").count() == 2
    upload()
    assert DrugSale.objects.count() == 2
    assert Obligation.objects.count() == 4


def test_k04_the_command_view_counts_each_pharmacys_sales_and_open_follow_ups(
    county, personas, pharmacy, pharmacist
):
    # given two sales today, neither buyer swabbed yet
    _plan(county, personas, "P01-rural-winter")
    counter = login(pharmacist)
    counter.post(reverse("sale-list"), _sale(pharmacy, county.village_a))
    counter.post(
        reverse("sale-list"),
        _sale(pharmacy, county.village_b, id_number=make_resident_id(sequence="202")),
    )
    # when the commander opens the command view
    page = login(personas.commander).get("/")
    # then the pharmacy's panel shows 2 today, 2 in 7 days, 2 follow-ups open
    counts = page.context["pharmacies"]
    assert [(c.name, c.today, c.week, c.follow_ups_open) for c in counts] == [
        ("益康大药房", 2, 2, 2)
    ]
    assert 'data-testid="pharmacy-counts"' in page.content.decode()
    # and a village worker, who keeps no pharmacy, has no such panel
    assert login(personas.worker_a).get("/").context["pharmacies"] == []


@pytest.mark.parametrize("sales", [1, 3])
def test_k01_the_sales_page_and_api_cost_the_same_queries_for_any_number_of_sales(
    county, personas, pharmacy, pharmacist, django_assert_num_queries, sales
):
    _plan(county, personas, "P01-rural-winter")
    counter = login(pharmacist)
    for n in range(sales):
        counter.post(
            reverse("sale-list"),
            _sale(pharmacy, county.village_a, id_number=make_resident_id(sequence=f"3{n:02d}")),
        )
    with django_assert_num_queries(PAGE_QUERIES):
        assert counter.get(reverse("sale-list")).status_code == 200
    client = APIClient()
    client.force_authenticate(pharmacist)
    with django_assert_num_queries(API_QUERIES):
        assert len(client.get("/api/pharmacy-sales/").json()["results"]) == sales


# As measured; what matters is that they do not grow with the sales shown.
PAGE_QUERIES = 10
API_QUERIES = 2

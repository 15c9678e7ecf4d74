"""Error pages in Chinese inside the layout, each with a way back (issue 13, item 3)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

from conftest import login
from fangkong.config import urls as site_urls


def _boom(request):
    raise RuntimeError("a bug")


# The site's own urls and error handlers, plus a page that fails.
urlpatterns = [path("boom/", _boom), *site_urls.urlpatterns]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500


def _in_layout(page: str) -> bool:
    return "防控 Fangkong" in page and 'href="/"' in page and "回到首页" in page


@pytest.mark.django_db
def test_audit_forbidden_to_a_grid_worker_is_a_chinese_page_in_the_layout(personas):
    # given a grid worker, who holds no audit role, coming from their register
    client = login(personas.worker_a)
    # when they open the audit trail
    response = client.get("/audit/", HTTP_REFERER="http://testserver/people/")
    # then a Chinese 403 in the layout, with their menu and the ways back
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in page
    assert "Forbidden" not in page
    assert _in_layout(page)
    assert 'href="/people/"' in page  # the menu, and 返回上一页 to where they came from
    assert "返回上一页" in page


@pytest.mark.django_db
def test_unknown_page_is_a_chinese_404_in_the_layout(personas):
    response = login(personas.worker_a).get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page
    assert "Not Found" not in page
    assert _in_layout(page)
    assert "返回上一页" not in page  # typed in: nowhere of ours to go back to


@pytest.mark.django_db
def test_record_outside_the_units_raises_404_into_the_chinese_page(personas, person_b):
    # person_b lives in village B, outside grid worker A's units
    response = login(personas.worker_a).get(f"/people/{person_b.pk}/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_back_link_ignores_another_site(personas):
    response = login(personas.worker_a).get("/audit/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in response.content.decode()


@pytest.mark.urls(__name__)
def test_server_error_is_a_chinese_page_that_needs_no_database():
    # given no database access at all (no django_db mark: a query would fail the test)
    client = Client(raise_request_exception=False)
    # when a page fails
    response = client.get("/boom/")
    # then the Chinese 500 page in the layout's look
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错" in page
    assert _in_layout(page)


@pytest.mark.django_db
def test_grid_worker_own_unit_page_names_the_unit_above_without_a_dead_link(county, personas):
    # given a grid worker of village A, whose parent unit (the township) they cannot open
    client = login(personas.worker_a)
    # when they open their own unit
    page = client.get(f"/org/units/{county.village_a.pk}/").content.decode()
    # then the township is named, not linked (the link answered 404)
    assert county.township.name in page
    assert f'href="/org/units/{county.township.pk}/"' not in page
    assert client.get(f"/org/units/{county.township.pk}/").status_code == 404
    # and a commander still follows the link up
    commander_page = login(personas.commander).get(f"/org/units/{county.village_a.pk}/")
    assert f'href="/org/units/{county.township.pk}/"' in commander_page.content.decode()

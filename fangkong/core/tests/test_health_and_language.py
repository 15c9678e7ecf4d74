import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_database_status():
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["status"] == "ok"
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_login_page_is_chinese_even_for_an_english_browser():
    response = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert "登录防控平台" in response.content.decode()


@pytest.mark.django_db
def test_english_when_the_user_chooses_it():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True)
    assert "Log in to Fangkong" in response.content.decode()


@pytest.mark.django_db
def test_pages_need_a_login():
    response = Client().get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")

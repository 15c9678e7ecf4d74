"""Issue 10, finding 21: repeated wrong passwords lock the user name, and the address, out."""

from __future__ import annotations

from django.test import Client

from conftest import PASSWORD


def _log_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_locks_out_a_user_name_after_repeated_failures(personas, settings):
    # given five wrong passwords for one user, each from another address
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, "worker-a", "wrong", address=f"10.0.1.{attempt}")
    # when the right password comes, from yet another address
    response = _log_in(client, "worker-a", PASSWORD, address="10.0.2.1")
    # then it is refused, in Chinese, keeping the user name typed
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page
    assert "15 分钟后再试" in page
    assert 'value="worker-a"' in page
    assert "_auth_user_id" not in client.session
    # and another user is not affected
    assert _log_in(Client(), "worker-b", PASSWORD, address="10.0.2.2").status_code == 302


def test_login_locks_out_an_address_after_repeated_failures(personas, settings):
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, f"guess-{attempt}", "wrong", address="10.0.3.1")
    assert _log_in(client, "worker-b", PASSWORD, address="10.0.3.1").status_code == 429
    assert _log_in(Client(), "worker-b", PASSWORD, address="10.0.3.2").status_code == 302


def test_login_success_clears_the_failures_before_the_limit(personas, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, "worker-a", "wrong")
    assert _log_in(client, "worker-a", PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(Client(), "worker-a", "wrong")
    assert _log_in(Client(), "worker-a", PASSWORD).status_code == 302


def test_login_lockout_behind_a_proxy_counts_the_callers_address(personas, settings):
    settings.FANGKONG_CLIENT_IP_HEADER = "X-Forwarded-For"
    proxy = "10.9.9.9"
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            "/login/",
            {"username": f"guess-{attempt}", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        )
    guesser = Client().post(
        "/login/",
        {"username": "worker-a", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert guesser.status_code == 429
    colleague = Client().post(
        "/login/",
        {"username": "worker-b", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert colleague.status_code == 302

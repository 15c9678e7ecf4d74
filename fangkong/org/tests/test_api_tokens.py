"""Issue 10, finding 22: API tokens end with a password change, on revoke or rotation, and when
they reach FANGKONG_TOKEN_TTL_DAYS."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import login, make_user
from fangkong.audit.models import AuditEvent


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _token(action: str, username: str) -> str:
    out = StringIO()
    call_command("token", action, user=username, stdout=out)
    return out.getvalue().strip()


def test_token_revoked_when_the_password_changes(personas):
    # given a working token of worker-a
    key = _token("create", "worker-a")
    assert _api(key).get("/api/units/").status_code == 200
    admin = make_user("admin", None, None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    # when an administrator sets a new password for worker-a in the admin
    response = login(admin).post(
        f"/admin/auth/user/{personas.worker_a.pk}/password/",
        {"password1": "a new long passphrase", "password2": "a new long passphrase"},
    )
    assert response.status_code == 302
    # then the old token no longer opens the API, and other users' tokens still do
    assert _api(key).get("/api/units/").status_code == 401
    assert not Token.objects.filter(user=personas.worker_a).exists()
    # and the revocation is audited under worker-a's unit, naming the reason, not the key
    event = AuditEvent.objects.get(object_type="api_token", object_id=str(personas.worker_a.pk))
    assert (event.action, event.unit_id) == ("delete", personas.worker_a.memberships.get().unit_id)
    assert event.summary == "已撤销 worker-a 的 API 令牌：密码已修改"
    assert key not in event.summary
    other = _token("create", "worker-b")
    personas.worker_a.last_name = "甲"
    personas.worker_a.save()
    assert _api(other).get("/api/units/").status_code == 200


def test_token_revoke_and_rotate_commands(personas):
    key = _token("create", "worker-a")
    assert _token("create", "worker-a") == key  # shown again, not replaced
    rotated = _token("rotate", "worker-a")
    assert rotated != key
    assert _api(key).get("/api/units/").status_code == 401
    assert _api(rotated).get("/api/units/").status_code == 200
    assert _token("revoke", "worker-a") == "Revoked 1 token(s)."
    assert _api(rotated).get("/api/units/").status_code == 401
    assert not Token.objects.filter(user=personas.worker_a).exists()


def test_token_expires_after_token_ttl_days(personas, settings):
    settings.FANGKONG_TOKEN_TTL_DAYS = 30
    key = _token("create", "worker-a")
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=29))
    assert _api(key).get("/api/units/").status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=30))
    response = _api(key).get("/api/units/")
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]
    # `token create` replaces an expired token rather than showing it again
    fresh = _token("create", "worker-a")
    assert fresh != key
    assert _api(fresh).get("/api/units/").status_code == 200
    # without a limit, an old token lasts until revoked
    settings.FANGKONG_TOKEN_TTL_DAYS = None
    Token.objects.filter(key=fresh).update(created=timezone.now() - dt.timedelta(days=3650))
    assert _api(fresh).get("/api/units/").status_code == 200

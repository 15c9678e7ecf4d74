"""API token authentication that reads the user and the user's roles in one query.

Every API request needs both: the roles scope every read and write (``org.access``). One round
trip serves them, and the roles are left where ``org.access`` memoises them for the request.
A token older than ``FANGKONG_TOKEN_TTL_DAYS`` is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from fangkong.core.prepared import prepared_fetch
from fangkong.core.text import NUL

_USER_FIELDS = [f.attname for f in User._meta.concrete_fields]


def token_expired(created: dt.datetime) -> bool:
    # Real time, not the app's clock: Django stamps tokens by the wall clock, and a drill's frozen
    # clock must not keep a token alive.
    days = settings.FANGKONG_TOKEN_TTL_DAYS
    return days is not None and created <= timezone.now() - dt.timedelta(days=days)


def _token_query() -> tuple[SQLCompiler, str]:
    """The token's user and roles as the ORM writes the query, compiled once per connection:
    compiling it took twice as long as running it, on every API request."""
    cached: tuple[SQLCompiler, str] | None = connection.__dict__.get("_fangkong_token_query")
    if cached is None:
        query = (
            User.objects.filter(auth_token__key="")
            .values_list(
                *_USER_FIELDS, "auth_token__created", "memberships__unit__path", "memberships__role"
            )
            .query
        )
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        assert list(params) == [""], params  # the key is the only value
        cached = connection.__dict__["_fangkong_token_query"] = (compiler, sql)
    return cached


class ScopedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        if NUL in key:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        # One row per membership (one with empty roles for a user without any).
        compiler, sql = _token_query()
        rows = list(compiler.results_iter(results=[prepared_fetch(sql, [key])]))
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        width = len(_USER_FIELDS)
        user = User.from_db(connection.alias, _USER_FIELDS, list(rows[0][:width]))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(rows[0][width]):
            raise exceptions.AuthenticationFailed(_("The token has expired; ask for a new one."))
        user.__dict__["_fangkong_roles"] = [
            (row[width + 1], row[width + 2]) for row in rows if row[width + 2] is not None
        ]
        return user, Token(key=key, user=user)

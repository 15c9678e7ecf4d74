"""API token authentication that reads the user and the user's roles in one query.

Every API request needs both: the roles scope every read and write (``org.selectors``). One round
trip serves them, and the roles are left where ``org.selectors`` memoises them for the request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from fangkong.core.text import NUL

_USER_FIELDS = [f.attname for f in User._meta.concrete_fields]


class ScopedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        if NUL in key:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        # One row per membership (one with empty roles for a user without any).
        rows = list(
            User.objects.filter(auth_token__key=key).values_list(
                *_USER_FIELDS, "memberships__unit__path", "memberships__role"
            )
        )
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        width = len(_USER_FIELDS)
        user = User.from_db(connection.alias, _USER_FIELDS, list(rows[0][:width]))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user.__dict__["_fangkong_roles"] = [
            (row[width], row[width + 1]) for row in rows if row[width + 1] is not None
        ]
        return user, Token(key=key, user=user)

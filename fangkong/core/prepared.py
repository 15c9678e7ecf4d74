"""Statements of the hottest paths run as prepared statements on PostgreSQL.

Planning the token's query or the one-row check-in insert took PostgreSQL several times longer than
running it, on every API request. A prepared statement is parsed and planned once per connection
(psycopg keeps them by SQL text); SQLite runs the statement as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import psycopg
from django.db import connection
from django.db.backends.utils import CursorWrapper


def prepared_fetch(sql: str, params: Sequence[Any]) -> list[Any]:
    """The rows of one statement (with %s placeholders), prepared on PostgreSQL."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    connection.ensure_connection()
    # Django's cursors bind on the client and cannot prepare; a server-side binding cursor on the
    # same connection shares its transaction, wrapped as Django wraps its own (errors, logging,
    # counted by tests). The connection prepares it (settings: prepare_threshold).
    raw = cast(CursorWrapper, psycopg.Cursor(connection.connection))  # what the wrappers wrap
    wrapped = (
        connection.make_debug_cursor(raw)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )
    with wrapped as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []

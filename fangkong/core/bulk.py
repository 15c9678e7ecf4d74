"""Writing rows in sets: COPY on PostgreSQL, one executemany on SQLite; never a save() per row."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


class JsonText(str):
    """A value already encoded as JSON text: written to a JSON column as it is, on both
    databases (serialising once per decision instead of once per row)."""

    __slots__ = ()


def _copy_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def rows_insert(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert plain value tuples (in ``fields`` order) into the model's table; returns the count.

    No model instances, signals or returned ids: the bulk paths (classification of a population,
    lab result files) write millions of rows this way.
    """
    model_fields = [model._meta.get_field(name) for name in fields]
    columns = ", ".join(
        connection.ops.quote_name(str(f.column))  # type: ignore[union-attr]
        for f in model_fields
    )
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only JSON and UUID columns need converting; the rest go as they are.
            convert = [
                i
                for i, f in enumerate(model_fields)
                if isinstance(f, models.JSONField | models.UUIDField)
            ]
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    if convert:
                        row = list(row)  # noqa: PLW2901 - converted copy of the row
                        for i in convert:
                            row[i] = _copy_value(row[i])
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(model_fields))
        prepared = [
            [
                v if isinstance(v, JsonText) else f.get_db_prep_save(v, connection)  # type: ignore[union-attr]
                for f, v in zip(model_fields, row, strict=True)
            ]
            for row in rows
        ]
        if prepared:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608 - names quoted, values bound
                prepared,
            )
        return len(prepared)


def stage(name: str, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]]) -> int:
    """A temporary table ``name`` holding ``rows``, to check and write them with a few statements
    over the whole set (COPY on PostgreSQL). Columns are (name, type) with type one of bigint,
    text, timestamptz, numeric. Call inside a transaction: on PostgreSQL it is dropped at commit,
    on SQLite by ``stages_drop``."""
    postgres = connection.vendor == "postgresql"
    types = {"timestamptz": "timestamptz" if postgres else "text", "numeric": "numeric"}
    spec = ", ".join(f"{column} {types.get(kind, kind)}" for column, kind in columns)
    times = [i for i, (_column, kind) in enumerate(columns) if kind == "timestamptz"]
    with connection.cursor() as cursor:
        _temporary(cursor, name, f"({spec})")
        names = ", ".join(column for column, _kind in columns)
        count = 0
        if postgres:
            # One COPY per chunk: producing the rows may itself query (no query can run on the
            # connection while a COPY is open).
            source = iter(rows)
            while chunk := list(itertools.islice(source, 50_000)):
                with cursor.cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
                count += len(chunk)
            return count
        # SQLite keeps times as Django writes them (UTC text), so they compare with the tables'.
        adapt = connection.ops.adapt_datetimefield_value
        batch: list[list[Any]] = []
        placeholders = ", ".join(["%s"] * len(columns))
        for row in rows:
            values = list(row)
            for i in times:
                values[i] = adapt(values[i])
            batch.append(values)
            if len(batch) == 5000:
                cursor.executemany(f"INSERT INTO {name} VALUES ({placeholders})", batch)  # noqa: S608
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(f"INSERT INTO {name} VALUES ({placeholders})", batch)  # noqa: S608
            count += len(batch)
        return count


def stage_query(name: str, select: str) -> None:
    """A temporary table ``name`` holding the rows of ``select`` (over other stages), with the
    lifetime of ``stage``."""
    with connection.cursor() as cursor:
        _temporary(cursor, name, f"AS {select}")
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {name}")  # no autovacuum sees a temporary table


def _temporary(cursor: Any, name: str, body: str) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    if connection.vendor != "postgresql":
        cursor.execute(f"CREATE TEMPORARY TABLE {name} {body}")
    elif body.startswith("AS "):
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP {body}")
    else:
        cursor.execute(f"CREATE TEMPORARY TABLE {name} {body} ON COMMIT DROP")


def stages_drop(*names: str) -> None:
    """Drop stages on SQLite, which has no ON COMMIT DROP (PostgreSQL dropped them at commit)."""
    if connection.vendor == "postgresql":
        return
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def staged_time(value: Any) -> dt.datetime:
    """A time read back from a staging table: SQLite gives the UTC text Django wrote."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value

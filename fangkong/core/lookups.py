"""``field__any=Ids(…)``: membership in a list as one array parameter on PostgreSQL.

``__in`` sends one parameter per value; for the chunks of thousands of ids of the bulk paths that
costs more to build, send and parse than the query itself. SQLite has no arrays: there it is IN.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Field, ForeignObject, Lookup


class Ids:
    """Ids for ``__any``. Deliberately not iterable: Django walks lists, tuples and other
    iterables value by value while it builds a query (looking for expressions and model
    instances), which for thousands of ids costs more than the query."""

    __slots__ = ("values",)

    def __init__(self, values: Iterable[int]) -> None:
        self.values = list(values)


class AnyLookup(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return self.rhs if isinstance(self.rhs, Ids) else Ids(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = self.rhs.values
        if connection.vendor == "postgresql":
            if values and set(map(type, values)) == {int}:
                # An integer array as one text literal: no per-element adaptation.
                literal = "{" + ",".join(map(str, values)) + "}"
                return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, literal]
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        if not values:
            return "1 = 0", list(lhs_params)
        placeholders = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({placeholders})", [*lhs_params, *values]


Field.register_lookup(AnyLookup)
ForeignObject.register_lookup(AnyLookup)

"""Reads of gates and their registers, scoped by ``org.access.gates_kept``."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from fangkong.core import clock
from fangkong.gates.models import Gate, GateEntry
from fangkong.org.access import AnyUser, gate_reach, gates_kept
from fangkong.people.models import Person

PEOPLE_FOUND_MAX = 10


def gates_visible(user: AnyUser) -> QuerySet[Gate]:
    """The gates the user manages or keeps, by unit and name."""
    return (
        Gate.objects.filter(gates_kept(user)).select_related("unit").order_by("unit__path", "name")
    )


def gate_register(gate: Gate, day: dt.date) -> QuerySet[GateEntry]:
    """The gate's entries of a day (local time), newest first; the gate is one the reader keeps."""
    return (
        GateEntry.objects.filter(
            gate=gate, at__gte=clock.local_midnight(day), at__lt=clock.day_end(day)
        )
        .select_related("person", "visitor", "recorded_by")
        .order_by("-at", "-id")
    )


def gate_people_find(user: AnyUser, gate: Gate, name: str) -> list[Person]:
    """Registered people of the gate's unit whose name holds ``name`` (the keeper's search)."""
    name = name.strip()
    if not name:
        return []
    return list(
        Person.objects.filter(gate_reach(user, gate).people(), name__contains=name)
        .select_related("unit")
        .order_by("name", "id")[:PEOPLE_FOUND_MAX]
    )

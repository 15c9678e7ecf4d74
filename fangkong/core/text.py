"""Small text helpers shared by selectors and validators."""

from __future__ import annotations

NUL = "\x00"


def search_term(value: str) -> str:
    """A search term safe for every database: PostgreSQL refuses NUL characters in text, and no
    stored value can contain one, so a NUL can only make a search find nothing."""
    return value.replace(NUL, "").strip()

"""The answers of the pickers' JSON endpoints (``core/picker.js``): one query read one way, a
bounded list of rows. Each app's endpoint scopes its rows through ``org.access`` first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from django.http import JsonResponse
from django.utils.translation import gettext as _

from fangkong.core.inputs import BadInput
from fangkong.core.text import search_term

PICKER_LIMIT = 20  # rows a picker lists; one more tells that more were found
QUERY_MAX = 50  # characters: longer than any name or code


@dataclass(frozen=True)
class Choice:
    value: str  # what the form posts: an id or a code
    label: str  # what the person reads: the name
    detail: str = ""  # what tells two of one name apart: the code, the unit above


def picker_query(data: Mapping[str, str]) -> str:
    """The text searched for; a query longer than any name is refused (400)."""
    text = search_term(data.get("q", ""))
    if len(text) > QUERY_MAX:
        raise BadInput("q", _("Type at most %(count)d characters.") % {"count": QUERY_MAX})
    return text


def picker_answer(choices: Iterable[Choice]) -> JsonResponse:
    """At most ``PICKER_LIMIT`` choices, and whether more were found (the caller asks for one
    more than the limit)."""
    rows = list(choices)
    return JsonResponse(
        {
            "results": [asdict(row) for row in rows[:PICKER_LIMIT]],
            "more": len(rows) > PICKER_LIMIT,
        }
    )

"""The menu at the top of every page: an entry shows only where its page opens for the user.

Each entry names the capabilities any one of which opens its page, the ones its view asks of
``org.access``; an entry with none opens for every signed-in user (its page shows what the user's
roles reach).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fangkong.org.access import any_role_scope, user_can
from fangkong.org.roles import Capability


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: Promise
    capabilities: tuple[Capability, ...] = ()
    any_role: bool = False  # opens where the user holds any role at all (the unit tree)


MENU = (
    MenuEntry("person-list", _("Register"), (Capability.VIEW_PEOPLE,)),
    MenuEntry("monitoring", _("Daily monitoring"), (Capability.VIEW_PEOPLE,)),
    MenuEntry(
        "round-list",
        _("Testing"),
        (Capability.VIEW_PEOPLE, Capability.SAMPLE, Capability.RUN_LAB),
    ),
    MenuEntry("plan-list", _("Work plans"), (Capability.VIEW_PEOPLE,)),
    MenuEntry("obligation-list", _("Deadlines"), (Capability.VIEW_PEOPLE,)),
    MenuEntry("unit-tree", _("Units"), any_role=True),
    MenuEntry("import-upload", _("Import"), (Capability.IMPORT_PEOPLE,)),
    MenuEntry("audit-list", _("Audit"), (Capability.VIEW_AUDIT,)),
)


def _opens(entry: MenuEntry, user: Any) -> bool:
    if entry.any_role:
        return bool(any_role_scope(user))
    return any(user_can(user, capability) for capability in entry.capabilities)


def menu(request: HttpRequest) -> dict[str, Any]:
    """Template context: ``menu``, the entries (url, label) the signed-in user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    return {
        "menu": [(reverse(entry.url_name), entry.label) for entry in MENU if _opens(entry, user)]
    }

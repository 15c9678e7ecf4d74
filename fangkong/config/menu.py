"""The menu at the top of every page, and the tabs of the testing pages: an entry shows only where
its page opens for the user.

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
    MenuEntry("case-list", _("Cases"), (Capability.VIEW_PEOPLE,)),
    MenuEntry("venue-list", _("Venue codes"), (Capability.INVESTIGATE,)),
    MenuEntry(
        "gathering-list",
        _("Gatherings"),
        (Capability.VIEW_PEOPLE, Capability.APPROVE_GATHERINGS),
    ),
    MenuEntry(
        "travel-list",
        _("Leave and travel"),
        (Capability.VIEW_PEOPLE, Capability.APPROVE_REQUESTS),
    ),
    MenuEntry("quarantine-board", _("Quarantine sites"), (Capability.MANAGE_SITE,)),
    MenuEntry("home-quarantine", _("Home quarantine"), (Capability.EDIT_PEOPLE,)),
    MenuEntry("sale-list", _("Pharmacy purchase register"), (Capability.RECORD_SALES,)),
    MenuEntry("obligation-list", _("Deadlines"), (Capability.VIEW_PEOPLE,)),
    MenuEntry("roster", _("Duty roster"), any_role=True),
    MenuEntry("sizao", _("Early response board"), (Capability.VIEW_PEOPLE,)),
    MenuEntry("unit-tree", _("Units"), any_role=True),
    MenuEntry("import-upload", _("Import"), (Capability.IMPORT_PEOPLE,)),
    MenuEntry("audit-list", _("Audit"), (Capability.VIEW_AUDIT,)),
)

# The tabs of 检测 (Testing): the sampler's screen, the boxes sent and received, a lab's results.
LAB_TABS = (
    MenuEntry(
        "round-list",
        _("Screening rounds"),
        (Capability.VIEW_PEOPLE, Capability.SAMPLE, Capability.RUN_LAB),
    ),
    MenuEntry("sampling", _("Sampling"), (Capability.SAMPLE,)),
    MenuEntry("boxes", _("Boxes"), (Capability.SAMPLE, Capability.RUN_LAB)),
    MenuEntry("lab-results", _("Lab results"), (Capability.RUN_LAB,)),
)


def _opens(entry: MenuEntry, user: Any) -> bool:
    if entry.any_role:
        return bool(any_role_scope(user))
    return any(user_can(user, capability) for capability in entry.capabilities)


def tab_opens(url_name: str, user: Any) -> bool:
    """Whether the user may open the page of this testing tab (its view asks the same)."""
    return _opens(next(entry for entry in LAB_TABS if entry.url_name == url_name), user)


def menu(request: HttpRequest) -> dict[str, Any]:
    """Template context: ``menu``, the entries (url, label) the signed-in user may open, and
    ``lab_tabs`` (url name, url, label), worked out only on the pages that show them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "lab_tabs": []}
    return {
        "menu": [(reverse(entry.url_name), entry.label) for entry in MENU if _opens(entry, user)],
        "lab_tabs": lambda: [
            (entry.url_name, reverse(entry.url_name), entry.label)
            for entry in LAB_TABS
            if _opens(entry, user)
        ],
    }

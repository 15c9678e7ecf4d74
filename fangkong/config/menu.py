"""The menu at the top of every page, and the tabs of the testing pages: an entry shows only where
its page opens for the user.

Each entry names the capabilities any one of which opens its page, the ones its view asks of
``org.access``; an entry with none opens for every signed-in user (its page shows what the user's
roles reach).
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    group: Promise | None = None  # the drop-down it sits in; None: on the bar itself
    any_role: bool = False  # opens where the user holds any role at all (the unit tree)


# The drop-downs of the bar: the menu stays one line on an office screen.
RESPONSE = _("Outbreak response")
QUARANTINE = _("Quarantine and isolation")
MOVEMENT = _("Travel and gatherings")
READINESS = _("Readiness")
ADMINISTRATION = _("Administration")


MENU = (
    MenuEntry("person-list", _("Register"), (Capability.VIEW_PEOPLE,)),
    MenuEntry("monitoring", _("Daily monitoring"), (Capability.VIEW_PEOPLE,)),
    MenuEntry(
        "round-list",
        _("Testing"),
        (Capability.VIEW_PEOPLE, Capability.SAMPLE, Capability.RUN_LAB),
    ),
    MenuEntry("plan-list", _("Work plans"), (Capability.VIEW_PEOPLE,)),
    MenuEntry("case-list", _("Cases"), (Capability.VIEW_PEOPLE,), RESPONSE),
    MenuEntry("venue-list", _("Venue codes"), (Capability.INVESTIGATE,), RESPONSE),
    MenuEntry("sizao", _("Early response board"), (Capability.VIEW_PEOPLE,), RESPONSE),
    MenuEntry("quarantine-board", _("Quarantine sites"), (Capability.MANAGE_SITE,), QUARANTINE),
    MenuEntry("home-quarantine", _("Home quarantine"), (Capability.EDIT_PEOPLE,), QUARANTINE),
    MenuEntry(
        "travel-list",
        _("Leave and travel"),
        (Capability.VIEW_PEOPLE, Capability.APPROVE_REQUESTS),
        MOVEMENT,
    ),
    MenuEntry(
        "gathering-list",
        _("Gatherings"),
        (Capability.VIEW_PEOPLE, Capability.APPROVE_GATHERINGS),
        MOVEMENT,
    ),
    MenuEntry(
        "reservation-venues",
        _("Venue capacity and reservations"),
        (Capability.INVESTIGATE,),
        MOVEMENT,
    ),
    MenuEntry("sale-list", _("Pharmacy purchase register"), (Capability.RECORD_SALES,), MOVEMENT),
    MenuEntry(
        "gate-list",
        _("Gates and checkpoints"),
        (Capability.MANAGE_GATES, Capability.KEEP_GATE),
        MOVEMENT,
    ),
    MenuEntry("obligation-list", _("Deadlines"), (Capability.VIEW_PEOPLE,)),
    MenuEntry("roster", _("Duty roster"), any_role=True, group=READINESS),
    MenuEntry("supplies", _("Supplies"), any_role=True, group=READINESS),
    MenuEntry("disinfection", _("Disinfection"), any_role=True, group=READINESS),
    MenuEntry("vaccination", _("Vaccination"), (Capability.VIEW_PEOPLE,), READINESS),
    MenuEntry("injuries", _("Work injuries"), (Capability.RECORD_INJURIES,), READINESS),
    MenuEntry("playbooks", _("Playbooks and drills"), any_role=True, group=READINESS),
    MenuEntry("unit-tree", _("Units"), any_role=True, group=ADMINISTRATION),
    MenuEntry("import-upload", _("Import"), (Capability.IMPORT_PEOPLE,), ADMINISTRATION),
    MenuEntry("audit-list", _("Audit"), (Capability.VIEW_AUDIT,), ADMINISTRATION),
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


@dataclass
class MenuItem:
    """One item of the bar: a link (``url``), or a drop-down of ``links`` (url, label)."""

    label: Any
    url: str = ""
    links: list[tuple[str, Any]] = field(default_factory=list)


def _bar(user: Any) -> list[MenuItem]:
    """The entries the user may open, in MENU's order, each group at its first entry; a group
    with one entry open is a plain link."""
    items: list[MenuItem] = []
    groups: dict[str, MenuItem] = {}
    for entry in MENU:
        if not _opens(entry, user):
            continue
        url = reverse(entry.url_name)
        if entry.group is None:
            items.append(MenuItem(entry.label, url))
            continue
        key = str(entry.group)
        if key not in groups:
            groups[key] = MenuItem(entry.group)
            items.append(groups[key])
        groups[key].links.append((url, entry.label))
    return [
        MenuItem(item.links[0][1], item.links[0][0]) if len(item.links) == 1 else item
        for item in items
    ]


def menu(request: HttpRequest) -> dict[str, Any]:
    """Template context: ``menu``, the items (links and drop-downs of links) the signed-in user
    may open, and ``lab_tabs`` (url name, url, label), worked out only on the pages that show
    them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "lab_tabs": []}
    return {
        "menu": _bar(user),
        "lab_tabs": lambda: [
            (entry.url_name, reverse(entry.url_name), entry.label)
            for entry in LAB_TABS
            if _opens(entry, user)
        ],
    }

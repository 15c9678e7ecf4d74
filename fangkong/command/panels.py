"""The command view's panels that other apps' selectors read (药店哨点, 疫苗接种, 应急演练, 物资与
消毒, 隔离点): read once for the home page and for GET /api/command/, so both show the same
figures over the same scope (each selector scopes by the user through ``org.access``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.org.access import AnyUser, user_can
from fangkong.org.roles import Capability
from fangkong.pharmacy.selectors import PharmacyCount, pharmacy_counts
from fangkong.playbooks.models import PlaybookRun
from fangkong.playbooks.selectors import last_drill
from fangkong.quarantine.selectors import Board, occupancy_board, sites_visible
from fangkong.readiness.disinfection import due_counts
from fangkong.readiness.supplies import short_counts
from fangkong.vaccination.selectors import Figures, coverage_totals

# The sites on the home page; the occupancy board lists them all.
SITES_ON_HOME = 10


@dataclass(frozen=True)
class Panels:
    """The pharmacy sentinels (K-04, K-05; none without a pharmacy in scope), vaccination
    coverage with those aged 60 and over apart (M-02), the last scored drill (N-01), the units
    short of supplies and the disinfections owed (L-02, L-07), and the occupancy of the
    quarantine sites the user manages (D-01; None for a user who manages none: a site manager's
    people stay registered in their villages, so the command view's figures count none of them)."""

    pharmacies: list[PharmacyCount]
    vaccination: tuple[Figures, Figures]
    last_drill: PlaybookRun | None
    supplies: dict[str, int]
    disinfection: dict[str, int]
    sites: Board | None

    def as_dict(self) -> dict[str, object]:
        """The panels for the API: named fields, with the Chinese headings and row labels the
        page shows."""
        everyone, elderly = self.vaccination
        drill = self.last_drill
        return {
            "pharmacies": {
                "label": _("Pharmacy sentinels"),
                "rows": [
                    {
                        "name": p.name,
                        "today": p.today,
                        "week": p.week,
                        "follow_ups_open": p.follow_ups_open,
                    }
                    for p in self.pharmacies
                ],
            },
            "vaccination": {
                "label": _("Vaccination coverage"),
                "everyone": {"label": _("Fully vaccinated"), **everyone.as_dict(due=False)},
                "elderly": {
                    "label": _("Aged 60 and over, fully vaccinated"),
                    **elderly.as_dict(due=False),
                },
            },
            "last_drill": {
                "label": _("Last drill"),
                "run": None
                if drill is None
                else {
                    "run_id": drill.pk,
                    "unit": drill.unit.name,
                    "name": drill.name,
                    "finished_at": drill.finished_at,
                    "score": drill.score,
                },
            },
            "readiness": {
                "label": _("Supplies and disinfection"),
                "units_short": self.supplies["short"],
                "units_expiring": self.supplies["expiring"],
                "disinfections_due": self.disinfection["due"],
                "disinfections_overdue": self.disinfection["overdue"],
            },
            "sites": None
            if self.sites is None
            else {"label": _("Quarantine sites"), **self.sites.as_json()},
        }


def command_panels(user: AnyUser) -> Panels:
    """The panels of a user who has a command view: one grouped statement or row each (the
    readiness panel two), the sites' board four when the user manages sites."""
    sites = (
        list(sites_visible(user)[:SITES_ON_HOME]) if user_can(user, Capability.MANAGE_SITE) else []
    )
    return Panels(
        pharmacies=pharmacy_counts(user),
        vaccination=coverage_totals(user),
        last_drill=last_drill(user),
        supplies=short_counts(user),
        disinfection=due_counts(user, clock.now()),
        sites=occupancy_board(sites) if sites else None,
    )

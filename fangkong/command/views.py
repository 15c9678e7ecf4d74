"""The home page as a command view, its printable one-page daily brief (每日简报), and the 四早
board."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from fangkong.command.panels import command_panels
from fangkong.command.selectors import Command, command_view
from fangkong.command.sizao import PERIOD_DAYS_MAX, period_read, sizao_read
from fangkong.core import clock
from fangkong.org.access import request_user, user_can
from fangkong.org.models import Membership
from fangkong.org.roles import Capability
from fangkong.people.selectors import import_jobs_of


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    """What needs the user today, for the subtree the user watches over; the user's roles and
    recent imports below."""
    user = request_user(request)
    found = command_view(user)
    panels = command_panels(user) if found else None
    return render(
        request,
        "command/home.html",
        {
            "command": found,
            "curve": _curve(found) if found else None,
            "pharmacies": panels.pharmacies if panels else [],
            "vaccination": panels.vaccination if panels else None,
            "last_drill": panels.last_drill if panels else None,
            "supplies": panels.supplies if panels else None,
            "disinfection": panels.disinfection if panels else None,
            "sites_board": panels.sites if panels else None,
            "map_words": _map_words(),
            "memberships": Membership.objects.filter(user=user)
            .select_related("unit")
            .order_by("unit__path"),
            "jobs": import_jobs_of(user)[:5],
            "now": clock.now(),
        },
    )


def _curve(found: Command) -> dict[str, object]:
    """The epidemic curve's figures and Chinese labels for the chart script."""
    return {
        "days": [f"{day:%m-%d}" for day in found.curve_days],
        "fevers": found.curve_fevers,
        "positives": found.curve_positives,
        "fevers_label": _("New fevers"),
        "positives_label": _("Positive results"),
    }


def _map_words() -> dict[str, str]:
    """The map script's words, in the user's language."""
    return {
        "people": _("people"),
        "under_measure": _("under a measure"),
        "fevers": _("Fevers today / in observation"),
        "positives": _("positive"),
        "my_units": _("My units"),
        "my_area": _("My area"),
        "no_risk_area": _("No risk area in force today."),
        "failed": _("The map could not be loaded."),
    }


@login_required
def brief_view(request: HttpRequest) -> HttpResponse:
    """The same figures on one A4 page for the leading group's morning meeting."""
    return render(
        request,
        "command/brief.html",
        {"command": command_view(request_user(request)), "now": clock.now()},
    )


@login_required
def sizao_view(request: HttpRequest) -> HttpResponse:
    """The 四早 board of a unit and a period: the response's deadlines kind by kind, and each
    case's time from step to step."""
    if not user_can(request.user, Capability.VIEW_PEOPLE):
        raise PermissionDenied
    period = period_read(request.user, request.GET)
    return render(
        request,
        "command/sizao.html",
        {"board": sizao_read(request.user, period), "days_max": PERIOD_DAYS_MAX},
    )

"""The home page as a command view, and its printable one-page daily brief (每日简报)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from fangkong.command.selectors import Command, command_view
from fangkong.core import clock
from fangkong.org.access import request_user
from fangkong.org.models import Membership
from fangkong.people.selectors import import_jobs_of
from fangkong.pharmacy.selectors import pharmacy_counts


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    """What needs the user today, for the subtree the user watches over; the user's roles and
    recent imports below."""
    user = request_user(request)
    found = command_view(user)
    return render(
        request,
        "command/home.html",
        {
            "command": found,
            "curve": _curve(found) if found else None,
            # The pharmacy sentinels (K-04, K-05): one statement, none without a pharmacy in scope.
            "pharmacies": pharmacy_counts(user) if found else [],
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

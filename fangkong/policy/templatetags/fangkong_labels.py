"""Labels in the reader's language for the codes packs and decisions use (actions, figures)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from fangkong.policy.describe import action_label as describe_action

register = template.Library()

FIGURES = {
    "expected": _("expected"),
    "checked_in": _("checked in"),
    "missing": _("not checked in"),
    "fevers": _("fevers"),
    "absences": _("absent"),
    "quarantined": _("in quarantine"),
    "new_contacts": _("new contacts"),
}


@register.filter
def action_label(code: str) -> str:
    return describe_action(code)


@register.filter
def figure_label(code: str) -> str:
    return str(FIGURES.get(code, code))

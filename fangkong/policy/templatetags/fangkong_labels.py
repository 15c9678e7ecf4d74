"""Labels in the reader's language for the codes packs and decisions use: plans by their titles,
levels, kinds, actions, figures and the reasons rules give."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from fangkong.policy import describe

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
def figure_label(code: str) -> str:
    return str(FIGURES.get(code, code))


# The labels of fangkong.policy.describe, by the same names.
register.filter("action_label", describe.action_label)
register.filter("status_label", describe.status_label)
register.filter("verdict_label", describe.verdict_label)
register.filter("plan_name", describe.plan_name)
register.filter("level_name", describe.level_name)
register.filter("kind_label", describe.kind_label)
register.filter("rule_reason", describe.rule_reason)
register.filter("reason_named", describe.reason_named)
register.filter("out_of_scope_text", describe.out_of_scope_text)

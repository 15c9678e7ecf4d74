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
def action_label(code: str) -> str:
    return describe.action_label(code)


@register.filter
def status_label(status: str) -> str:
    return describe.status_label(status)


@register.filter
def verdict_label(verdict: str, kind: str = "gathering") -> str:
    """A gathering's or (kind ``departure``) a trip's answer: 禁止, 须报批, 须报备, 提倡不办 …"""
    return describe.verdict_label(verdict, kind)


@register.filter
def figure_label(code: str) -> str:
    return str(FIGURES.get(code, code))


@register.filter
def plan_name(pack_id: str) -> str:
    return describe.plan_name(pack_id)


@register.filter
def level_name(level: str) -> str:
    return describe.level_name(level)


@register.filter
def kind_label(kind: str) -> str:
    """A measure's or a deadline's kind (集中隔离, 转运)."""
    return describe.kind_label(kind)


@register.filter
def rule_reason(pack_id: str, rule_id: str) -> str:
    return describe.rule_reason(pack_id, rule_id)


@register.filter
def out_of_scope_text(item: str) -> str:
    return describe.out_of_scope_text(item)

"""``{{ stay.country|country_name }}``: a country's name where the register keeps its ISO code."""

from __future__ import annotations

from django import template

from fangkong.core.countries import country_name as _country_name

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    return _country_name(code) if code else ""

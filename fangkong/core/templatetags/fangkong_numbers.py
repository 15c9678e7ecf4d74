"""Numbers as an office reads them: counts with thousands separators, fractions as percents.

Explicit filters rather than USE_THOUSAND_SEPARATOR: ids written into links and form values must
stay bare digits.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def thousands(value: object) -> str:
    """12345 -> "12,345"; anything not a whole number is shown as it is."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "" if value is None else str(value)
    return f"{value:,}"


@register.filter
def percent(fraction: object, decimals: int = 1) -> str:
    """0.024390… -> "2.4%" (a share of 1 shown per hundred); empty when there is none."""
    if fraction is None or fraction == "":
        return ""
    try:
        number = float(fraction)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(fraction)
    return f"{number * 100:,.{int(decimals)}f}%"

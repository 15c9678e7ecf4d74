"""Numbers as an office reads them: counts with thousands separators, fractions as percents,
spans of time in days, hours and minutes.

Explicit filters rather than USE_THOUSAND_SEPARATOR: ids written into links and form values must
stay bare digits.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext as _

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


@register.filter
def span(value: dt.timedelta | None) -> str:
    """A lateness or a step's time in days and hours, or hours and minutes: "2小时5分"."""
    if value is None:
        return "—"
    minutes = max(0, round(value.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": rest // 60}
    return _("%(hours)d h %(minutes)d min") % {"hours": rest // 60, "minutes": rest % 60}

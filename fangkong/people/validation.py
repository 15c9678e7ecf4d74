"""Checks of a person's categories against what the ID number says of them (issue 13, item 3).

A category that implies an age range is refused for someone outside it: "60岁以上老人" for
someone born in 1990. The one place the implied ranges are written; the person form, the API
(through ``services``) and the register import call ``category_age_errors``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

# Category code -> (youngest, oldest) age in whole years; None: no bound. No category of the
# register implies a sex (there is no 孕产妇 category); add a sex here when one does.
CATEGORY_AGES: dict[str, tuple[int | None, int | None]] = {
    "aged_60_plus": (60, None),
    "child": (None, 6),  # 幼儿: before primary school
}


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def category_age_errors(
    categories: Iterable[tuple[str, str]], birth_date: dt.date | None, today: dt.date
) -> list[str]:
    """Why each category, given as (code, Chinese name), does not fit a person born on
    ``birth_date`` (none when unknown)."""
    if birth_date is None:
        return []
    age = age_on(birth_date, today)
    errors = []
    for code, name in categories:
        youngest, oldest = CATEGORY_AGES.get(code, (None, None))
        if (youngest is not None and age < youngest) or (oldest is not None and age > oldest):
            errors.append(
                _("“%(category)s” does not fit a person aged %(age)d (born %(born)s).")
                % {"category": name, "age": age, "born": birth_date.isoformat()}
            )
    return errors

"""The 四早 board (早发现、早报告、早隔离、早治疗): for a unit and a period, how the response's
deadlines were met, kind by kind, and how long each case took from one step to the next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from fangkong.command.selectors import ON_TIME_DAYS
from fangkong.core import clock
from fangkong.core.inputs import BadInput, query_date, query_int
from fangkong.obligations.selectors import SizaoKind, sizao_board, span_minutes
from fangkong.org.access import AnyUser, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.quarantine.selectors import case_steps_placed
from fangkong.tracing.selectors import (
    CASE_STEPS_MAX,
    STEP_INTERVALS,
    CaseSteps,
    cases_visible,
    interval_labels,
    median,
)

# The longest period one board reads: a year, leap day included.
PERIOD_DAYS_MAX = 366


@dataclass(frozen=True)
class Period:
    """The unit (None: all the user's units) and the days, first to last, of one board."""

    unit: Unit | None
    first: dt.date
    last: dt.date

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return clock.local_midnight(self.first), clock.day_bounds(self.last)[1]


def period_read(user: AnyUser, data: Mapping[str, str]) -> Period:
    """The board's unit and days from a query string (by default the last ON_TIME_DAYS days, as
    the command view's panel counts them): a unit not among the user's, a day no one
    could mean, a period backwards or longer than PERIOD_DAYS_MAX is a 400 naming the field."""
    today = clock.localdate()
    last = query_date(data, "to", today)
    first = query_date(data, "from", last - dt.timedelta(days=ON_TIME_DAYS - 1))
    if first > last:
        raise BadInput("from", _("The first day comes after the last."))
    if (last - first).days >= PERIOD_DAYS_MAX:
        raise BadInput("to", _("At most %(days)s days at once.") % {"days": PERIOD_DAYS_MAX})
    unit_id = query_int(data, "unit")
    unit = None
    if unit_id is not None:
        unit = (
            Unit.objects.filter(scope(user, Capability.VIEW_PEOPLE).units("path"))
            .filter(pk=unit_id)
            .first()
        )
        if unit is None:
            raise BadInput("unit", _("Not one of your units."))
    return Period(unit, first, last)


@dataclass
class Sizao:
    period: Period
    kinds: list[SizaoKind]
    cases: list[CaseSteps]

    @property
    def medians(self) -> list[dt.timedelta | None]:
        """The median of each of STEP_INTERVALS over the period's cases."""
        return [
            median(steps.intervals[number] for steps in self.cases)
            for number in range(len(STEP_INTERVALS))
        ]

    @property
    def intervals(self) -> list[str]:
        return [str(label) for _name, label, _begin, _end in STEP_INTERVALS]

    @property
    def median_rows(self) -> list[tuple[str, dt.timedelta | None]]:
        return interval_labels(self.medians)

    @property
    def cases_capped(self) -> bool:
        return len(self.cases) >= CASE_STEPS_MAX

    def as_dict(self) -> dict[str, object]:
        names = [name for name, _label, _begin, _end in STEP_INTERVALS]
        return {
            "unit": self.period.unit.pk if self.period.unit else None,
            "from": self.period.first,
            "to": self.period.last,
            "kinds": [kind.as_dict() for kind in self.kinds],
            "intervals": [
                {"name": name, "label": label, "median_minutes": span_minutes(span)}
                for name, label, span in zip(names, self.intervals, self.medians, strict=True)
            ],
            "cases": [
                {
                    "case": steps.case.pk,
                    "kind": steps.case.kind,
                    "onset_at": steps.onset,
                    "reported_at": steps.reported,
                    "contacts_placed_at": steps.placed,
                    **{
                        f"{name}_minutes": span_minutes(span)
                        for name, span in zip(names, steps.intervals, strict=True)
                    },
                }
                for steps in self.cases
            ],
        }


def sizao_read(user: AnyUser, period: Period) -> Sizao:
    """The board: the deadlines kind by kind, and the steps of the period's cases (at most
    CASE_STEPS_MAX, newest first)."""
    start, end = period.bounds
    cases = cases_visible(user).filter(reported_at__gte=start, reported_at__lt=end)
    if period.unit is not None:
        cases = cases.filter(unit__path__startswith=period.unit.path)
    return Sizao(
        period,
        sizao_board(user, start, end, period.unit),
        case_steps_placed(list(cases[:CASE_STEPS_MAX])),
    )

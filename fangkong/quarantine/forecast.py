"""Beds ahead (床位预测): for each site and the county, the beds, the people placed and arriving,
the releases of each of the next 14 days from the measures' end dates, and the free beds projected
day by day — the first day they run out is the shortfall, when the headquarters must open a new
site.

A release gives back one bed on its measure's end date; the people waiting for a room arrive on
their central quarantine's start date (today when it has begun) and are the county's until a
placement names their site.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate

from django.db.models import Count, Exists, OuterRef, QuerySet

from fangkong.core import clock
from fangkong.org.access import AnyUser, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.policy.models import Measure, MeasureKind, MeasureStatus
from fangkong.quarantine.models import Placement
from fangkong.quarantine.selectors import (
    FORECAST_DAYS,
    Board,
    SiteFigures,
    occupancy_board,
)
from fangkong.tracing.models import Case


@dataclass
class BedsAhead:
    """One line of the forecast: a site's (or the county's) figures and its next 14 days."""

    figures: SiteFigures
    days: list[dt.date]
    arriving: list[int]
    releases: list[int]

    @property
    def arrivals(self) -> int:
        return sum(self.arriving)

    @property
    def free(self) -> list[int]:
        """The free beds at the end of each day."""
        net = [freed - taken for freed, taken in zip(self.releases, self.arriving, strict=True)]
        return [self.figures.free_beds + change for change in accumulate(net)]

    @property
    def shortfall(self) -> dt.date | None:
        """The first day the free beds go below zero."""
        return next((day for day, free in zip(self.days, self.free, strict=True) if free < 0), None)

    @property
    def released(self) -> int:
        return sum(self.releases)

    @property
    def free_at_end(self) -> int:
        """The free beds at the end of the 14th day."""
        return self.figures.free_beds + self.released - self.arrivals

    @property
    def daily(self) -> list[tuple[dt.date, int, int, int]]:
        """(day, arriving, releases, free beds) of each day."""
        return list(zip(self.days, self.arriving, self.releases, self.free, strict=True))

    def as_json(self) -> dict[str, object]:
        shortfall = self.shortfall
        return {
            "site": self.figures.site.pk if self.figures.site else None,
            "name": self.figures.site.name if self.figures.site else None,
            "beds": self.figures.beds,
            "occupied": self.figures.people,
            "free_beds": self.figures.free_beds,
            "arriving": self.arrivals,
            "days": [
                {"date": day.isoformat(), "arriving": a, "releases": r, "free_beds": f}
                for day, a, r, f in self.daily
            ],
            "shortfall": shortfall.isoformat() if shortfall else None,
        }


@dataclass
class Forecast:
    board: Board
    sites: list[BedsAhead]
    county: BedsAhead

    def as_json(self) -> dict[str, object]:
        return {
            "sites": [line.as_json() for line in self.sites],
            "county": self.county.as_json(),
        }


def beds_forecast(user: AnyUser | None, sites: QuerySet[Unit]) -> Forecast:
    """The forecast of these sites and of the people of the user's units waiting for a room, in
    the board's four queries and two more: releases by site and day, and the people waiting by
    their quarantine's dates."""
    board = occupancy_board(sites)
    today = clock.localdate()
    days = [today + dt.timedelta(days=offset) for offset in range(FORECAST_DAYS)]
    last = days[-1]
    ending: Counter[tuple[int, dt.date]] = Counter(
        {
            (site_id, end): people
            for site_id, end, people in Measure.objects.filter(
                site__in=sites,
                status=MeasureStatus.ACTIVE,
                kind=MeasureKind.CENTRAL_QUARANTINE,
                end_date__range=(today, last),
            )
            .values_list("site_id", "end_date")
            .annotate(Count("id"))
            .order_by()
        }
    )
    arriving: Counter[dt.date] = Counter()
    leaving: Counter[dt.date] = Counter()
    for start, end, people in (
        Measure.objects.filter(
            scope(user, Capability.EDIT_PEOPLE).people("person__"),
            status=MeasureStatus.ACTIVE,
            kind=MeasureKind.CENTRAL_QUARANTINE,
            site__isnull=True,  # a placement names the site (measure_central_unplaced_idx)
            start_date__lte=last,
        )
        .exclude(
            Exists(Placement.objects.filter(person=OuterRef("person"), released_at__isnull=True))
        )
        # Sent to hospital from a site (people_unplaced leaves them out likewise).
        .exclude(Exists(Case.objects.in_course().filter(person=OuterRef("person"))))
        .values_list("start_date", "end_date")
        .annotate(Count("id"))
        .order_by()
    ):
        arrival = max(start, today)
        arriving[arrival] += people
        if end is not None and arrival <= end <= last:
            leaving[end] += people
    lines = [
        BedsAhead(
            figures=figures,
            days=days,
            arriving=[0] * FORECAST_DAYS,
            releases=[ending[(figures.site.pk, day)] if figures.site else 0 for day in days],
        )
        for figures in board.sites
    ]
    county = BedsAhead(
        figures=board.total,
        days=days,
        arriving=[arriving[day] for day in days],
        releases=[
            leaving[day] + sum(line.releases[index] for line in lines)
            for index, day in enumerate(days)
        ],
    )
    return Forecast(board, lines, county)


@dataclass
class BedsUnder:
    """The what-if's beds (方案试算): the beds in service at the sites of a unit's subtree against
    the central-quarantine beds needed each day under the plan in force and under the plan tried;
    the first day the free beds go below zero is that plan's shortfall."""

    beds: int
    days: list[dt.date]
    needed_now: list[int]
    needed_then: list[int]

    @property
    def free_now(self) -> list[int]:
        return [self.beds - needed for needed in self.needed_now]

    @property
    def free_then(self) -> list[int]:
        return [self.beds - needed for needed in self.needed_then]

    def _first_short(self, free: list[int]) -> dt.date | None:
        return next((day for day, left in zip(self.days, free, strict=True) if left < 0), None)

    @property
    def shortfall_now(self) -> dt.date | None:
        return self._first_short(self.free_now)

    @property
    def shortfall_then(self) -> dt.date | None:
        return self._first_short(self.free_then)


def beds_under(
    unit: Unit, days: list[dt.date], needed_now: list[int], needed_then: list[int]
) -> BedsUnder:
    """The beds of the quarantine sites in the unit's subtree (the board's figures) against the
    beds two plans need each day."""
    sites = Unit.objects.filter(kind=Unit.Kind.QUARANTINE_SITE, path__startswith=unit.path)
    return BedsUnder(occupancy_board(sites).total.beds, days, needed_now, needed_then)

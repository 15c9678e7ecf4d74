"""Facts about people that apps above policy record and the plan's rules read: a person's latest
exposure (tracing) and test results (labs).

Those apps import policy (they open deadlines, ask for a recompute), so policy may not import
them. Each tells this module how to read its facts when Django starts (``AppConfig.ready``), and
the classifier asks here. Without a source (an installation without the app) there are no facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ExposureFact:
    """A person found to be a contact: the last exposure is day 0 of the contact rules; ``via_id``
    is the case or close contact whose results decide a secondary contact's release (D-12)."""

    kind: str
    last_exposed_at: dt.datetime
    identified_at: dt.datetime
    via_id: int | None


ExposuresSource = Callable[[Iterable[int]], dict[int, ExposureFact]]
ResultsSource = Callable[[Iterable[int]], dict[int, list[tuple[dt.datetime, bool]]]]

_exposures: list[ExposuresSource] = []
_results: list[ResultsSource] = []


def exposures_from(source: ExposuresSource) -> None:
    """Register how to read each person's latest exposure (tracing does, when it starts)."""
    _exposures[:] = [source]


def results_from(source: ResultsSource) -> None:
    """Register how to read each person's results as (sampled at, positive) (labs does)."""
    _results[:] = [source]


def exposures_latest(ids: Iterable[int]) -> dict[int, ExposureFact]:
    return _exposures[0](ids) if _exposures else {}


def results_of(ids: Iterable[int]) -> dict[int, list[tuple[dt.datetime, bool]]]:
    return _results[0](ids) if _results else {}

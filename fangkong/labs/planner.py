"""Pool-size planner: Dorfman's two-stage pooling.

A pool of k people is tested once; if positive, each member is tested again. With positivity p the
expected number of tests per person is E(k) = 1/k + 1 - (1 - p)^k. The planner picks the k that
minimises E within the allowed sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_POOL = 20
# A pool is at most a few dozen swabs (dilution hides a positive beyond that); the cap also keeps
# the search a constant handful of steps whatever size is asked for.
POOL_LIMIT = 50


class PoolPlanError(ValueError):
    """Input the planner cannot use; ``field`` names it (positivity or max_size)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PoolPlan:
    pool_size: int
    tests_per_person: float

    def tests_for(self, people: int) -> int:
        """The expected number of tests (lab load) for a round of that many people."""
        return round(people * self.tests_per_person)


def expected_tests(k: int, p: float) -> float:
    if k == 1:
        return 1.0
    return 1 / k + 1 - (1 - p) ** k


def pool_size(positivity: float, max_size: int = MAX_POOL) -> PoolPlan:
    """The pool size with the fewest expected tests per person; 1 (no pooling) when pooling
    would not save tests."""
    if not 0 <= positivity <= 1:
        raise _bad_positivity()
    if not 1 <= max_size <= POOL_LIMIT:
        raise _bad_max_size()
    best = min(range(1, max_size + 1), key=lambda k: (expected_tests(k, positivity), k))
    return PoolPlan(best, expected_tests(best, positivity))


def planner_input(positivity: str, max_size: str) -> tuple[float, int]:
    """The positivity and largest pool as typed (a form, a query string), as numbers."""
    try:
        fraction = float(positivity)
    except ValueError as error:
        raise _bad_positivity() from error
    try:
        largest = int(max_size)
    except ValueError as error:
        raise _bad_max_size() from error
    return fraction, largest


def _bad_positivity() -> PoolPlanError:
    return PoolPlanError(
        "positivity", _("The positivity is a fraction between 0 and 1, e.g. 0.01.")
    )


def _bad_max_size() -> PoolPlanError:
    return PoolPlanError(
        "max_size", _("The largest pool holds 1 to %(limit)d people.") % {"limit": POOL_LIMIT}
    )

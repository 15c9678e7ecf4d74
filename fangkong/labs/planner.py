"""Pool-size planner: Dorfman's two-stage pooling.

A pool of k people is tested once; if positive, each member is tested again. With positivity p the
expected number of tests per person is E(k) = 1/k + 1 - (1 - p)^k. The planner picks the k that
minimises E within the allowed sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_POOL = 20
# No laboratory pools more people than this; a larger "largest pool" would only cost time.
LARGEST_CONSIDERED = 1000


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
        raise ValueError("positivity is a fraction between 0 and 1")
    if not 1 <= max_size <= LARGEST_CONSIDERED:
        raise ValueError(f"the largest pool holds 1 to {LARGEST_CONSIDERED} people")
    best = min(range(1, max_size + 1), key=lambda k: (expected_tests(k, positivity), k))
    return PoolPlan(best, expected_tests(best, positivity))

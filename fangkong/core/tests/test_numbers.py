"""Numbers as an office reads them (issue 13, item 3)."""

from __future__ import annotations

import pytest

from fangkong.core.templatetags.fangkong_numbers import percent, thousands


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "0"), (999, "999"), (12345, "12,345"), (1000000, "1,000,000")]
)
def test_counts_have_thousands_separators(value, shown):
    assert thousands(value) == shown


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [(0.024390243902439025, "2.4%"), (0, "0.0%"), (1, "100.0%"), (None, "")],
)
def test_a_fraction_is_a_percent_with_one_decimal(fraction, shown):
    assert percent(fraction) == shown

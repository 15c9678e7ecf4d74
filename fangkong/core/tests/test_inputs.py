"""Issue 10: the one way ids, numbers, dates and times are read from what users send."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from fangkong.core.inputs import (
    ID_MAX,
    BadInput,
    date_problem,
    datetime_parse,
    local_url,
    query_date,
    query_int,
    whole_number,
)


@given(st.text(max_size=30))
def test_issue10_f11_whole_number_is_an_id_the_database_holds_or_none(text):
    number = whole_number(text)
    assert number is None or 1 <= number <= ID_MAX


@given(st.integers(min_value=1, max_value=ID_MAX))
def test_issue10_f11_whole_number_reads_every_id_back(number):
    assert whole_number(f" {number} ") == number


@pytest.mark.parametrize("text", ["abc", "0", "-1", "1.5", "²", "99999999999999999999", "NaN"])
def test_issue10_f11_query_int_refuses_what_is_no_id_naming_the_field(text):
    with pytest.raises(BadInput) as refused:
        query_int(QueryDict(f"unit={text}"), "unit")
    assert refused.value.field == "unit"
    assert text in refused.value.reason


def test_issue10_f11_query_int_and_query_date_leave_absent_values_to_the_caller():
    assert query_int(QueryDict("unit="), "unit") is None
    assert query_date(QueryDict(""), "day", dt.date(2022, 2, 1)) == dt.date(2022, 2, 1)


@pytest.mark.parametrize("text", ["2026-13-45", "2026-02-30T08:00", "0001-01-01T00:00:00+14:00"])
def test_issue10_f12_datetime_parse_gives_none_for_what_is_no_time(text):
    parsed = datetime_parse(text)
    assert parsed is None or date_problem(parsed) is not None


@pytest.mark.parametrize(
    ("day", "plausible"),
    [
        (dt.date(2018, 12, 31), False),
        (dt.date(2019, 1, 1), True),
        (dt.date(2023, 2, 2), True),  # the clock stands at 2022-02-01: a year and a day ahead
        (dt.date(2023, 2, 3), False),
        (dt.datetime(1, 1, 1, tzinfo=dt.UTC), False),
        (dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC), False),
    ],
)
def test_issue10_f16_dates_lie_between_the_configured_first_day_and_a_year_ahead(day, plausible):
    assert (date_problem(day) is None) is plausible


def test_issue10_f16_the_first_day_and_the_days_ahead_are_settings(settings):
    settings.FANGKONG_DATES_FROM = dt.date(2020, 1, 1)
    settings.FANGKONG_DATES_AHEAD_DAYS = 0
    assert date_problem(dt.date(2019, 6, 1)) is not None
    assert date_problem(dt.date(2022, 2, 2)) is not None
    assert date_problem(dt.date(2022, 2, 1)) is None


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("/plans/obligations/?state=open", "/plans/obligations/?state=open"),
        ("abc", "/fallback/"),
        ("//evil.example/", "/fallback/"),
        ("https://evil.example/", "/fallback/"),
        ("/\\evil.example/", "/fallback/"),
    ],
)
def test_local_url_goes_back_to_a_page_of_this_site_only(text, target):
    assert local_url(text, "/fallback/") == target

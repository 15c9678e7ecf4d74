import datetime as dt

import pytest
from django.core.management import call_command

from fangkong.core import clock


def test_frozen_clock_sets_now_and_local_date_in_shanghai():
    at = dt.datetime(2022, 1, 31, 17, 30, tzinfo=dt.UTC)  # 01:30 on 02-01 in Asia/Shanghai
    with clock.frozen(at):
        assert clock.now() == at
        assert clock.localdate() == dt.date(2022, 2, 1)


@pytest.mark.django_db
def test_clock_set_is_shared_through_the_database_and_reset_returns_to_wall_time(capsys):
    # given: no block override, so the shared state counts
    token = clock._override.set(None)
    try:
        call_command("clock", "set", "2022-02-01T10:00")
        assert clock.now() == dt.datetime(2022, 2, 1, 2, 0, tzinfo=dt.UTC)
        call_command("clock", "reset")
        assert abs((clock.now() - dt.datetime.now(dt.UTC)).total_seconds()) < 5
    finally:
        clock._override.reset(token)


@pytest.mark.django_db
def test_running_clock_moves_forward_from_the_set_time():
    token = clock._override.set(None)
    try:
        start = dt.datetime(2022, 5, 1, 8, 0, tzinfo=dt.UTC)
        clock.clock_set(start, running=True)
        assert dt.timedelta(0) <= clock.now() - start < dt.timedelta(seconds=5)
    finally:
        clock.clock_set(None)
        clock._override.reset(token)


def test_parse_instant_reads_naive_times_in_the_installation_zone():
    assert clock.parse_instant("2022-02-01T10:00") == dt.datetime(2022, 2, 1, 2, 0, tzinfo=dt.UTC)
    assert clock.parse_instant("2022-02-01T10:00+00:00") == dt.datetime(
        2022, 2, 1, 10, 0, tzinfo=dt.UTC
    )


def test_a_local_day_runs_from_its_midnight_to_the_midnight_that_ends_it():
    start, end = clock.day_bounds(dt.date(2022, 2, 1))
    assert (
        start
        == clock.local_midnight(dt.date(2022, 2, 1))
        == dt.datetime(2022, 1, 31, 16, 0, tzinfo=dt.UTC)
    )
    assert (
        end == clock.day_end(dt.date(2022, 2, 1)) == dt.datetime(2022, 2, 1, 16, 0, tzinfo=dt.UTC)
    )
    assert clock.day_ended_by(end) == dt.date(2022, 2, 1)

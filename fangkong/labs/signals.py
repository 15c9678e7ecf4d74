"""Testing's part of the obligation tick: this period's scheduled tests and environment samples."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from fangkong.obligations.signals import day_opening


@receiver(day_opening)
def open_scheduled_testing(sender: Any, day: dt.date, **kwargs: Any) -> int:
    from fangkong.labs.schedules import environment_samples_open, scheduled_tests_open

    return scheduled_tests_open(day) + environment_samples_open(day)

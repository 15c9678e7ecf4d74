"""What the work plans do when the register tells them something, and their part of the tick."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from fangkong.obligations.signals import day_opening
from fangkong.people.signals import arrival_recorded
from fangkong.policy.services import duties_open, person_recompute, reports_open


@receiver(arrival_recorded)
def classify_on_arrival(sender: Any, person: Any, actor: Any, **kwargs: Any) -> None:
    """An arrival: the plan in force classifies the person again."""
    person_recompute(person, trigger="arrival", actor=actor)


@receiver(day_opening)
def open_routine_reports(sender: Any, day: dt.date, **kwargs: Any) -> int:
    """The tick opens the day: the routine reports and the duties of the packs in force."""
    return reports_open(day) + duties_open(day)

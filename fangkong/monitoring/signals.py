"""Daily monitoring's part of the obligation tick (the check-in slots and the follow-ups of the
day), and a fever found at a quarantine site leaving for hospital."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from fangkong.obligations.signals import day_opening
from fangkong.quarantine.events import sent_to_hospital


@receiver(day_opening)
def open_checkin_slots(sender: Any, day: dt.date, **kwargs: Any) -> int:
    from fangkong.monitoring.services import checkin_obligations_open

    return checkin_obligations_open(day)


@receiver(day_opening)
def open_fever_follow_ups(sender: Any, day: dt.date, **kwargs: Any) -> int:
    from fangkong.monitoring.services import fever_follow_ups_open

    return fever_follow_ups_open(day)


@receiver(sent_to_hospital)
def fevers_to_hospital(sender: Any, person_id: int, **kwargs: Any) -> int:
    from fangkong.monitoring.services import fevers_sent_to_hospital

    return fevers_sent_to_hospital(person_id)

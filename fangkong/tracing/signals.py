"""What the case register tells the apps above it (tracing knows nothing of them; they listen),
and its part of the obligation tick."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import Signal, receiver

from fangkong.obligations.signals import day_opened

# A case was confirmed (reported confirmed or asymptomatic, or upgraded to that): its places are
# disinfected (readiness, L-12). Sent with ``case`` inside the report's transaction.
case_confirmed = Signal()


@receiver(day_opened)
def suspend_in_hospital(sender: Any, day: dt.date, **kwargs: Any) -> None:
    """The people in hospital owe none of their tests and check-ins of the day, whichever app
    opened them."""
    from fangkong.tracing.services import hospital_stays_suspend

    hospital_stays_suspend(day)

"""Readiness listens: the tick opens the day's scheduled disinfections; a confirmed case's
places are disinfected (L-12)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver

from fangkong.obligations.signals import day_opening
from fangkong.tracing.signals import case_confirmed


@receiver(day_opening)
def open_scheduled_disinfection(sender: Any, day: dt.date, **kwargs: Any) -> int:
    from fangkong.readiness.disinfection import disinfection_open

    return disinfection_open(day)


@receiver(case_confirmed)
def disinfect_after_case(sender: Any, case: Any, actor: Any, **kwargs: Any) -> None:
    from fangkong.readiness.disinfection import disinfect_case_places

    disinfect_case_places(case, actor)

"""What the work plans do when the register tells them something, and their part of the tick."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext as _

from fangkong.obligations.models import Obligation, ObligationKind, ObligationSource
from fangkong.obligations.services import obligations_meet
from fangkong.obligations.signals import day_opening
from fangkong.people.signals import arrival_recorded
from fangkong.policy.services import duties_open, person_recompute, reports_open


@receiver(arrival_recorded)
def classify_on_arrival(sender: Any, person: Any, actor: Any, **kwargs: Any) -> None:
    """An arrival, or a planned one: the plan in force classifies the person again, and the trip
    recorded is the trip reported (报备: G-19, C-15, B-20), so the filings its rules ask for are met
    now — on time when recorded by their due time (3 days ahead in P13), late when after."""
    person_recompute(person, trigger="arrival", actor=actor)
    obligations_meet(
        Obligation.objects.filter(
            person=person, kind=ObligationKind.FILING, source=ObligationSource.CLASSIFICATION
        ),
        actor=actor,
        unit_id=person.unit_id,
        summary=_("trip reported"),
    )


@receiver(day_opening)
def open_routine_reports(sender: Any, day: dt.date, **kwargs: Any) -> int:
    """The tick opens the day: the routine reports and the duties of the packs in force."""
    return reports_open(day) + duties_open(day)

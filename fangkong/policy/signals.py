"""What the work plans do when the register tells them something."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from fangkong.people.signals import arrival_recorded
from fangkong.policy.services import person_recompute


@receiver(arrival_recorded)
def classify_on_arrival(sender: Any, person: Any, actor: Any, **kwargs: Any) -> None:
    """An arrival: the plan in force classifies the person again."""
    person_recompute(person, trigger="arrival", actor=actor)

"""What quarantine does when the work plans tell it something."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from fangkong.policy.events import measures_released
from fangkong.quarantine.services import placements_close


@receiver(measures_released)
def rooms_free_on_release(sender: Any, person_ids: list[int], **kwargs: Any) -> None:
    """A release frees the person's room: to be disinfected once nobody is left in it."""
    placements_close(person_ids)

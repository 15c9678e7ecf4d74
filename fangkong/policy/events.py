"""What the work plans tell the apps above them. Policy knows nothing of them; they listen."""

from __future__ import annotations

from django.dispatch import Signal

# A person was released (解除隔离): the measures begun by the day ended. Sent with ``person_ids``
# inside the release's transaction, so a quarantine room is freed in the same commit.
measures_released = Signal()

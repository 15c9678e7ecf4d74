"""What quarantine tells the apps above it. Quarantine knows nothing of them; they listen."""

from __future__ import annotations

from django.dispatch import Signal

# A person placed at a site left for hospital in a closed-loop vehicle (转送定点医院). Sent with
# ``person_id`` inside the transfer's transaction, so the fever found at the site leaves the
# observation room in the same commit.
sent_to_hospital = Signal()

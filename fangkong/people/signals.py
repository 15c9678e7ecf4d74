"""What the register tells the apps above it. The register knows nothing of them; they listen."""

from __future__ import annotations

from django.dispatch import Signal

# A stay was added to a person's travel history: the plan in force classifies the person again.
# Sent with ``person`` and ``actor`` inside the write's transaction.
arrival_recorded = Signal()

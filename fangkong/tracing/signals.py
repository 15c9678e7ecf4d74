"""What the case register tells the apps above it. Tracing knows nothing of them; they listen."""

from __future__ import annotations

from django.dispatch import Signal

# A case was confirmed (reported confirmed or asymptomatic, or upgraded to that): its places are
# disinfected (readiness, L-12). Sent with ``case`` inside the report's transaction.
case_confirmed = Signal()

"""The tick's call to the apps above: open your deadlines of the day.

Receivers take ``day`` and return how many rows they opened (policy: the routine reports of the
packs in force; monitoring: check-in slots; labs: the period's scheduled tests and samples).
"""

from __future__ import annotations

from django.dispatch import Signal

day_opening = Signal()

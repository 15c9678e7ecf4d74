"""The tick's calls to the apps above: open your deadlines of the day, then close those no longer
owed.

``day_opening`` receivers take ``day`` and return how many rows they opened (policy: the routine
reports of the packs in force; monitoring: check-in slots; labs: the period's scheduled tests and
samples). ``day_opened`` receivers take ``day`` once every opener has run, before the tick marks
the past-due missed (tracing: the tests and check-ins of the people in hospital are suspended).
"""

from __future__ import annotations

from django.dispatch import Signal

day_opening = Signal()
day_opened = Signal()

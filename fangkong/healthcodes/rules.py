"""A person's health code colour (健康码 绿/黄/红) from what the register knows of them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Colour(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return str(COLOUR_LABELS[self])


COLOUR_LABELS = {
    Colour.GREEN: _("green code"),
    Colour.YELLOW: _("yellow code"),
    Colour.RED: _("red code"),
}


@dataclass(frozen=True)
class StatusFacts:
    """What the colour is made of, read in one statement by ``selectors.person_status_facts``."""

    quarantined: bool  # an active central or home quarantine
    monitored: bool  # an active home health monitoring
    positive: bool  # a positive result sampled within POSITIVE_DAYS
    fever_open: bool  # a fever not yet closed (in the observation room, at the clinic)
    symptomatic: bool  # a check-in within SYMPTOM_DAYS with a fever or a listed symptom


POSITIVE_DAYS = 14
SYMPTOM_DAYS = 3


def status_colour(facts: StatusFacts) -> Colour:
    """The colour of a person's code; the one place that decides it.

    - **Red** (红码): under quarantine, central or at home (the measures of C and E-21's
      "yellow/red code: no entry"), or a positive result sampled in the last 14 days.
    - **Yellow** (黄码): under home health monitoring, a fever not yet closed, or a check-in of the
      last 3 days with a fever or a symptom of the plan's list (E-19: 发热干咳等症状, E-20).
    - **Green** (绿码) otherwise.

    A gate reading a yellow or red code applies its pack's actions (E-19, E-21); the code says
    nothing of negative-test proofs, which are checked against the results themselves (D-17).
    """
    if facts.quarantined or facts.positive:
        return Colour.RED
    if facts.monitored or facts.fever_open or facts.symptomatic:
        return Colour.YELLOW
    return Colour.GREEN

"""Shared pieces of the data model: the timestamped base and the controlled clock's state."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ClockState(models.Model):
    """The one row that sets the controlled clock for every process of this installation.

    ``frozen_at`` stops time at that instant (tests, drills); ``offset_seconds`` lets time run but
    shifted (a demo replaying 2022). Both empty means the wall clock.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    frozen_at = models.DateTimeField(null=True, blank=True)
    offset_seconds = models.FloatField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(singleton=True), name="clockstate_single_row"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"frozen at {self.frozen_at}" if self.frozen_at else f"offset {self.offset_seconds} s"
        )

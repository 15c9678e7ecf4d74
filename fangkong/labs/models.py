"""Nucleic-acid results of individuals: the fact that meets a test obligation.

A pooled tube's result becomes individual results once resolved; sampling and tubes come with the
testing issue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import TimestampedModel


class LabResult(TimestampedModel):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="results")
    sampled_at = models.DateTimeField(_("sampled at"))
    positive = models.BooleanField(_("positive"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sampled_at", "id"]
        indexes = [models.Index(fields=["person", "sampled_at"], name="labresult_person_idx")]

    def __str__(self) -> str:
        return f"{'+' if self.positive else '-'} {self.sampled_at:%Y-%m-%d}"

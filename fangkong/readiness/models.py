"""Readiness (应急准备): the duty roster of a unit — who is on duty when, the leader on duty
(带班领导), their phone, and the handover each shift leaves the next (A-21, A-23, A-26, A-27)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Shift(models.Model):
    """One person on duty for a unit from ``starts_at`` to ``ends_at``."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    leader = models.BooleanField(_("leader on duty"), default=False)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    handover = models.CharField(_("handover"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["unit", "starts_at"], name="shift_unit_start_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.starts_at:%m-%d %H:%M}"

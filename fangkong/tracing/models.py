"""Contacts (密接, 次密接): who was exposed, when last, and through whom."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import TimestampedModel
from fangkong.policy.models import ExposureKind


class Exposure(TimestampedModel):
    """A person found to be a contact: the last exposure is day 0 of the contact rules.

    ``via`` is the case (for a close contact) or the close contact (for a secondary contact), whose
    results decide a secondary contact's release or upgrade (P14, D-12).
    """

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="exposures")
    kind = models.CharField(_("kind"), max_length=20, choices=ExposureKind.choices)
    last_exposed_at = models.DateTimeField(_("last exposure"))
    identified_at = models.DateTimeField(_("identified at"))
    via = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("exposed through"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("exposure")
        verbose_name_plural = _("exposures")
        ordering = ["-last_exposed_at", "-id"]
        indexes = [models.Index(fields=["via"], name="exposure_via_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in ExposureKind]),
                name="exposure_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(last_exposed_at__lte=models.F("identified_at")),
                name="exposure_identified_after_exposure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.last_exposed_at:%Y-%m-%d}"

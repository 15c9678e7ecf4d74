"""Nucleic-acid testing (F-01 … F-06): screening rounds, sampling points, tubes (single, household,
pooled), the people sampled into each tube, transport boxes, the labs' results, and individual
results.

A tube's result is a row of ``TubeResult``. A person's result is that of the tube the person was
sampled into (a single tube's either way; a pool's when negative: a positive pool is no one's
result until the single re-tests) or an individual ``LabResult`` entered by hand. Nothing is
overwritten: a result that contradicts the one accepted is kept beside it and flagged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.models import TimestampedModel

POOL_SIZES = (1, 5, 10, 20)


class LabResult(TimestampedModel):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="results")
    sampled_at = models.DateTimeField(_("sampled at"))
    positive = models.BooleanField(_("positive"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("test result")
        verbose_name_plural = _("test results")
        ordering = ["sampled_at", "id"]
        indexes = [models.Index(fields=["person", "sampled_at"], name="labresult_person_idx")]

    def __str__(self) -> str:
        return f"{'+' if self.positive else '-'} {self.sampled_at:%Y-%m-%d}"


class RoundStatus(models.TextChoices):
    # A round in progress (进行中), not a deadline to do (待办, obligations.ObligationStatus.OPEN).
    OPEN = "open", pgettext_lazy("screening round status", "open")
    CLOSED = "closed", _("closed")


class ScreeningRound(TimestampedModel):
    """全员核酸筛查 (F-05): everyone registered in a unit's subtree sampled by a deadline."""

    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    lab = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("testing lab"),
    )
    pool_size = models.PositiveSmallIntegerField(_("pool size"), default=10)
    starts_at = models.DateTimeField(_("starts at"))
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pool_size__in=POOL_SIZES), name="round_pool_size_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(deadline__gt=models.F("starts_at")), name="round_deadline_after"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SamplingPoint(TimestampedModel):
    """采样点: where people are sampled, run by a unit, with its time slots."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    slots = models.CharField(_("time slots"), max_length=200, blank=True)  # "08:00-11:30 …"
    # Its venue code: a sample taken here is a visit, evidence for the contact search.
    venue = models.OneToOneField(
        "tracing.Venue", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Box(TimestampedModel):
    """A transport box of tubes handed from the sampling unit to the lab (乡采样、县检测)."""

    code = models.CharField(_("box code"), max_length=32, unique=True)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("sending unit")
    )
    lab = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("lab")
    )
    fever = models.BooleanField(_("fever-clinic samples"), default=False)
    sent_at = models.DateTimeField(_("sent at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.code


class TubeKind(models.TextChoices):
    SINGLE = "single", _("single tube")
    HOUSEHOLD = "household", _("household tube")
    POOL = "pool", _("pooled tube")
    ENVIRONMENT = "environment", _("environment sample")


class Tube(models.Model):
    """A sampling tube, known by its barcode; filled with up to ``capacity`` people (or an
    environment sample of a place)."""

    barcode = models.CharField(_("barcode"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=TubeKind.choices)
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    round = models.ForeignKey(
        ScreeningRound, null=True, blank=True, on_delete=models.PROTECT, related_name="tubes"
    )
    point = models.ForeignKey(
        SamplingPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sampling unit"),
        db_index=False,
    )
    lab = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    box = models.ForeignKey(
        Box, null=True, blank=True, on_delete=models.SET_NULL, related_name="tubes"
    )
    place = models.CharField(_("place"), max_length=200, blank=True)  # environment samples
    sampled_at = models.DateTimeField(_("sampled at"))
    sealed = models.BooleanField(_("sealed"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["-sampled_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1, capacity__lte=20), name="tube_capacity_valid"
            )
        ]

    def __str__(self) -> str:
        return self.barcode


class Sample(models.Model):
    """One person swabbed into one tube. ``round`` is the tube's, kept here so that one person is
    in one tube of a round (a unique index) and coverage counts need no join."""

    tube = models.ForeignKey(Tube, on_delete=models.CASCADE, related_name="samples", db_index=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="samples", db_index=False
    )
    round = models.ForeignKey(
        ScreeningRound, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        db_index=False,
    )  # fmt: skip
    sampled_at = models.DateTimeField(_("sampled at"))

    class Meta:
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        ordering = ["sampled_at", "id"]
        indexes = [models.Index(fields=["person", "sampled_at"], name="sample_person_idx")]
        constraints = [
            models.UniqueConstraint(fields=["tube", "person"], name="sample_tube_person_unique"),
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=models.Q(round__isnull=False),
                name="sample_round_person_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.tube_id}"


class Outcome(models.TextChoices):
    NEGATIVE = "negative", _("negative")
    POSITIVE = "positive", _("positive")
    INVALID = "invalid", _("invalid, sample again")


class TubeResult(models.Model):
    """A lab's result for a tube, as the lab sent it. The first is accepted; an identical one
    sent again changes nothing; a different one is kept, flagged ``conflict``, and does not
    replace it."""

    tube = models.ForeignKey(Tube, on_delete=models.CASCADE, related_name="results", db_index=False)
    outcome = models.CharField(_("result"), max_length=8, choices=Outcome.choices)
    ct = models.DecimalField(_("Ct value"), max_digits=4, decimal_places=1, null=True, blank=True)
    tested_at = models.DateTimeField(_("tested at"))
    lab = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    conflict = models.BooleanField(_("contradicts the accepted result"), default=False)
    source = models.CharField(_("source"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            # One accepted result per tube; contradictions are rows beside it.
            models.UniqueConstraint(
                fields=["tube"], condition=models.Q(conflict=False), name="tuberesult_accepted"
            ),
            models.CheckConstraint(
                condition=models.Q(ct__isnull=True) | models.Q(ct__gte=0, ct__lte=50),
                name="tuberesult_ct_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tube_id} {self.outcome}"

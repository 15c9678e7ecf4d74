"""Gates and checkpoints (门岗, 卡口) and their register of entries (外来人员登记, P08): who came,
their temperature, symptoms, the epidemic-area questions, the health code, what was decided and
whether they were disinfected (E-19, E-20, E-21)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.monitoring.models import MAX_CELSIUS, MIN_CELSIUS, HealthCode


class GateKind(models.TextChoices):
    SCHOOL_GATE = "school_gate", _("school gate")
    COMPANY_GATE = "company_gate", _("company gate")
    VILLAGE_CHECKPOINT = "village_checkpoint", _("village checkpoint")
    SERVICE_HALL = "service_hall", _("service hall entrance")


class Gate(models.Model):
    """A gate or checkpoint of a unit. With a venue code, the entries of registered people count
    as visits to that venue in the contact search (tracing.venues, ADR 18)."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=GateKind.choices)
    name = models.CharField(_("name"), max_length=100)
    venue = models.ForeignKey(
        "tracing.Venue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("venue code"),
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["unit__path", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=GateKind.values), name="gate_kind_known"
            ),
            models.UniqueConstraint(fields=["unit", "name"], name="gate_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class GateKeeper(models.Model):
    """A user assigned to keep a gate (门岗值守): a gate keeper sees this gate's entries alone."""

    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="keepers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gate", "user"], name="gate_keeper_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.gate_id}"


class Outcome(models.TextChoices):
    ADMITTED = "admitted", _("let in")
    REFUSED = "refused", _("refused")  # asked to leave (劝离, 劝返), with the reason
    FEVER_CLINIC = "fever_clinic", _("sent to the fever clinic")


class GateAction(models.TextChoices):
    """What the pack has the gate do (recorded on the entry)."""

    ASKED_TO_LEAVE = "asked_to_leave", _("asked to leave (fever or symptoms)")  # E-19
    CODE_REFUSED = "code_refused", _("no entry with a yellow or red code")  # E-21
    REFERRED = "refer_to_fever_clinic", _("sent to the fever clinic")  # E-22
    EPIDEMIC_AREA = "epidemic_area", _("from or in contact with the epidemic area")


class GateEntry(models.Model):
    """One person at a gate: a registered person (``person``) or a visitor typed in
    (``visitor``), whose name and phone live in ``people``."""

    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="+", db_index=False)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("person"),
    )
    visitor = models.ForeignKey(
        "people.Visitor",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("visitor"),
    )
    at = models.DateTimeField(_("time"))
    celsius = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    from_epidemic_area = models.BooleanField(_("from the epidemic area"), default=False)
    epidemic_contact = models.BooleanField(_("in contact with the epidemic area"), default=False)
    health_code = models.CharField(
        _("health code"), max_length=8, choices=HealthCode.choices, blank=True
    )
    code_scanned = models.BooleanField(_("code scanned"), default=False)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    disinfected = models.BooleanField(_("disinfected"), default=False)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("gate entry")
        verbose_name_plural = _("gate entries")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, visitor__isnull=True)
                | models.Q(person__isnull=True, visitor__isnull=False),
                name="gate_entry_one_who",
            ),
            models.CheckConstraint(
                condition=models.Q(celsius__isnull=True)
                | models.Q(celsius__gte=MIN_CELSIUS, celsius__lte=MAX_CELSIUS),
                name="gate_entry_celsius_plausible",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=Outcome.values), name="gate_entry_outcome_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome="refused") | ~models.Q(reason=""),
                name="gate_entry_refusal_has_reason",
            ),
        ]
        indexes = [
            # The gate's register of a day, newest first.
            models.Index(fields=["gate", "at"], name="gate_entry_gate_at_idx"),
            # A person's visits between two times (the contact search's union, ADR 18).
            models.Index(
                fields=["person", "at"],
                condition=models.Q(person__isnull=False),
                name="gate_entry_person_at_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gate_id} {self.at:%Y-%m-%d %H:%M} {self.outcome}"

"""Daily health monitoring (REQUIREMENTS E): check-ins, fevers, illness absences, unit reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import TimestampedModel

# The union of the plans' symptom lists (E-20); a pack names the ones it asks about.
SYMPTOMS = {
    "fever": _("fever"),
    "cough": _("cough"),
    "dry_cough": _("dry cough"),
    "sore_throat": _("sore throat"),
    "fatigue": _("fatigue"),
    "loss_of_smell_or_taste": _("loss of smell or taste"),
    "diarrhoea": _("diarrhoea"),
    "runny_nose": _("runny nose"),
    "nasal_congestion": _("nasal congestion"),
    "breathing_difficulty": _("breathing difficulty"),
    "vomiting": _("vomiting"),
}
MIN_CELSIUS = 34
MAX_CELSIUS = 43


class HealthCode(models.TextChoices):
    GREEN = "green", _("green")
    YELLOW = "yellow", _("yellow")
    RED = "red", _("red")


class CheckinVia(models.TextChoices):
    SELF = "self", _("self (personal link)")
    STAFF = "staff", _("recorded by staff")
    API = "api", _("API")


class CheckinStatus(models.TextChoices):
    NORMAL = "normal", _("normal")
    RECHECK = "recheck", _("measure again")
    FEVER = "fever", _("fever")
    SYMPTOMS = "symptoms", _("symptoms on the plan's list")


class Checkin(models.Model):
    """One health check-in (晨午检, 健康打卡): a temperature, symptoms, the health code, a place.

    ``status`` is the pack's verdict on the person's consecutive readings up to this one.
    """

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="checkins", db_index=False
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+", db_index=False)
    at = models.DateTimeField(_("time"))
    celsius = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    health_code = models.CharField(
        _("health code"), max_length=8, choices=HealthCode.choices, blank=True
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=CheckinStatus.choices)
    via = models.CharField(max_length=8, choices=CheckinVia.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("health check-in")
        verbose_name_plural = _("health check-ins")
        ordering = ["-at", "-id"]
        indexes = [
            # The person's readings in order (re-measure counting, the person page).
            models.Index(fields=["person", "at"], name="checkin_person_at_idx"),
            # The day's check-ins of a unit subtree (roll-ups, who is missing).
            models.Index(fields=["unit", "at"], name="checkin_unit_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(celsius__isnull=True)
                | models.Q(celsius__gte=MIN_CELSIUS, celsius__lte=MAX_CELSIUS),
                name="checkin_celsius_plausible",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in CheckinStatus]),
                name="checkin_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.at:%Y-%m-%d %H:%M} {self.celsius or ''}"


class SelfCheckinLink(TimestampedModel):
    """A person's own check-in link (QR code): opens only that person's form until it expires or
    is revoked."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"link of {self.person_id}"


class FeverDisposition(models.TextChoices):
    OPEN = "open", _("in the observation room")
    SENT_HOME = "sent_home", _("sent home with family")
    FEVER_CLINIC = "fever_clinic", _("to the fever clinic")
    AMBULANCE = "ambulance", _("to the fever clinic by ambulance (120)")
    CLEARED = "cleared", _("cleared")
    # E-16: the follow-up is reported daily until this is recorded (直至康复).
    RECOVERED = "recovered", _("recovered")


# Where a person goes first when the pack's action says so (the rest wait in the observation room).
DISPOSITION_OF_ACTION = {
    "send_home": "sent_home",
    "refer_to_fever_clinic": "fever_clinic",
}


class FeverEvent(TimestampedModel):
    """The fever path (E-15, D-06, N-02, N-03): confirmed fever → observation room → reports
    with their deadlines → history questions → disposition."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="fevers")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    checkin = models.ForeignKey(Checkin, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"))
    pack_id = models.CharField(max_length=64)
    actions = models.JSONField(default=list)
    travel_history = models.TextField(_("14-day travel and transit history"), blank=True)
    contact_history = models.TextField(_("contact with cases or key areas"), blank=True)
    disposition = models.CharField(
        _("disposition"),
        max_length=16,
        choices=FeverDisposition.choices,
        default=FeverDisposition.OPEN,
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("fever event")
        verbose_name_plural = _("fever events")
        ordering = ["-confirmed_at"]

    def __str__(self) -> str:
        return f"fever {self.person_id} {self.confirmed_at:%Y-%m-%d %H:%M}"


class AbsenceStatus(models.TextChoices):
    FOLLOWING = "following", _("following up")
    CAUSE_KNOWN = "cause_known", _("cause known")
    RETURNED = "returned", _("returned")


class Absence(TimestampedModel):
    """An illness absence (因病缺勤, E-05): followed up until the cause is known; the return
    needs the documents and approvals the pack asks for (D-10)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="absences")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("first day absent"))
    illness = models.BooleanField(_("because of illness"), default=True)
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    cause = models.CharField(_("cause"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AbsenceStatus.choices, default=AbsenceStatus.FOLLOWING
    )
    hospital_certificate = models.BooleanField(_("hospital certificate seen"), default=False)
    approved_by_doctor = models.CharField(
        _("approved by the school doctor"), max_length=50, blank=True
    )
    approved_by_leader = models.CharField(
        _("approved by the leadership"), max_length=50, blank=True
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("illness absence")
        verbose_name_plural = _("illness absences")
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["unit", "day"], name="absence_unit_day_idx")]

    def __str__(self) -> str:
        return f"absence {self.person_id} from {self.day}"


class UnitReport(TimestampedModel):
    """A unit's daily, zero or weekly report (日报告、零报告、周报告), filed against its obligation.

    ``figures`` are pre-filled from the day's data and may be corrected by the filer; "nothing to
    report" is itself a report (``zero``).
    """

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    day = models.DateField(_("day"))
    figures = models.JSONField(default=dict)
    zero = models.BooleanField(_("nothing to report"), default=False)
    note = models.TextField(_("note"), blank=True)
    filed_at = models.DateTimeField(_("filed at"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["-day", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "day"], name="unitreport_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.unit_id} {self.day}"

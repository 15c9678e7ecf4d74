"""What the work plans produce as data: risk areas, pack assignments, measures, obligations, inbox.

The packs themselves are files (policies/*.yaml); the database holds which pack is in force where,
the facts the rules read (risk areas), and what the rules decided (measures, obligations).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import TimestampedModel


def dates_in_order(name: str) -> models.CheckConstraint:
    """A date range that may stay open (no end: until further notice / until released)."""
    return models.CheckConstraint(
        condition=models.Q(end_date__isnull=True) | models.Q(start_date__lte=models.F("end_date")),
        name=name,
    )


class RiskArea(TimestampedModel):
    """A published risk class of a region at any level (中高风险地区, a/b类地区, 本土病例地市).

    Rows are never edited in place: a change writes a new row and points the old one at it
    (``replaced_by``), a withdrawal stamps ``withdrawn_at``; the history is the chain of rows.
    """

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, verbose_name=_("region"))
    level = models.CharField(_("risk level"), max_length=24)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True)  # empty: until further notice
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    is_current = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["region_id", "-start_date", "-id"]
        indexes = [
            # The classifier reads the current areas overlapping a travel window.
            models.Index(
                fields=["start_date", "end_date"],
                name="riskarea_current_dates_idx",
                condition=models.Q(is_current=True),
            ),
        ]
        constraints = [
            dates_in_order("riskarea_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.level} {self.start_date}–{self.end_date or ''}"


class PlanAssignment(TimestampedModel):
    """A pack in force for a unit's subtree over a date range; the deepest assignment wins."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, verbose_name=_("unit"))
    pack_id = models.CharField(_("plan"), max_length=64)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["unit_id", "-start_date"]
        constraints = [
            dates_in_order("planassignment_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.pack_id} @ {self.unit_id} from {self.start_date}"


class ExposureKind(models.TextChoices):
    """The kinds of contact the contact rules know (密接, 次密接); tracing records them."""

    CLOSE_CONTACT = "close_contact", _("close contact")
    SECONDARY_CONTACT = "secondary_contact", _("secondary contact")


class MeasureKind(models.TextChoices):
    CENTRAL_QUARANTINE = "central_quarantine", _("central quarantine")
    HOME_QUARANTINE = "home_quarantine", _("home quarantine")
    HOME_HEALTH_MONITORING = "home_health_monitoring", _("home health monitoring")


class MeasureStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUPERSEDED = "superseded", _("superseded")
    RELEASED = "released", _("released")


class Trigger(models.TextChoices):
    """Why a person's classification was (re)computed (the event opening a deadline is a pack's
    ``DeadlineEvent``)."""

    ARRIVAL = "arrival", _("arrival")
    CONTACT = "contact", _("became a contact")
    RISK_AREA = "risk_area", _("risk areas changed")
    RESULT = "result", _("test result")
    CROSS_INFECTION = "cross_infection", _("cross-infection at the site")
    PLAN = "plan", _("plan changed")
    RELEASE = "release", _("release")


class Classification(models.Model):
    """A person's current decision under the plan in force: the rule that fired and why.

    One row per person; the measures and obligations of the decision carry its ``decision`` id, and
    an unchanged decision (same id) writes nothing, so recomputing is idempotent.
    """

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="classification"
    )
    decision = models.UUIDField()
    pack_id = models.CharField(_("plan"), max_length=64)
    rule_id = models.CharField(_("rule"), max_length=64)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    explanation = models.JSONField(_("explanation"), default=list)
    actions = models.JSONField(_("actions"), default=list)
    restarted_on = models.DateField(_("count restarted on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"))

    def __str__(self) -> str:
        return f"{self.pack_id}/{self.rule_id}"


class Measure(models.Model):
    """One phase of what a rule decided for a person (集中隔离 → 居家健康监测 …).

    The phases of one decision share ``decision``; a new decision supersedes the active phases and
    keeps them, so the history of a person's measures is never overwritten.
    """

    # Indexes: measure_person_status_idx serves the person; the partial ones serve unit and site.
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="measures", db_index=False
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible unit"),
        db_index=False,
    )
    site = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("quarantine site"),
        db_index=False,
    )
    decision = models.UUIDField()
    phase = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("measure"), max_length=32, choices=MeasureKind.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True)  # empty: until released
    pack_id = models.CharField(_("plan"), max_length=64)
    rule_id = models.CharField(_("rule"), max_length=64)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    explanation = models.JSONField(_("explanation"), default=list)
    release = models.JSONField(_("release conditions"), default=list)
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("decided at"))
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["person_id", "start_date", "phase"]
        indexes = [
            # D-04: everyone quarantined at a site.
            models.Index(
                fields=["site"],
                name="measure_active_site_idx",
                condition=models.Q(status="active", site__isnull=False),
            ),
            # "Who in my units is under which measure": active measures by unit.
            models.Index(
                fields=["unit", "kind"],
                name="measure_active_unit_idx",
                condition=models.Q(status="active"),
            ),
            models.Index(fields=["person", "status"], name="measure_person_status_idx"),
            # Beds ahead: the central quarantines of the people not yet placed (no site yet).
            models.Index(
                fields=["start_date"],
                name="measure_central_unplaced_idx",
                condition=models.Q(status="active", kind="central_quarantine", site__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in MeasureStatus]),
                name="measure_status_valid",
            ),
            dates_in_order("measure_dates_in_order"),
            models.UniqueConstraint(
                fields=["person", "phase"],
                condition=models.Q(status="active"),
                name="measure_one_active_decision_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.start_date}–{self.end_date or ''}"


class ReleaseFactKind(models.TextChoices):
    OBJECT_SAMPLE = "object", _("object sample")
    ENVIRONMENT_SAMPLE = "environment", _("environment sample")
    CONSENT = "consent", _("headquarters' consent")


class ReleaseFact(models.Model):
    """A fact a release is decided on (D-05, D-06) beside the person's own results: a sample of
    an object or of the environment around the person (人、物、环境三样本), or the consent to
    release given by a named person (区疫情防控指挥部同意)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="release_facts", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ReleaseFactKind.choices)
    on = models.DateField(_("day"))  # sampled on, or consent given on
    positive = models.BooleanField(_("positive"), null=True, blank=True)  # samples only
    given_by = models.CharField(_("given by"), max_length=100, blank=True)  # consent only
    note = models.CharField(_("note"), max_length=200, blank=True)  # what was sampled, where
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["person_id", "on", "id"]
        indexes = [
            # The release check reads one person's facts.
            models.Index(fields=["person", "on"], name="releasefact_person_on_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="consent", positive__isnull=True) & ~models.Q(given_by="")
                | models.Q(kind__in=["object", "environment"], positive__isnull=False),
                name="releasefact_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id} {self.on}"

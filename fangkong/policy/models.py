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


class ObligationStatus(models.TextChoices):
    OPEN = "open", _("open")
    MET = "met", _("met")
    MISSED = "missed", _("missed")
    CANCELLED = "cancelled", _("cancelled")


class ObligationKind(models.TextChoices):
    TEST = "test", _("nucleic-acid test")
    CHECKIN = "checkin", _("health check-in")
    ORAL_REPORT = "oral_report", _("oral report")
    WRITTEN_REPORT = "written_report", _("written report")
    DIRECT_REPORT = "direct_report", _("direct report")
    REPORT = "report", _("report")
    TRANSFER = "transfer", _("transfer")
    TEST_RESULT = "test_result", _("test result")
    INVESTIGATION = "investigation", _("epidemiological investigation")
    FILING = "filing", _("filing")
    DAILY_REPORT = "daily_report", _("daily report")
    WEEKLY_REPORT = "weekly_report", _("weekly report")
    ZERO_REPORT = "zero_report", _("zero report")
    FOLLOW_UP = "follow_up", _("follow-up")
    ENVIRONMENT_SAMPLE = "environment", _("environment sample")


class ObligationSource(models.TextChoices):
    CLASSIFICATION = "classification", _("classification")
    EVENT = "event", _("event")
    REPORT = "report", _("routine report")
    MONITORING = "monitoring", _("daily monitoring")
    SCHEDULE = "schedule", _("testing schedule")


class Obligation(models.Model):
    """Every deadline is a row: what must happen, for whom, by when, and which unit answers for it.

    It is met by recording the fact that satisfies it (a test result, a report, a transfer); the
    tick marks the ones past due as missed.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ObligationKind.choices)
    # Few indexes on purpose: classification writes millions of rows, and each index costs on
    # every row. obligation_person_idx serves the person, the partial ones the unit lists.
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="obligations",
        db_index=False,
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("responsible unit"),
        db_index=False,
    )
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=ObligationStatus.choices, default=ObligationStatus.OPEN
    )
    source = models.CharField(max_length=16, choices=ObligationSource.choices)
    decision = models.UUIDField(null=True, blank=True)
    pack_id = models.CharField(_("plan"), max_length=64, blank=True)
    rule_id = models.CharField(_("rule"), max_length=64, blank=True)
    clause = models.TextField(_("clause"), blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("opened at"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The due/overdue lists of a unit subtree: open or missed rows by unit, in due order.
            # With id: many rows share one due time (every test of a day is due at its
            # midnight), and the lists order by (due_at, id), which must not need a sort.
            models.Index(
                fields=["unit", "due_at", "id"],
                name="obligation_pending_unit_idx",
                condition=models.Q(status__in=["open", "missed"]),
            ),
            # The same list for a whole county, in due order.
            models.Index(
                fields=["due_at", "id"],
                name="obligation_pending_due_idx",
                condition=models.Q(status__in=["open", "missed"]),
            ),
            # The tick: open rows past due, oldest first (missed ones are not in its way).
            models.Index(
                fields=["due_at", "id"],
                name="obligation_open_due_idx",
                condition=models.Q(status="open"),
            ),
            models.Index(fields=["person", "kind", "status"], name="obligation_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ObligationStatus]),
                name="obligation_status_valid",
            ),
            # A unit's routine report is opened once per due time, however often the tick runs.
            models.UniqueConstraint(
                fields=["unit", "kind", "due_at"],
                condition=models.Q(source="report"),
                name="obligation_one_routine_report",
            ),
            # A person's check-in slot is opened once, however often the tick runs.
            models.UniqueConstraint(
                fields=["person", "kind", "due_at"],
                condition=models.Q(source="monitoring"),
                name="obligation_one_checkin_slot",
            ),
            # A scheduled test (F-01) or environment sample (F-03) is opened once per period.
            models.UniqueConstraint(
                fields=["person", "rule_id", "due_at"],
                condition=models.Q(source="schedule", person__isnull=False),
                name="obligation_one_scheduled_test",
            ),
            models.UniqueConstraint(
                fields=["unit", "rule_id", "due_at"],
                condition=models.Q(source="schedule", person__isnull=True),
                name="obligation_one_environment_sample",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} due {self.due_at:%Y-%m-%d %H:%M}"


class NotificationTopic(models.TextChoices):
    MISSED = "missed", _("obligations missed")
    POSITIVE = "positive", _("positive result")


class Notification(models.Model):
    """A message in a user's inbox (站内通知), rendered in the reader's language when shown."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.CASCADE)
    topic = models.CharField(max_length=16, choices=NotificationTopic.choices)
    params = models.JSONField(default=dict)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # When the channels beyond the inbox (e-mail, SMS) took it: the send task claims a row by
    # setting this where it is empty, so a retried or duplicated task sends each message once.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.topic} {self.params}"

    @property
    def text(self) -> str:
        if self.topic == NotificationTopic.POSITIVE:
            template = (
                _("Positive pooled tube %(tube)s (%(people)s people) from %(unit)s: re-test each")
                if self.params.get("pooled")
                else _("Positive tube %(tube)s (%(people)s people) from %(unit)s")
            )
            return template % {
                "tube": self.params.get("tube", ""),
                "people": self.params.get("people", 0),
                "unit": self.unit.name if self.unit else "",
            }
        kind = self.params.get("kind", "")
        return _("%(count)s × %(kind)s missed in %(unit)s") % {
            "count": self.params.get("count", 0),
            "kind": ObligationKind(kind).label if kind in ObligationKind.values else kind,
            "unit": self.unit.name if self.unit else "",
        }

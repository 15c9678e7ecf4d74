"""Deadlines as rows (时限): what must happen, for whom, by when, and which unit answers for it;
and the inbox that tells a unit about them.

The tables keep the names they had when obligations lived in ``policy`` (policy_obligation,
policy_notification); docs/adr/0007-obligations-module.md says why the module sits below policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core import clock
from fangkong.core.lookups import Ids


class ObligationStatus(models.TextChoices):
    OPEN = "open", _("open")
    MET = "met", _("met")
    MISSED = "missed", _("missed")
    CANCELLED = "cancelled", _("cancelled")


class CancelReason(models.TextChoices):
    """Why a cancelled obligation is owed no longer, when it is for a while only (shown beside
    the status): the person's tests and check-ins wait while they are in hospital (住院期间暂停)."""

    IN_HOSPITAL = "in_hospital", _("suspended while in hospital")


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
    DUTY = "duty", _("duty")
    ASSISTANCE = "assistance", _("assistance check")
    APPROVAL = "approval", _("approval")
    DISINFECTION = "disinfection", _("disinfection")


PENDING = [ObligationStatus.OPEN, ObligationStatus.MISSED]
# Met by its due time: the 四早 board's "on time".
MET_ON_TIME = models.Q(status=ObligationStatus.MET, met_at__lte=models.F("due_at"))


class ObligationSource(models.TextChoices):
    CLASSIFICATION = "classification", _("classification")
    EVENT = "event", _("event")
    REPORT = "report", _("routine report")
    MONITORING = "monitoring", _("daily monitoring")
    SCHEDULE = "schedule", _("testing schedule")
    DUTY = "duty", _("plan duty")


# The deadlines of the response (四早): those an event sets off (a case, a result, an outbreak),
# the units' routine reports, and every transfer (of a case, or of contacts to quarantine within
# 12 h, which their classification opens); not the register's own tests, check-ins and filings.
# obligation_response_due_idx holds them.
RESPONSE = models.Q(source__in=["event", "report"]) | models.Q(kind="transfer")


class ObligationQuerySet(models.QuerySet["Obligation"]):
    """The read vocabulary of deadlines; callers say what they mean, not which statuses."""

    def pending(self) -> ObligationQuerySet:
        """Still owed: open, or missed and not yet done late (the lists' partial indexes)."""
        return self.filter(status__in=PENDING)

    def open(self) -> ObligationQuerySet:
        return self.filter(status=ObligationStatus.OPEN)

    def met(self) -> ObligationQuerySet:
        return self.filter(status=ObligationStatus.MET)

    def for_people(self, person_ids: Iterable[int]) -> ObligationQuerySet:
        return self.filter(person_id__any=Ids(person_ids))

    def tests(self) -> ObligationQuerySet:
        return self.filter(kind=ObligationKind.TEST)

    def due_on(self, day: dt.date) -> ObligationQuerySet:
        """Due within the local day, from its midnight up to (not at) the midnight that ends it:
        a report of the day, a check-in slot. (A test *of* a day is due at the midnight that ends
        it, specs.DayTest: it is due on the next day by this reading.)"""
        start, end = clock.day_bounds(day)
        return self.filter(due_at__gte=start, due_at__lt=end)

    def due_by(self, moment: dt.datetime) -> ObligationQuerySet:
        return self.filter(due_at__lte=moment)

    def overdue(self, now: dt.datetime) -> ObligationQuerySet:
        return self.pending().filter(due_at__lt=now)

    def responses(self) -> ObligationQuerySet:
        """The deadlines of the response (四早), cancelled ones left out: see RESPONSE."""
        return self.filter(RESPONSE).exclude(status=ObligationStatus.CANCELLED)

    def checkins(self) -> ObligationQuerySet:
        return self.filter(kind=ObligationKind.CHECKIN)

    def reports(self) -> ObligationQuerySet:
        """A unit's routine reports (daily, weekly, zero), opened by the tick."""
        return self.filter(source=ObligationSource.REPORT)

    def periodic(self) -> ObligationQuerySet:
        """Tests and environment samples owed once per period (specs.Periodic)."""
        return self.filter(detail__has_key="since")

    def due_or_running(self, end: dt.datetime, now: dt.datetime) -> ObligationQuerySet:
        """Due before ``end``, or periodic with the period still running at ``now``."""
        return self.filter(
            models.Q(due_at__lt=end) | models.Q(detail__has_key="since", due_at__gt=now)
        )

    def periodic_holding(self, at: dt.datetime) -> ObligationQuerySet:
        """Periodic ones whose period holds the moment ``at`` (begun by its day, not yet due)."""
        day = at.astimezone(clock.tz()).date().isoformat()
        return self.filter(detail__since__lte=day, due_at__gt=at)

    def scheduled(self, rule_id: str, due_at: dt.datetime) -> ObligationQuerySet:
        """This period's obligations of a standing schedule (F-01, F-03)."""
        return self.filter(source=ObligationSource.SCHEDULE, rule_id=rule_id, due_at=due_at)

    def of_boxes(self, codes: Iterable[str]) -> ObligationQuerySet:
        """The turnaround deadlines of these boxes (specs.AfterEvent with a box)."""
        return self.filter(detail__box__in=list(codes))

    def retests_of(self, barcode: str) -> ObligationQuerySet:
        """The single re-tests owed by the members of a positive pooled tube."""
        return self.filter(detail__retest_of=barcode)

    def of_fever(self, event_id: int) -> ObligationQuerySet:
        return self.filter(detail__fever_event=event_id)

    def of_case(self, case_id: int) -> ObligationQuerySet:
        return self.filter(detail__case=case_id)

    def of_outbreak(self, outbreak_id: int) -> ObligationQuerySet:
        return self.filter(detail__outbreak=outbreak_id)

    def of_travel_request(self, request_id: int) -> ObligationQuerySet:
        """The deadlines of a leave or travel request (specs.OfTravelRequest)."""
        return self.filter(detail__travel_request=request_id)

    def of_playbook_run(self, run_id: int) -> ObligationQuerySet:
        """The steps of a playbook run live (specs.OfPlaybookRun)."""
        return self.filter(detail__playbook_run=run_id)

    def of_playbook_step(self, run_id: int, step: int) -> ObligationQuerySet:
        return self.filter(detail__playbook_run=run_id, detail__step=step)

    def of_drug_sale(self, sale_id: int) -> ObligationQuerySet:
        """The report of a pharmacy sale and its buyer's follow-up test (K-02)."""
        return self.filter(detail__drug_sale=sale_id)

    def of_work_injury(self, injury_id: int) -> ObligationQuerySet:
        """The written report of a work injury (G-13)."""
        return self.filter(detail__work_injury=injury_id)


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
    # Empty unless cancelled for a while (obligations_suspend); the bulk writers leave it out.
    cancel_reason = models.CharField(
        _("reason"),
        max_length=16,
        choices=CancelReason.choices,
        blank=True,
        default="",
        db_default="",
    )

    objects = ObligationQuerySet.as_manager()

    class Meta:
        db_table = "policy_obligation"
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
            # The 四早 board and the command view's on-time share: the response's deadlines due
            # in a period, few beside the register's tests and check-ins.
            models.Index(fields=["due_at"], name="obligation_response_due_idx", condition=RESPONSE),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ObligationStatus]),
                name="obligation_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(cancel_reason__in=["", *CancelReason.values]),
                name="obligation_cancel_reason_valid",
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
            # A unit's plan duty (A-04, G-14 …) is opened once per due time by duties_open.
            models.UniqueConstraint(
                fields=["unit", "rule_id", "due_at"],
                condition=models.Q(source="duty"),
                name="obligation_one_plan_duty",
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

    # What the spec wrote into ``detail`` (obligations/specs.py), for pages.
    @property
    def retest_of(self) -> str:
        """The positive pooled tube this single re-test follows (specs.WithinTest)."""
        return str(self.detail.get("retest_of", ""))

    @property
    def is_periodic(self) -> bool:
        """Owed once per period (specs.Periodic): a weekly test-all, an environment sample."""
        return "since" in self.detail

    @property
    def double_sample(self) -> bool:
        """The last test of a schedule, sampled twice and tested in two labs (双采双检)."""
        return bool(self.detail.get("double_sample"))


class NotificationTopic(models.TextChoices):
    MISSED = "missed", _("obligations missed")
    POSITIVE = "positive", _("positive result")
    CASE = "case", _("case reported")
    GATHERING = "gathering", _("gathering decided")
    OUTBREAK = "outbreak", _("outbreak declared")
    ASSISTANCE = "assistance", _("assistance notice")
    TRAVEL = "travel", _("leave or travel request decided")


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
        db_table = "policy_notification"
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
        if self.topic == NotificationTopic.CASE:
            # ``case`` holds the English label of the case's kind (tracing.CaseKind), a message
            # id of the catalogue: translated here, in the reader's language.
            return _("%(case)s reported in %(unit)s") % {
                "case": _(self.params.get("case", "")),
                "unit": self.unit.name if self.unit else "",
            }
        if self.topic == NotificationTopic.GATHERING:
            # ``status`` is the English label of the decision (movement.ApplicationStatus).
            return _("Your gathering at %(place)s on %(day)s: %(status)s") % {
                "place": self.params.get("place", ""),
                "day": self.params.get("day", ""),
                "status": _(self.params.get("status", "")),
            }
        if self.topic == NotificationTopic.TRAVEL:
            # ``status`` is the English label of the decision (movement.RequestStatus).
            return _("Your trip to %(place)s on %(day)s: %(status)s") % {
                "place": self.params.get("place", ""),
                "day": self.params.get("day", ""),
                "status": _(self.params.get("status", "")),
            }
        if self.topic == NotificationTopic.OUTBREAK:
            return _("Outbreak of %(cases)s cases declared in %(unit)s") % {
                "cases": self.params.get("cases", 0),
                "unit": self.unit.name if self.unit else "",
            }
        if self.topic == NotificationTopic.ASSISTANCE:
            return _("Assistance notice: verify %(count)s people of %(unit)s within 24 h") % {
                "count": self.params.get("count", 0),
                "unit": self.unit.name if self.unit else "",
            }
        kind = self.params.get("kind", "")
        return _("%(count)s × %(kind)s missed in %(unit)s") % {
            "count": self.params.get("count", 0),
            "kind": ObligationKind(kind).label if kind in ObligationKind.values else kind,
            "unit": self.unit.name if self.unit else "",
        }

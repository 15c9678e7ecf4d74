"""Readiness (应急准备): the duty roster of a unit — who is on duty when, the leader on duty
(带班领导), their phone, and the handover each shift leaves the next (A-21, A-23, A-26, A-27);
its supplies (防疫物资) by batch with receipts, consumption, requests up and issues down (L-03,
L-07); the disinfection of its places, scheduled and logged (L-02, L-08, L-12); and the work
injuries employers report to the social-security office (G-13, O-06)."""

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


class SupplyItem(models.TextChoices):
    """The catalogue of supplies (防疫物资) the plans name (L-03, L-05, L-07, L-09)."""

    MASK = "mask", _("medical mask")
    N95 = "n95", _("N95 mask")
    DISINFECTANT = "disinfectant", _("disinfectant")
    ALCOHOL = "alcohol", _("medical alcohol")
    HAND_SOAP = "hand_soap", _("hand soap")
    GLOVES = "gloves", _("gloves")
    THERMOMETER = "thermometer", _("infrared thermometer")
    PROTECTIVE_SUIT = "protective_suit", _("protective suit")
    GOGGLES = "goggles", _("goggles")


# The measure each item is counted in (口罩按只, 消毒液按升 …).
ITEM_MEASURES = {
    SupplyItem.MASK: _("pieces"),
    SupplyItem.N95: _("pieces"),
    SupplyItem.DISINFECTANT: _("litres"),
    SupplyItem.ALCOHOL: _("litres"),
    SupplyItem.HAND_SOAP: _("bottles"),
    SupplyItem.GLOVES: _("pairs"),
    SupplyItem.THERMOMETER: _("pieces"),
    SupplyItem.PROTECTIVE_SUIT: _("sets"),
    SupplyItem.GOGGLES: _("pieces"),
}


class StockBatch(models.Model):
    """What a unit holds of one item from one receipt (批次), with its expiry: consumption and
    issues draw the batch that expires first."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    item = models.CharField(_("item"), max_length=20, choices=SupplyItem.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(item__in=[i.value for i in SupplyItem]), name="stockbatch_item_valid"
            ),
        ]
        indexes = [
            # A unit's stock, batches of an item by expiry (the draw order).
            models.Index(fields=["unit", "item", "expires_on"], name="stockbatch_unit_item_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item} ×{self.quantity}"


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", _("receipt")
    CONSUMPTION = "consumption", _("consumption")
    ISSUED = "issued", _("issued down")
    RECEIVED = "received", _("received from above")


class StockMove(models.Model):
    """A change of a unit's stock (入库 / 消耗 / 下拨): ``change`` is signed; an issue down is
    two moves, out of the giver and into the receiver, with ``other_unit`` naming the other."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    item = models.CharField(_("item"), max_length=20, choices=SupplyItem.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=MoveKind.choices)
    change = models.IntegerField(_("quantity"))
    other_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in MoveKind]), name="stockmove_kind_valid"
            ),
        ]
        indexes = [
            # A unit's recent consumption (the daily use of items with no per-person target).
            models.Index(fields=["unit", "item", "at"], name="stockmove_unit_item_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.item} {self.change:+d}"


class RequestStatus(models.TextChoices):
    OPEN = "open", _("open")
    ISSUED = "issued", _("issued")


class SupplyRequest(models.Model):
    """A unit asks the unit above for supplies (village → township → county); the unit above
    answers with an issue down."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    to_unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    item = models.CharField(_("item"), max_length=20, choices=SupplyItem.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    created_at = models.DateTimeField(_("requested at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RequestStatus]),
                name="supplyrequest_status_valid",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supplyrequest_positive"),
        ]
        indexes = [
            # The open requests a unit is asked (its page, the issue form).
            models.Index(
                fields=["to_unit", "created_at"],
                name="supplyrequest_open_idx",
                condition=Q(status="open"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} ×{self.quantity}"


class DisinfectionSchedule(models.Model):
    """A place a unit disinfects ``times_per_day`` times a day (L-02 学校每日消毒两次), or once
    by ``once_by`` after a case was there (L-12, H-07): each time is an obligation, due at the end
    of its part of the day, and a missed one is overdue on the deadline lists."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    place = models.CharField(_("place"), max_length=100)
    times_per_day = models.PositiveSmallIntegerField(_("times a day"), null=True, blank=True)
    once_by = models.DateTimeField(_("once by"), null=True, blank=True)
    case = models.ForeignKey(
        "tracing.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    pack_id = models.CharField(_("plan"), max_length=64, blank=True)
    clause = models.TextField(_("clause"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["unit", "place", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(times_per_day__isnull=True, once_by__isnull=False)
                | Q(times_per_day__gte=1, times_per_day__lte=12, once_by__isnull=True),
                name="disinfectionschedule_daily_or_once",
            ),
        ]
        indexes = [
            # The daily opener: the active standing schedules.
            models.Index(fields=["id"], name="disinfection_daily_idx", condition=Q(active=True)),
        ]

    def __str__(self) -> str:
        return self.place

    @property
    def rule_id(self) -> str:
        """The obligations' rule id: each of the schedule's times is one of them."""
        return f"disinfection:{self.pk}"


class DisinfectionLog(models.Model):
    """A disinfection done (消毒记录): agent, concentration, duration and who did it."""

    schedule = models.ForeignKey(
        DisinfectionSchedule, on_delete=models.CASCADE, related_name="logs"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    agent = models.CharField(_("agent"), max_length=50)
    concentration_mg_l = models.PositiveIntegerField(_("concentration (mg/L)"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    done_by = models.CharField(_("done by"), max_length=50)
    done_at = models.DateTimeField(_("done at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-done_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "-done_at"], name="disinfectionlog_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.done_at:%Y-%m-%d %H:%M}"


class WorkInjury(models.Model):
    """A work injury an employer told the social-security office of by phone (工伤事故, G-13,
    O-06): the employer owes the written report (《工伤事故报告表》 and the inpatient photos, to
    the work-injury section's mailbox) within 24 hours of the accident; ``reported_at`` is when
    the office received it."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    employer = models.CharField(_("employer"), max_length=100)
    name = models.CharField(_("injured worker"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    occurred_at = models.DateTimeField(_("time of the accident"))
    hospital = models.CharField(_("hospital"), max_length=100, blank=True)
    description = models.CharField(_("what happened"), max_length=500, blank=True)
    reported_at = models.DateTimeField(_("written report received"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "employer", "name", "occurred_at"], name="workinjury_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} {self.occurred_at:%Y-%m-%d %H:%M}"

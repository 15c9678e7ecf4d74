"""Gathering applications (聚集性活动申请): what a unit or a village means to hold, judged at
once by the plan in force for it (I-01 … I-15)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GatheringType(models.TextChoices):
    EVENT = "event", _("event")
    BANQUET = "banquet", _("banquet")
    FAMILY_MEAL = "family_meal", _("family meal")
    MEETING = "meeting", _("meeting")


class Organiser(models.TextChoices):
    SCHOOL = "school", _("school")
    UNIT = "unit", _("unit")
    FAMILY = "family", _("family")
    VILLAGE = "village", _("village")


class Purpose(models.TextChoices):
    TEACHING = "teaching", _("teaching")
    OTHER = "other", _("other")


class Verdict(models.TextChoices):
    """The engine's answer (decision.verdict); a forbidden gathering is refused, never stored."""

    APPROVAL_REQUIRED = "approval_required", _("approval required")
    FILING_REQUIRED = "filing_required", _("filing required")
    ADVISED_AGAINST = "advised_against", _("best not held")
    ALLOWED = "allowed", _("may be held")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    FILED = "filed", _("filed")
    NOTED = "noted", _("noted")  # allowed or best not held: nothing to approve or file


class GatheringApplication(models.Model):
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("filed with")
    )
    # The unit above the one filed with (属地疫情防控指挥部, 行业主管部门): its approvers decide.
    approver_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approver = models.CharField(_("approver"), max_length=100, blank=True)  # the pack's words
    type = models.CharField(_("gathering"), max_length=16, choices=GatheringType.choices)
    organiser = models.CharField(_("held by"), max_length=16, choices=Organiser.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    people = models.PositiveIntegerField(_("people"))
    tables = models.PositiveIntegerField(_("tables"), null=True, blank=True)
    classes = models.PositiveIntegerField(_("classes"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=100)
    held_on = models.DateField(_("date"))
    organiser_name = models.CharField(_("organiser"), max_length=50)
    organiser_phone = models.CharField(_("phone"), max_length=20)
    pack_id = models.CharField(max_length=64)
    verdict = models.CharField(_("answer"), max_length=20, choices=Verdict.choices)
    clause = models.CharField(_("clause"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ApplicationStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("gathering application")
        verbose_name_plural = _("gathering applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ApplicationStatus.values),
                name="gathering_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(verdict__in=Verdict.values), name="gathering_verdict_known"
            ),
            models.CheckConstraint(
                condition=models.Q(verdict="approval_required")
                | ~models.Q(status__in=["pending", "approved", "refused"]),
                name="gathering_only_approvals_decided",
            ),
        ]
        indexes = [
            # The approver's queue: pending applications by the unit that decides them.
            models.Index(
                fields=["approver_unit"],
                condition=models.Q(status="pending"),
                name="gathering_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.held_on} {self.place}"

"""Gathering applications (聚集性活动申请): what a unit or a village means to hold, judged at
once by the plan in force for it (I-01 … I-15)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.countries import country_name
from fangkong.people.identity import mask_name, mask_phone


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


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    NOTED = "noted", _("no approval needed")  # the plan asks for no approval, or only filings
    RETURNED = "returned", _("returned")


class TravelRequest(models.Model):
    """A leave or travel request (外出请假 / 出行报批, J-01 … J-08): where a person means to go and
    when, judged at once by the departure rules of the plan in force (C-04 … C-11, C-29 … C-32);
    a forbidden trip is refused, never stored."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    to_region = models.ForeignKey(
        "org.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("destination"),
    )
    to_country = models.CharField(_("country"), max_length=3, blank=True)
    leave_on = models.DateField(_("leaving on"))
    return_on = models.DateField(_("back on"))
    reason = models.CharField(_("reason"), max_length=300)
    pack_id = models.CharField(max_length=64)
    chain_id = models.CharField(max_length=64, blank=True)  # the pack's approval chain
    verdict = models.CharField(_("answer"), max_length=20)
    clause = models.CharField(_("clause"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices)
    refusal = models.CharField(_("reason for refusal"), max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)

    class Meta:
        verbose_name = _("leave or travel request")
        verbose_name_plural = _("leave and travel requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RequestStatus.values),
                name="travel_request_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(leave_on__lte=models.F("return_on")),
                name="travel_request_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(to_region__isnull=False) | ~models.Q(to_country=""),
                name="travel_request_has_destination",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.leave_on}–{self.return_on}"

    @property
    def destination(self) -> str:
        return self.to_region.full_name if self.to_region else country_name(self.to_country)


class StepStatus(models.TextChoices):
    QUEUED = "queued", _("not yet reached")
    WAITING = "waiting", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    FILED = "filed", _("filed")  # a filing step (备案, 报备): nothing to decide


class ApprovalStep(models.Model):
    """One step of a request's approval chain, in the pack's words (班主任, 德育处 …), decided by
    the holder of ``role`` over ``approver_unit``, in order."""

    request = models.ForeignKey(TravelRequest, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("step"), max_length=100)
    role = models.CharField(_("role"), max_length=30)
    approver_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("approver")
    )
    status = models.CharField(_("status"), max_length=10, choices=StepStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="approval_step_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=StepStatus.values), name="approval_step_status_known"
            ),
        ]
        indexes = [
            # The approver's queue: the steps waiting for a decision, by the unit that decides.
            models.Index(
                fields=["approver_unit"],
                condition=models.Q(status="waiting"),
                name="approval_step_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}#{self.position} {self.label}"


class ReportVia(models.TextChoices):
    SELF = "self", _("self-registration")
    UNIT = "unit", _("entered by the unit")  # a hotel's guest report (P04), a village's entry


class ReturneeReport(models.Model):
    """A returnee's report before or on arrival (返乡报备, G-19: 3 days ahead in P13; a hotel's
    guest report, B-16): who, from where, arriving when and going where, received by a unit. The
    person is the register's (one person, one file); their stay is in their travel history."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("received by")
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    from_region = models.ForeignKey(
        "org.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("from"),
    )
    from_country = models.CharField(_("country"), max_length=3, blank=True)
    arrival_on = models.DateField(_("arriving on"))
    destination = models.CharField(_("going to"), max_length=100)
    via = models.CharField(_("reported by"), max_length=8, choices=ReportVia.choices)
    new_person = models.BooleanField(_("new in the register"))
    created_at = models.DateTimeField(_("received at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(via__in=ReportVia.values), name="returnee_report_via_known"
            ),
            models.CheckConstraint(
                condition=models.Q(from_region__isnull=False) | ~models.Q(from_country=""),
                name="returnee_report_has_origin",
            ),
        ]
        indexes = [
            # A unit's page of the reports it received, newest first.
            models.Index(fields=["unit", "-created_at"], name="returnee_report_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.arrival_on}"

    @property
    def origin(self) -> str:
        return self.from_region.full_name if self.from_region else country_name(self.from_country)


class VenueSlot(models.Model):
    """A time slot of a venue taken by reservation (预约、错峰: I-07, I-16, I-18; P07's hall by
    appointment, O-04): ``capacity`` places, ``booked`` of them taken. ``booked`` only changes by
    one conditional UPDATE (booked < capacity), so two bookings at once never overbook."""

    venue = models.ForeignKey(
        "tracing.Venue", on_delete=models.CASCADE, related_name="+", verbose_name=_("venue")
    )
    day = models.DateField(_("date"))
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("to"))
    capacity = models.PositiveIntegerField(_("places"))
    booked = models.PositiveIntegerField(_("booked"), default=0)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["day", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="slot_has_places"),
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="slot_never_overbooked"
            ),
            models.UniqueConstraint(
                fields=["venue", "day", "starts_at"], name="slot_venue_day_start_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def places_left(self) -> int:
        return self.capacity - self.booked


class Reservation(models.Model):
    """A place in a time slot (预约): a person of the register booked by a staff member, or a
    member of the public who booked through the venue's link (``code`` their booking code, their
    ``name`` and ``phone`` kept here: someone who visits a hall is not put in the register).
    Cancelled, it frees the place and stays as the record."""

    slot = models.ForeignKey(VenueSlot, on_delete=models.CASCADE, related_name="reservations")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    code = models.CharField(_("booking code"), max_length=12, blank=True)
    booked_at = models.DateTimeField(_("booked at"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["slot", "booked_at", "id"]
        constraints = [
            # One place a person in a slot: booking twice is refused, not counted twice.
            models.UniqueConstraint(
                fields=["slot", "person"],
                condition=models.Q(cancelled_at__isnull=True),
                name="reservation_one_per_person",
            ),
            # Likewise one place a phone, for those who booked through the link.
            models.UniqueConstraint(
                fields=["slot", "phone"],
                condition=models.Q(cancelled_at__isnull=True) & ~models.Q(phone=""),
                name="reservation_one_per_phone",
            ),
            # The booking code is what cancels a booking made through the link.
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="reservation_code_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(person__isnull=False)
                | (~models.Q(name="") & ~models.Q(phone="") & ~models.Q(code="")),
                name="reservation_names_its_booker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id or self.code} in slot {self.slot_id}"

    # ``booker_seen`` is annotated by ``reservations.reservations_visible``: without it, masked.
    @property
    def booker_name(self) -> str:
        name = self.person.name if self.person else self.name
        return name if getattr(self, "booker_seen", False) else mask_name(name)

    @property
    def booker_phone(self) -> str:
        phone = self.person.phone if self.person else self.phone
        return phone if getattr(self, "booker_seen", False) or not phone else mask_phone(phone)


class GatheringGuest(models.Model):
    """A person on a gathering's guest list (I-01: 村委会负责监督登记参加人员), checked for
    measures and the proofs the plan asks of guests (I-15, D-17)."""

    application = models.ForeignKey(
        GatheringApplication, on_delete=models.CASCADE, related_name="guests"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "person"], name="guest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.application_id}"

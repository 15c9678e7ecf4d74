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
    investigation = models.ForeignKey(
        "tracing.Investigation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("epidemiological investigation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("exposure")
        verbose_name_plural = _("exposures")
        ordering = ["-last_exposed_at", "-id"]
        indexes = [
            models.Index(fields=["via"], name="exposure_via_idx"),
            # The line list of an investigation, and its re-import's look-up of what is there.
            models.Index(fields=["investigation", "person"], name="exposure_investigation_idx"),
        ]
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


class CaseKind(models.TextChoices):
    """疑似病例 / 确诊病例 / 无症状感染者."""

    SUSPECTED = "suspected", _("suspected case")
    CONFIRMED = "confirmed", _("confirmed case")
    ASYMPTOMATIC = "asymptomatic", _("asymptomatic infection")


# The pack event (policies/*.yaml ``deadlines: trigger:``) a case of each kind sets off.
CASE_TRIGGERS = {
    CaseKind.SUSPECTED: "suspected_case",
    CaseKind.CONFIRMED: "confirmed_case",
    CaseKind.ASYMPTOMATIC: "confirmed_case",
}
# The pack event an outbreak sets off.
OUTBREAK_TRIGGER = "outbreak"


class CaseStatus(models.TextChoices):
    """The case's course: 已报告 → 已转运 → 治疗中 → 已治愈, or 已排除 (ruled out)."""

    REPORTED = "reported", _("reported")
    TRANSFERRED = "transferred", _("transferred")
    TREATED = "treated", _("under treatment")
    RECOVERED = "recovered", _("recovered")
    EXCLUDED = "excluded", _("excluded")


# The statuses each status may move to; recovered and excluded are final.
CASE_NEXT = {
    CaseStatus.REPORTED: (CaseStatus.TRANSFERRED, CaseStatus.EXCLUDED),
    CaseStatus.TRANSFERRED: (CaseStatus.TREATED, CaseStatus.EXCLUDED),
    CaseStatus.TREATED: (CaseStatus.RECOVERED, CaseStatus.EXCLUDED),
    CaseStatus.RECOVERED: (),
    CaseStatus.EXCLUDED: (),
}


class CaseQuerySet(models.QuerySet["Case"]):
    def in_course(self) -> CaseQuerySet:
        """Not yet recovered or excluded."""
        return self.exclude(status__in=[CaseStatus.RECOVERED, CaseStatus.EXCLUDED])


class Outbreak(TimestampedModel):
    """聚集性疫情: cases grouped by the county or the unit above them, counted in the deepest unit
    holding all of them, whose plan's ``outbreak`` deadlines it sets off."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    declared_at = models.DateTimeField(_("declared at"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("outbreak")
        verbose_name_plural = _("outbreaks")
        ordering = ["-declared_at", "-id"]
        indexes = [
            # The outbreak list of a unit subtree, newest first.
            models.Index(fields=["unit", "-declared_at"], name="outbreak_unit_declared_idx"),
        ]

    def __str__(self) -> str:
        return f"outbreak {self.declared_at:%Y-%m-%d}"


class Case(TimestampedModel):
    """A suspected or confirmed case or an asymptomatic infection, counted in ``unit`` (the
    person's home unit when reported), whose plan's events it sets off."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="cases")
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REPORTED
    )
    reported_at = models.DateTimeField(_("reported at"))
    # Recovered or ruled out: the person left hospital (the end of the stay that suspends their
    # tests and check-ins, tracing.services.hospital_stays_suspend).
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    outbreak = models.ForeignKey(
        Outbreak,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("outbreak"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        indexes = [
            # The case list of a unit subtree, newest first.
            models.Index(fields=["unit", "-reported_at"], name="case_unit_reported_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in CaseKind]), name="case_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in CaseStatus]),
                name="case_status_valid",
            ),
            # A person has one case in course at a time: a new finding upgrades it.
            models.UniqueConstraint(
                fields=["person"],
                condition=~models.Q(status__in=["recovered", "excluded"]),
                name="case_one_in_course_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reported_at:%Y-%m-%d}"

    @property
    def next_statuses(self) -> list[CaseStatus]:
        return list(CASE_NEXT[CaseStatus(self.status)])

    @property
    def upgrades(self) -> list[CaseKind]:
        """The kinds a suspected case may become (confirmed, asymptomatic), or an asymptomatic
        one (confirmed once symptoms show)."""
        if self.status in (CaseStatus.RECOVERED, CaseStatus.EXCLUDED):
            return []
        if self.kind == CaseKind.SUSPECTED:
            return [CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC]
        return [CaseKind.CONFIRMED] if self.kind == CaseKind.ASYMPTOMATIC else []


class ZoneDismissal(TimestampedModel):
    """A proposed risk area (划定疫区的建议) the headquarters dismissed: the region is proposed
    again only for cases reported after ``dismissed_at`` (H-01)."""

    region = models.ForeignKey(
        "org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    dismissed_at = models.DateTimeField(_("dismissed at"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("dismissed zone proposal")
        verbose_name_plural = _("dismissed zone proposals")
        ordering = ["-dismissed_at", "-id"]
        indexes = [
            # The proposals read each region's latest dismissal.
            models.Index(fields=["region", "-dismissed_at"], name="zonedismissal_region_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.dismissed_at:%Y-%m-%d}"


class InvestigationStatus(models.TextChoices):
    """进行中 → 已判定: the contacts are determined (G-07, within 24 h)."""

    IN_PROGRESS = "in_progress", _("in progress")
    DETERMINED = "determined", _("contacts determined")


class Investigation(TimestampedModel):
    """流行病学调查 of one case: the interview's answers that matter and its contacts (the
    exposures recorded from its line list)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="investigation")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=InvestigationStatus.choices,
        default=InvestigationStatus.IN_PROGRESS,
    )
    onset_date = models.DateField(_("onset date"), null=True, blank=True)
    history = models.TextField(_("14-day history"), max_length=4000, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    determined_at = models.DateTimeField(_("determined at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("epidemiological investigation")
        verbose_name_plural = _("epidemiological investigations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in InvestigationStatus]),
                name="investigation_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="in_progress") | models.Q(determined_at__isnull=False),
                name="investigation_determined_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"investigation of case {self.case_id}"


class VenueKind(models.TextChoices):
    """The places that carry a venue code (场所码)."""

    VENUE = "venue", _("public venue")
    SHOP = "shop", _("shop")
    BUS = "bus", _("bus")
    SAMPLING_POINT = "sampling_point", _("sampling point")
    GATE = "gate", _("gate")
    RESTAURANT = "restaurant", _("restaurant")
    CULTURE = "culture", _("museum, library or stadium")
    SERVICE_HALL = "service_hall", _("service hall")


class Venue(TimestampedModel):
    """A place with a venue code (场所码) that people scan on entering, kept by ``unit``."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=VenueKind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("venue code"), max_length=16, unique=True)
    # 核定人数: what a plan's share of seats (堂食不超过核定人数的50%) is taken of.
    seats = models.PositiveIntegerField(_("rated seats"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name", "id"]
        indexes = [
            # The venue list of a unit subtree.
            models.Index(fields=["unit", "name"], name="venue_unit_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in VenueKind]), name="venue_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Scan(models.Model):
    """A person who scanned a venue code at a time: evidence of where the person was. The same
    scan sent twice is one row."""

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+", db_index=False)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    scanned_at = models.DateTimeField(_("scanned at"))

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["scanned_at", "id"]
        indexes = [
            # A case's trajectory: the person's scans in the 14 days before the report.
            models.Index(fields=["person", "scanned_at"], name="scan_person_at_idx"),
        ]
        constraints = [
            # Also the index of the contact search: who scanned this venue around this time.
            models.UniqueConstraint(
                fields=["venue", "scanned_at", "person"], name="scan_venue_at_person_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.venue_id} {self.scanned_at:%Y-%m-%d %H:%M}"


class Stop(TimestampedModel):
    """A place of the case's trajectory (行程) found by the investigator: a venue or a place
    described in words, its region, from when to when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stops")
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    region = models.ForeignKey(
        "org.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_at = models.DateTimeField(_("from"))
    to_at = models.DateTimeField(_("to"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("trajectory stop")
        verbose_name_plural = _("trajectory stops")
        ordering = ["from_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_at__gte=models.F("from_at")), name="stop_to_after_from"
            ),
            models.CheckConstraint(
                condition=models.Q(venue__isnull=False) | ~models.Q(place=""),
                name="stop_venue_or_place",
            ),
        ]

    def __str__(self) -> str:
        return self.place or str(self.venue_id)


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class ContactCandidate(models.Model):
    """Someone scanned at a venue of the case's trajectory near the case's visit (候选密接): the
    investigator accepts them as a close contact or rejects them; either way they are not
    proposed again for this case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+")
    shared_at = models.DateTimeField(_("shared visit"))
    visits = models.PositiveIntegerField(_("shared visits"))
    gap_seconds = models.PositiveIntegerField(_("closest in time"))
    status = models.CharField(
        _("status"), max_length=10, choices=CandidateStatus.choices, default="proposed"
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("candidate contact")
        verbose_name_plural = _("candidate contacts")
        ordering = ["-visits", "gap_seconds", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="candidate_case_person_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in CandidateStatus]),
                name="candidate_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} for case {self.case_id}"

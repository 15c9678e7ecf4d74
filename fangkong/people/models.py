"""The person register (一人一档): people, households, categories, unit ties, travel history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import TimestampedModel
from fangkong.people.identity import IdType


class Category(models.Model):
    """A register category (resident, student, returnee, high-risk post …); packs refer to codes."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name_zh = models.CharField(_("Chinese name"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=60)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name_zh


class Household(TimestampedModel):
    """People who live together at one address: sampled in one tube, quarantined together, and
    counted as one another's close contacts."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, verbose_name=_("unit"))
    code = models.CharField(_("household code"), max_length=40)
    address_region = models.ForeignKey(
        "org.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("address region"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="household_code_unique_in_unit"),
        ]

    def __str__(self) -> str:
        return self.code


class PersonIdType(models.TextChoices):
    RESIDENT = IdType.RESIDENT, _("resident ID card")
    PASSPORT = IdType.PASSPORT, _("passport")
    HK_MACAO = IdType.HK_MACAO, _("Hong Kong/Macao permit")
    TAIWAN = IdType.TAIWAN, _("Taiwan permit")
    FOREIGN_PERMANENT = IdType.FOREIGN_PERMANENT, _("foreign permanent residence ID")
    OTHER = IdType.OTHER, _("other ID")


class Person(TimestampedModel):
    IdTypes = PersonIdType

    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")
        UNKNOWN = "", _("unknown")

    name = models.CharField(_("name"), max_length=50)
    id_type = models.CharField(_("ID type"), max_length=20, choices=IdTypes.choices)
    id_hash = models.CharField(max_length=64, editable=False)
    id_cipher = models.BinaryField(editable=False)
    id_masked = models.CharField(_("ID number"), max_length=40, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    nationality = models.CharField(_("nationality"), max_length=3, default="CHN")
    # Indexed by person_unit_id_idx (unit, -id), which also serves plain lookups by unit.
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("home unit"),
        db_index=False,
    )
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("household"),
    )
    address_region = models.ForeignKey(
        "org.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("address region"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    categories = models.ManyToManyField(
        Category, through="PersonCategory", blank=True, verbose_name=_("categories")
    )
    # Provenance: never searched by, so no index to keep up on every import.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    import_job = models.ForeignKey(
        "people.ImportJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        db_index=False,
    )

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["id_hash"], name="person_id_number_unique"),
            models.CheckConstraint(
                condition=models.Q(id_type__in=[t.value for t in PersonIdType]),
                name="person_id_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(sex__in=["M", "F", ""]), name="person_sex_valid"
            ),
        ]
        indexes = [
            # The register page: people of a unit, newest first (keyset on id).
            models.Index(fields=["unit", "-id"], name="person_unit_id_idx"),
            # Search by name (prefix) within the user's scope.
            models.Index(
                fields=["name"], name="person_name_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["phone"], name="person_phone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_masked})"


class PersonCategory(models.Model):
    # The unique (person, category) and the (category, person) indexes below serve both keys.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, db_index=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "category"], name="personcategory_unique"),
        ]
        indexes = [
            # Filtering the register by category walks this index, not the people table.
            models.Index(fields=["category", "person"], name="personcategory_cat_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.category_id}"


class PersonUnit(models.Model):
    """A further unit a person belongs to besides the home unit: a class, a department."""

    class Relation(models.TextChoices):
        STUDENT = "student", _("student")
        STAFF = "staff", _("staff")
        MEMBER = "member", _("member")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="unit_ties")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="person_ties")
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "unit"], name="personunit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.relation} @ {self.unit_id}"


class TravelRecord(TimestampedModel):
    """A stay somewhere (旅居史): a region of China or a country, from one date to another."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="travel")
    region = models.ForeignKey(
        "org.Region", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    country = models.CharField(_("country (ISO 3166 alpha-3)"), max_length=3, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_date__lte=models.F("end_date")),
                name="travel_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(region__isnull=False) | ~models.Q(country=""),
                name="travel_has_region_or_country",
            ),
        ]
        indexes = [models.Index(fields=["person", "-start_date"], name="travel_person_idx")]


class Visitor(models.Model):
    """A visitor typed in at a gate or checkpoint (外来人员登记, P08): the name and phone the
    register asks for, kept here with the rest of the personal data; the entry holds the key."""

    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    created_at = models.DateTimeField(_("created at"))

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("importing")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class ImportJob(TimestampedModel):
    """One upload of a register file: its progress, counts, and the rows it refused."""

    Status = ImportStatus

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, verbose_name=_("default unit"))
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    stored_file = models.CharField(max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed"), default=0)
    created_count = models.PositiveIntegerField(_("added"), default=0)
    existing_count = models.PositiveIntegerField(_("already registered"), default=0)
    error_count = models.PositiveIntegerField(_("rejected"), default=0)
    failure = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ImportStatus]),
                name="importjob_status_valid",
            ),
        ]

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class ImportRowError(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=40)
    value = models.TextField(_("value"), blank=True)
    message = models.TextField(_("reason"))

    class Meta:
        ordering = ["row_number", "id"]

    def __str__(self) -> str:
        return f"row {self.row_number} [{self.column}]: {self.message}"

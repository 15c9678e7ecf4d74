"""Regions (GB/T 2260), the unit tree, memberships with roles, and leading groups."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.core.models import TimestampedModel
from fangkong.org.roles import Role


class Region(models.Model):
    """An administrative division: province, city, county or township (行政区划)."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("province")
        CITY = 2, _("city")
        COUNTY = 3, _("county")
        TOWNSHIP = 4, _("township")

    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=64, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # "广东省 广州市 天河区" — what a person reads and what name search matches.
    full_name = models.CharField(_("full name"), max_length=200)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4), name="region_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"


class RegionAlias(models.Model):
    """A code that was abolished or renumbered, pointing at the region that now covers it.

    Travel histories and ID numbers carry old codes (an ID number keeps its birth-place code),
    so a lookup of an old code must still land somewhere.
    """

    old_code = models.CharField(_("old code"), max_length=12, primary_key=True)
    old_name = models.CharField(_("old name"), max_length=64)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="aliases")
    changed_on = models.DateField(_("changed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.old_code} {self.old_name} -> {self.region_id}"


class UnitKind(models.TextChoices):
    HEADQUARTERS = "headquarters", _("headquarters")
    TOWNSHIP = "township", _("township / street")
    VILLAGE = "village", _("village / community")
    GRID = "grid", _("grid")
    SCHOOL = "school", _("school")
    GRADE = "grade", _("grade")
    CLASS = "class", _("class")
    COMPANY = "company", _("company")
    DEPARTMENT = "department", _("department")
    CLINIC = "clinic", _("clinic / hospital")
    PHARMACY = "pharmacy", _("pharmacy")
    LAB = "lab", _("lab")
    QUARANTINE_SITE = "quarantine_site", _("quarantine site")
    PORT = "port", _("port")
    VENUE = "venue", _("venue")


class Unit(TimestampedModel):
    """A node of the one organisation tree: headquarters down to a class or a grid.

    ``path`` is the materialised path of ids ("/1/4/17/"): a subtree is one indexed prefix match,
    which is what every scoped query of people and health data uses.
    """

    Kind = UnitKind

    code = models.CharField(_("unit code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT)
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["path"]
        indexes = [
            # Subtree scoping: WHERE path LIKE '/1/4/%' must use an index on PostgreSQL too,
            # which needs the pattern operator class under a non-C collation.
            models.Index(
                fields=["path"], name="unit_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in UnitKind]), name="unit_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | ~models.Q(parent=models.F("id")),
                name="unit_not_own_parent",
            ),
            models.CheckConstraint(condition=models.Q(path__endswith="/"), name="unit_path_form"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Unit) -> bool:
        return self.path.startswith(other.path)


class Membership(TimestampedModel):
    """A user's role in a unit: the user acts on that unit's subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    # Where reminders reach the role holder by SMS (值班电话); e-mail goes to the user's address.
    phone = models.CharField(_("duty phone"), max_length=20, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.unit}"


class LeadingGroup(TimestampedModel):
    """A leading group, office, response team or drill team of a unit (A-01 … A-25)."""

    class Kind(models.TextChoices):
        LEADING_GROUP = "leading_group", _("leading group")
        OFFICE = "office", _("office")
        TASK_FORCE = "task_force", _("task force")
        RESPONSE_TEAM = "response_team", _("response team")
        SUB_GROUP = "sub_group", _("sub-group")

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="groups", verbose_name=_("unit")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sub_groups",
        verbose_name=_("parent group"),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    duties = models.TextField(_("duties"), blank=True)

    def __str__(self) -> str:
        return self.name


class GroupMember(TimestampedModel):
    class Position(models.TextChoices):
        LEADER = "leader", _("leader (组长)")
        DEPUTY_LEADER = "deputy_leader", _("deputy leader (副组长)")
        MEMBER = "member", _("member (成员)")
        FIRST_RESPONSIBLE = "first_responsible", _("first responsible person (第一责任人)")
        DIRECTLY_RESPONSIBLE = "directly_responsible", _("directly responsible (直接责任人)")
        DESIGNATED_REPORTER = "designated_reporter", _("designated reporter")

    group = models.ForeignKey(LeadingGroup, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, verbose_name=_("person"))
    position = models.CharField(_("position"), max_length=24, choices=Position.choices)
    duties = models.CharField(_("duties"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("leading group membership")
        verbose_name_plural = _("leading group memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person", "position"], name="groupmember_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.person_id} {self.position}"

"""Quarantine sites' rooms (隔离房间) and the people placed in them (安置).

A site is an ``org.Unit`` of kind quarantine site; its rooms and placements live here. A room is
occupied while it holds an open placement; a release closes the placement and leaves the room to
be disinfected (待消杀) until the site marks it done.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_CAPACITY = 20


class RoomState(models.TextChoices):
    FREE = "free", _("free")
    OCCUPIED = "occupied", _("occupied")
    TO_DISINFECT = "to_disinfect", _("to be disinfected")
    OUT_OF_SERVICE = "out_of_service", _("out of service")


class Room(models.Model):
    site = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("quarantine site"),
        db_index=False,
    )
    floor = models.SmallIntegerField(_("floor"))
    number = models.CharField(_("room"), max_length=16)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=1)
    state = models.CharField(
        _("status"), max_length=16, choices=RoomState.choices, default=RoomState.FREE
    )

    class Meta:
        ordering = ["site_id", "floor", "number"]
        constraints = [
            # Also the index of a site's rooms (the site page, the board, placement).
            models.UniqueConstraint(fields=["site", "number"], name="room_number_unique_in_site"),
            models.CheckConstraint(
                condition=models.Q(state__in=[s.value for s in RoomState]),
                name="room_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1, capacity__lte=MAX_CAPACITY),
                name="room_capacity_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Placement(models.Model):
    """A person in a room, from placement until release (``released_at`` empty while there)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+", db_index=False)
    placed_at = models.DateTimeField(_("placed at"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        indexes = [
            # The people in a room: its occupancy, and the rooms a release leaves empty.
            models.Index(
                fields=["room"],
                name="placement_open_room_idx",
                condition=models.Q(released_at__isnull=True),
            ),
        ]
        constraints = [
            # Also the index of "is this person placed" (the placement list, a release).
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(released_at__isnull=True),
                name="placement_one_open_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.room_id}"


class TransferKind(models.TextChoices):
    TO_SITE = "to_site", _("to the site")
    TO_HOSPITAL = "to_hospital", _("to hospital")
    HOME = "home", _("home")


class HospitalReason(models.TextChoices):
    """Why a placed person goes to hospital."""

    FEVER = "fever", _("fever")
    POSITIVE = "positive", _("positive result")


class Transfer(models.Model):
    """点对点闭环转运: one trip of a placed person in a vehicle with an escort — to the site (its
    arrival meets the transfer deadline, G-08), to hospital on a fever or a positive, or home at
    release. The people of one vehicle's trip share the vehicle, the escort and the departure."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=TransferKind.choices)
    vehicle = models.CharField(_("vehicle plate"), max_length=16)
    escort_name = models.CharField(_("escort"), max_length=40)
    escort_phone = models.CharField(_("escort's phone"), max_length=20)
    departed_at = models.DateTimeField(_("departed at"))
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["departed_at", "id"]
        constraints = [
            # Also the index of a placement's trips (the site page, an arrival).
            models.UniqueConstraint(fields=["placement", "kind"], name="transfer_one_per_kind"),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in TransferKind]),
                name="transfer_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(arrived_at__isnull=True)
                | models.Q(arrived_at__gte=models.F("departed_at")),
                name="transfer_arrives_after_departure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} {self.kind} {self.vehicle}"


class DoorWatch(models.TextChoices):
    """How a home quarantine's door is watched (D-02)."""

    SEAL = "seal", _("door seal")
    MONITOR = "monitor", _("door monitor")


class HomeQuarantine(models.Model):
    """居家隔离 (D-02): the notice (告知书) served and the door sealed or monitored, for one home
    quarantine measure; the row is written when the first of them is recorded."""

    measure = models.OneToOneField("policy.Measure", on_delete=models.CASCADE, related_name="+")
    notice_served_at = models.DateTimeField(_("notice served at"), null=True, blank=True)
    notice_served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    door = models.CharField(_("door"), max_length=8, choices=DoorWatch.choices, blank=True)
    door_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(door__in=["", *DoorWatch.values]), name="homequarantine_door"
            ),
        ]

    def __str__(self) -> str:
        return f"home quarantine {self.measure_id}"


class HomeVisit(models.Model):
    """上门: the grid worker's visit of a day to a person under home quarantine (D-02)."""

    measure = models.ForeignKey(
        "policy.Measure", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField(_("day"))
    visited_at = models.DateTimeField(_("visited at"))
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [
            # One visit a day; also the index of "visited today" on the visit list.
            models.UniqueConstraint(fields=["measure", "day"], name="homevisit_one_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}@{self.day}"


class CareNoteKind(models.TextChoices):
    MEAL = "meal", _("meal")
    NEED = "need", _("need")


class CareNote(models.Model):
    """日常照护: a meal served or a need voiced by a person placed at a site, noted by the staff on
    the floor screen (a short log beside the temperatures)."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=8, choices=CareNoteKind.choices)
    text = models.CharField(_("note"), max_length=200)
    at = models.DateTimeField(_("time"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The latest notes of the people on a floor screen.
            models.Index(fields=["placement", "at"], name="carenote_placement_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in CareNoteKind]),
                name="carenote_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.placement_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

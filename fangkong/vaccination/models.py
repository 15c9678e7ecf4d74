"""Vaccination (疫苗接种, M-01 … M-04): the doses each person of the register has had, entered on a
page or imported from the vaccination system's export."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# A person has at most this many doses on record: a course of up to three and boosters.
DOSE_NUMBER_MAX = 5


class Dose(models.Model):
    """The ``number``-th dose a person had, on ``given_on``, of ``vaccine``, at ``site``."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="doses")
    number = models.PositiveSmallIntegerField(_("dose"))
    given_on = models.DateField(_("vaccinated on"))
    vaccine = models.CharField(_("vaccine"), max_length=50)
    site = models.CharField(_("vaccination site"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="dose_person_number_uniq"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=DOSE_NUMBER_MAX), name="dose_number_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} #{self.number} {self.given_on}"

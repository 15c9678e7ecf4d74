"""The pharmacy purchase register (药店实名登记): real-name sales of fever, cough, antiviral and
antibiotic drugs, each a sentinel signal (哨点, K-01 … K-05) that opens a report and the buyer's
follow-up test. The buyer's name, ID number, phone and address live in ``people``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DrugCategory(models.TextChoices):
    FEVER = "fever", _("fever reducer")  # 退烧药 / 退热药
    COUGH = "cough", _("cough medicine")  # 止咳药
    ANTIVIRAL = "antiviral", _("antiviral")  # 抗病毒药
    ANTIBIOTIC = "antibiotic", _("antibiotic")  # 抗菌药 / 抗感染药


class DrugSale(models.Model):
    pharmacy = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("pharmacy")
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("buyer")
    )
    category = models.CharField(_("drug"), max_length=12, choices=DrugCategory.choices)
    sold_at = models.DateTimeField(_("sold at"))
    temperature = models.DecimalField(
        _("temperature"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    # When the pharmacy told the township health centre or the regulator (K-02, K-03).
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("drug sale")
        verbose_name_plural = _("drug sales")
        ordering = ["-sold_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=DrugCategory.values),
                name="drug_sale_category_known",
            ),
            models.CheckConstraint(
                condition=models.Q(temperature__isnull=True)
                | models.Q(temperature__gte=34, temperature__lte=43),
                name="drug_sale_temperature_plausible",
            ),
            # One row per sale, however often the pharmacy's export is imported.
            models.UniqueConstraint(
                fields=["pharmacy", "person", "category", "sold_at"], name="drug_sale_once"
            ),
        ]
        indexes = [
            # The pharmacy's list, newest first, and the command view's counts of recent sales.
            models.Index(fields=["pharmacy", "sold_at"], name="drug_sale_pharmacy_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.sold_at:%Y-%m-%d %H:%M}"

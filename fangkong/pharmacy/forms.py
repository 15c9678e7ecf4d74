"""The counter's quick form of a sale (药店实名登记), made for a phone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import BootstrapFormMixin
from fangkong.org.models import Unit
from fangkong.pharmacy.models import DrugCategory
from fangkong.pharmacy.services import SaleInput


class SaleForm(BootstrapFormMixin, forms.Form):
    pharmacy = forms.ModelChoiceField(label=_("Pharmacy"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18, min_length=18)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    village = forms.ModelChoiceField(label=_("Village"), queryset=Unit.objects.none())
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    category = forms.ChoiceField(
        label=_("Drug"), choices=DrugCategory.choices, widget=forms.RadioSelect
    )
    sold_at = forms.DateTimeField(
        label=_("Sold at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    temperature = forms.DecimalField(
        label=_("Temperature"), required=False, max_digits=3, decimal_places=1
    )

    def __init__(
        self, *args: Any, pharmacies: list[Unit], villages: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _offer(self.fields["pharmacy"], pharmacies)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        self.fields["id_number"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        self.fields["phone"].widget.attrs.update(inputmode="tel")
        self.fields["temperature"].widget.attrs.update(inputmode="decimal", step="0.1")
        self.style_widgets()

    def sale(self) -> SaleInput:
        return SaleInput(**self.cleaned_data)


class UploadForm(BootstrapFormMixin, forms.Form):
    pharmacy = forms.ModelChoiceField(label=_("Pharmacy"), queryset=Unit.objects.none())
    file = forms.FileField(label=_("Sales exported by the pharmacy's system (.xlsx or .csv)"))

    def __init__(self, *args: Any, pharmacies: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self.fields["pharmacy"], pharmacies)
        self.style_widgets()


def _offer(field: forms.Field, pharmacies: list[Unit]) -> None:
    """The pharmacies the user keeps the register of; the only one chosen already."""
    field.queryset = Unit.objects.filter(  # type: ignore[attr-defined]
        pk__in=[pharmacy.pk for pharmacy in pharmacies]
    ).order_by("path")
    if len(pharmacies) == 1:
        field.initial = pharmacies[0].pk

"""The vaccination page's forms: a dose, and the vaccination system's export to import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import BootstrapFormMixin
from fangkong.core.inputs import validate_plausible_date
from fangkong.vaccination.models import DOSE_NUMBER_MAX
from fangkong.vaccination.services import DoseInput


class DoseForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18, min_length=15)
    number = forms.IntegerField(label=_("Dose"), min_value=1, max_value=DOSE_NUMBER_MAX)
    given_on = forms.DateField(
        label=_("Vaccinated on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plausible_date],
    )
    vaccine = forms.CharField(label=_("Vaccine"), max_length=50)
    site = forms.CharField(label=_("Vaccination site"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(autocomplete="off")
        self.style_widgets()

    def dose(self) -> DoseInput:
        return DoseInput(**self.cleaned_data)


class DoseUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("Doses exported by the vaccination system (.xlsx or .csv)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

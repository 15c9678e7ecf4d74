from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import BootstrapFormMixin, CountryField, PlausibleDateField
from fangkong.org.forms import RegionField, UnitField
from fangkong.org.models import Region, Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Category, Person
from fangkong.people.services import PersonInput, TravelInput


def _code(region: Region | None) -> str:
    """The services take a region by its code (the import and the API send codes)."""
    return region.code if region else ""


class PersonForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_type = forms.ChoiceField(
        label=_("ID type"), choices=Person.IdTypes.choices, initial=Person.IdTypes.RESIDENT
    )
    id_number = forms.CharField(label=_("ID number"), max_length=40)
    unit = UnitField(label=_("Home unit"), capability=Capability.EDIT_PEOPLE)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    nationality = forms.CharField(label=_("Nationality"), max_length=3, initial="CHN")
    address_region = RegionField(label=_("Address region"), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    household = forms.CharField(label=_("Household code"), max_length=40, required=False)
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, units: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.style_widgets()

    def clean_address_region(self) -> str:
        return _code(self.cleaned_data["address_region"])

    def to_input(self) -> PersonInput:
        return PersonInput.from_cleaned(self.cleaned_data)


class TravelForm(BootstrapFormMixin, forms.Form):
    region = RegionField(label=_("Region"), required=False)
    country = CountryField(label=_("or country"), required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    start_date = PlausibleDateField(label=_("From"))
    end_date = PlausibleDateField(
        label=_("To"),
        help_text=_(
            "The day of arrival here. A day ahead records a planned trip: its filings (报备) are"
            " met on recording, on time if recorded by their due time."
        ),
    )

    def clean_region(self) -> str:
        return _code(self.cleaned_data["region"])

    def to_input(self) -> TravelInput:
        data = self.cleaned_data
        return TravelInput(
            start_date=data["start_date"],
            end_date=data["end_date"],
            region_code=data["region"],
            country=data["country"],
            place=data["place"],
        )


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("Register file (.xlsx or .csv)"))
    unit = forms.ModelChoiceField(
        label=_("Unit for rows without a unit code"), queryset=Unit.objects.none(), empty_label=None
    )

    def __init__(self, *args: object, units: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.style_widgets()

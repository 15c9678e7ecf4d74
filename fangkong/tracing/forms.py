"""Forms of venues and of a case's trajectory."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import BootstrapFormMixin, PlausibleDateTimeField
from fangkong.org.forms import RegionField, UnitField
from fangkong.org.roles import Capability
from fangkong.tracing.models import VenueKind


class VenueForm(BootstrapFormMixin, forms.Form):
    unit = UnitField(label=_("Kept by"), capability=Capability.INVESTIGATE)
    kind = forms.ChoiceField(label=_("Kind"), choices=VenueKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    seats = forms.IntegerField(label=_("Rated seats"), required=False, min_value=1)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.style_widgets()


class StopForm(BootstrapFormMixin, forms.Form):
    """A place of the case's trajectory: a venue by its code, or a place in words."""

    venue = forms.CharField(label=_("Venue code"), max_length=16, required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    region = RegionField(label=_("Region"), required=False)
    from_at = PlausibleDateTimeField(label=_("From"))
    to_at = PlausibleDateTimeField(label=_("To"))

    def __init__(self, *args: Any, venues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.venues = venues
        self.style_widgets()

    def clean_venue(self) -> Any:
        code = self.cleaned_data["venue"].strip().upper()
        if not code:
            return None
        venue = self.venues.filter(code=code).first()
        if venue is None:
            raise forms.ValidationError(_("No venue in your units has this code."))
        return venue

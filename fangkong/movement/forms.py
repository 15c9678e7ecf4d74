"""The application form of a gathering (聚集性活动申请)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import BootstrapFormMixin
from fangkong.movement.models import GatheringType, Organiser, Purpose
from fangkong.movement.services import GatheringInput
from fangkong.org.forms import UnitField
from fangkong.org.roles import Capability


class GatheringForm(BootstrapFormMixin, forms.Form):
    unit = UnitField(label=_("Filed with"), capability=Capability.EDIT_PEOPLE)
    type = forms.ChoiceField(label=_("Gathering"), choices=GatheringType.choices)
    organiser = forms.ChoiceField(label=_("Held by"), choices=Organiser.choices)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices, initial="other")
    people = forms.IntegerField(label=_("People"), min_value=1, max_value=100_000)
    tables = forms.IntegerField(label=_("Tables"), required=False, min_value=1, max_value=10_000)
    classes = forms.IntegerField(label=_("Classes"), required=False, min_value=1, max_value=1_000)
    place = forms.CharField(label=_("Place"), max_length=100)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    organiser_name = forms.CharField(label=_("Organiser"), max_length=50)
    organiser_phone = forms.RegexField(label=_("Phone"), regex=r"^\+?[0-9-]{5,20}$", max_length=20)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.style_widgets()

    def application(self) -> GatheringInput:
        return GatheringInput(**self.cleaned_data)


class SlotForm(BootstrapFormMixin, forms.Form):
    """A time slot of a venue; the service checks the plan's limit of its places."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_at = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    capacity = forms.IntegerField(label=_("Places"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

"""The duty roster's forms: a shift (repeated over several days), a handover."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core import clock
from fangkong.core.forms import BootstrapFormMixin
from fangkong.core.inputs import validate_plausible_date
from fangkong.org.forms import UnitField
from fangkong.org.roles import Capability
from fangkong.readiness.services import REPEAT_DAYS_MAX, ShiftInput


class ShiftForm(BootstrapFormMixin, forms.Form):
    unit = UnitField(label=_("Unit"), capability=Capability.KEEP_ROSTER)
    name = forms.CharField(label=_("On duty"), max_length=50)
    phone = forms.RegexField(label=_("Phone"), regex=r"^\+?[0-9-]{5,20}$", max_length=20)
    leader = forms.TypedChoiceField(
        label=_("Leader on duty"),
        choices=[("0", _("No")), ("1", _("Yes"))],
        coerce=lambda value: value == "1",
        initial="0",
    )
    day = forms.DateField(
        label=_("First day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plausible_date],
    )
    begins = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(
        label=_("To"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("An end before the beginning is the next morning."),
    )
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=REPEAT_DAYS_MAX, initial=1)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.style_widgets()

    def shift(self) -> ShiftInput:
        data = self.cleaned_data
        tz = clock.tz()
        starts_at = dt.datetime.combine(data["day"], data["begins"], tz)
        ends_at = dt.datetime.combine(data["day"], data["ends"], tz)
        if ends_at <= starts_at:  # a night shift: 20:00 to 08:00 ends the next morning
            ends_at += dt.timedelta(days=1)
        return ShiftInput(
            unit=data["unit"],
            name=data["name"],
            phone=data["phone"],
            leader=data["leader"],
            starts_at=starts_at,
            ends_at=ends_at,
            days=data["days"],
        )

"""Readiness forms: a shift of the duty roster (repeated over several days); supplies received,
consumed, requested and issued down; a disinfection schedule and a disinfection done; a work
injury an employer reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core import clock
from fangkong.core.forms import BootstrapFormMixin, PlausibleDateField, PlausibleDateTimeField
from fangkong.core.inputs import validate_plausible_date
from fangkong.org.forms import UnitField
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.readiness.disinfection import (
    CONCENTRATION_MAX,
    DURATION_MAX,
    TIMES_PER_DAY_MAX,
    LogInput,
)
from fangkong.readiness.injuries import InjuryInput
from fangkong.readiness.models import DisinfectionSchedule, SupplyItem
from fangkong.readiness.services import REPEAT_DAYS_MAX, ShiftInput
from fangkong.readiness.supplies import QUANTITY_MAX


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


# --- supplies and disinfection -------------------------------------------------------------


class _Styled(BootstrapFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class ConsumptionForm(_Styled):
    item = forms.ChoiceField(label=_("Item"), choices=SupplyItem.choices)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=QUANTITY_MAX)


class ReceiptForm(ConsumptionForm):
    expires_on = PlausibleDateField(label=_("Expires on"), required=False)


class RequestForm(ConsumptionForm):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class IssueForm(ConsumptionForm):
    to_unit = forms.ModelChoiceField(label=_("To unit"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, below: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = below  # type: ignore[attr-defined]
        self.order_fields(["to_unit", "item", "quantity"])


class ScheduleForm(_Styled):
    place = forms.CharField(label=_("Place"), max_length=100)
    times_per_day = forms.IntegerField(
        label=_("Times a day"), min_value=1, max_value=TIMES_PER_DAY_MAX, initial=2
    )


class LogForm(_Styled):
    schedule = forms.ModelChoiceField(
        label=_("Place"), queryset=DisinfectionSchedule.objects.none()
    )
    agent = forms.CharField(label=_("Disinfectant"), max_length=50, initial=_("chlorine"))
    concentration_mg_l = forms.IntegerField(
        label=_("Concentration (mg/L)"), min_value=1, max_value=CONCENTRATION_MAX, initial=500
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=DURATION_MAX, initial=30
    )
    done_by = forms.CharField(label=_("Done by"), max_length=50)
    done_at = PlausibleDateTimeField(label=_("Done at"))

    def __init__(self, *args: Any, schedules: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schedule"].queryset = schedules  # type: ignore[attr-defined]

    def log(self) -> LogInput:
        data = dict(self.cleaned_data)
        data.pop("schedule")
        return LogInput(**data)


class InjuryForm(_Styled):
    unit = forms.ModelChoiceField(label=_("Office"), queryset=Unit.objects.none())
    employer = forms.CharField(label=_("Employer"), max_length=100)
    name = forms.CharField(label=_("Injured worker"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    occurred_at = PlausibleDateTimeField(label=_("Time of the accident"))
    hospital = forms.CharField(label=_("Hospital"), max_length=100, required=False)
    description = forms.CharField(
        label=_("What happened"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, offices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = offices  # type: ignore[attr-defined]
        if len(offices) == 1:
            self.fields["unit"].initial = offices[0].pk
        self.fields["phone"].widget.attrs.update(inputmode="tel")

    def injury(self) -> InjuryInput:
        return InjuryInput(**self.cleaned_data)

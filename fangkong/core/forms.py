from __future__ import annotations

from typing import Any

from django import forms

from fangkong.core.inputs import validate_plausible_date


class BootstrapFormMixin:
    """Gives every widget Bootstrap's classes, and marks fields with errors as invalid."""

    fields: dict[str, forms.Field]

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget: Any = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in getattr(self, "_errors", None) or {}:
            if name in self.fields:
                widget: Any = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class PlausibleDateField(forms.DateField):
    """A date a person enters: the browser's date picker, and only a plausible day (between
    FANGKONG_DATES_FROM and a year ahead, ``core.inputs``)."""

    widget = forms.DateInput(attrs={"type": "date"})
    default_validators = [validate_plausible_date]


class PlausibleDateTimeField(forms.DateTimeField):
    """A time a person enters: the browser's date-and-time picker, on a plausible day."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
    default_validators = [validate_plausible_date]

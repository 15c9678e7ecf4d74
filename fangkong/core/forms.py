from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fangkong.core.countries import country_code
from fangkong.core.inputs import validate_plausible_date


class BootstrapFormMixin:
    """Gives every widget Bootstrap's classes, and marks fields with errors as invalid."""

    fields: dict[str, forms.Field]

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget: Any = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in getattr(self, "_errors", None) or {}:
            if name in self.fields:
                widget: Any = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


def errors_on_form(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form that sent it: each reason under the field it names, the
    others (and a refusal that names no field) above the form."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for name, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)


class PlausibleDateField(forms.DateField):
    """A date a person enters: the browser's date picker, and only a plausible day (between
    FANGKONG_DATES_FROM and a year ahead, ``core.inputs``)."""

    widget = forms.DateInput(attrs={"type": "date"})
    default_validators = [validate_plausible_date]


class PlausibleDateTimeField(forms.DateTimeField):
    """A time a person enters: the browser's date-and-time picker, on a plausible day."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
    default_validators = [validate_plausible_date]


class CountryField(forms.CharField):
    """A country typed by its name (日本, Japan) or ISO code (JPN); cleans to the alpha-3 code."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 60)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        code = country_code(text)
        if code is None:
            raise ValidationError(
                _("No country is called %(name)s: type its name, such as Japan, or its code."),
                code="country",
                params={"name": text},
            )
        return code


@dataclass(frozen=True)
class Picked:
    """A picker's chosen row: the value posted (an id or a code) and the name shown."""

    value: str
    text: str


class PickerWidget(forms.Widget):
    """A text input that searches by any part of a name (and by code) through a small JSON
    endpoint, beside a hidden input that posts the chosen id or code (``core/picker.js``).

    What was typed is posted too (``<name>_text``): with nothing chosen, or without the script,
    the field resolves it (a code, or a name only one row has), and a refusal shows it again.
    The field's ``prepare_value`` gives a ``Picked`` for a value that names a row."""

    template_name = "core/picker.html"

    def __init__(self, url: str | Promise, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.url = url

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        return str(data.get(name) or data.get(f"{name}_text") or "")

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_text" not in data

    def format_value(self, value: Any) -> Any:
        return value

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        typed = "" if value is None else str(value)
        picked = value if isinstance(value, Picked) else Picked("", typed)
        return context | {
            "name": name,
            "id": widget["attrs"].get("id", ""),
            "css": widget["attrs"].get("class", ""),
            "required": widget["required"],
            "url": str(self.url),
            "value": picked.value,
            "text": picked.text,
        }

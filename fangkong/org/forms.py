from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import BootstrapFormMixin, Picked, PickerWidget
from fangkong.core.text import search_term
from fangkong.org.models import Region, Unit, UnitKind
from fangkong.org.roles import Capability, Role
from fangkong.org.selectors import region_pick, unit_pick


class RegionField(forms.Field):
    """A region chosen by name or code in a picker; cleans to the ``Region`` (None when empty)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PickerWidget(reverse_lazy("pick-regions")))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        region = value if isinstance(value, Region) else region_pick(str(value or ""))
        return Picked(region.code, region.full_name) if region else value

    def to_python(self, value: Any) -> Region | None:
        text = search_term(str(value or ""))
        if not text:
            return None
        region = region_pick(text)
        if region is None:
            raise forms.ValidationError(
                _("No region is called or coded “%(text)s”: choose one from the list."),
                code="invalid",
                params={"text": text[:40]},
            )
        return region


class UnitField(forms.ModelChoiceField):
    """A unit chosen by name or code in a picker, among the form's queryset (already scoped by
    ``org.access``); ``capability`` scopes the picker's endpoint the same way."""

    def __init__(self, *, capability: Capability | None = None, **kwargs: Any) -> None:
        url = reverse_lazy("pick-units")
        if capability is not None:
            url = format_lazy("{}?for={}", url, capability.value)
        kwargs.setdefault("queryset", Unit.objects.none())
        super().__init__(widget=PickerWidget(url), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Unit):
            return Picked(str(value.pk), value.name)
        unit = unit_pick(self.queryset, str(value or ""))  # type: ignore[arg-type]
        return Picked(str(unit.pk), unit.name) if unit else value

    def to_python(self, value: Any) -> Unit | None:
        text = search_term(str(value or ""))
        if not text:
            return None
        unit = unit_pick(self.queryset, text)  # type: ignore[arg-type]
        if unit is None:
            raise forms.ValidationError(
                _("None of your units is called or coded “%(text)s”: choose one from the list."),
                code="invalid_choice",
                params={"text": text[:40]},
            )
        return unit


class UnitForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=_("unit code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=UnitKind.choices)
    region = RegionField(label=_("Region"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class GrantForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean_username(self) -> Any:
        user = get_user_model().objects.filter(username=self.cleaned_data["username"]).first()
        if user is None:
            raise forms.ValidationError(_("No user has this name."))
        return user

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import BootstrapFormMixin
from fangkong.org.models import Region, UnitKind
from fangkong.org.roles import Role
from fangkong.org.selectors import region_get


class UnitForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(label=_("unit code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=UnitKind.choices)
    region = forms.CharField(label=_("Region code"), max_length=12)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean_region(self) -> Region:
        region = region_get(self.cleaned_data["region"])
        if region is None:
            raise forms.ValidationError(_("No region has this code."))
        return region


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

"""The forms of gates: setting one up, assigning a keeper, and the gate phone's entry form."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import BootstrapFormMixin
from fangkong.gates.models import GateKind, Outcome
from fangkong.gates.services import EntryInput
from fangkong.healthcodes.codes import MAX_TOKEN
from fangkong.monitoring.models import HealthCode
from fangkong.org.models import Unit
from fangkong.tracing.models import Venue


class GateForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=GateKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    venue = forms.ModelChoiceField(
        label=_("Venue code (entries count as scans)"),
        queryset=Venue.objects.none(),
        required=False,
    )

    def __init__(
        self, *args: Any, units: QuerySet[Unit], venues: QuerySet[Venue], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["venue"].queryset = venues  # type: ignore[attr-defined]
        self.style_widgets()


class KeeperForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(label=_("Keeper's user name"), max_length=150)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class EntryForm(BootstrapFormMixin, forms.Form):
    """The person is picked from the name search (``person``) or typed in as a visitor; the
    temperature is text, checked by the service with a reason naming it."""

    person = forms.IntegerField(
        label=_("Registered person"), required=False, widget=forms.HiddenInput
    )
    visitor_name = forms.CharField(label=_("Visitor's name"), max_length=50, required=False)
    visitor_phone = forms.CharField(label=_("Visitor's phone"), max_length=20, required=False)
    visitor_id_number = forms.CharField(
        label=_("Visitor's ID number (needed for a fever)"), max_length=18, required=False
    )
    celsius = forms.CharField(label=_("Temperature (°C)"), max_length=10, required=False)
    symptoms = forms.MultipleChoiceField(
        label=_("Symptoms"), required=False, widget=forms.CheckboxSelectMultiple
    )
    from_epidemic_area = forms.BooleanField(label=_("From the epidemic area"), required=False)
    epidemic_contact = forms.BooleanField(
        label=_("In contact with people from the epidemic area"), required=False
    )
    code = forms.CharField(
        label=_("Scanned health code"), max_length=MAX_TOKEN + 200, required=False
    )
    health_code = forms.ChoiceField(
        label=_("Health code shown"),
        choices=[("", "—"), *HealthCode.choices],
        required=False,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason for the refusal"), max_length=200, required=False)
    disinfected = forms.BooleanField(label=_("Disinfected"), required=False)

    def __init__(self, *args: Any, symptoms: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["symptoms"].choices = symptoms  # type: ignore[attr-defined]
        self.fields["celsius"].widget.attrs.update(inputmode="decimal", autocomplete="off")
        self.fields["visitor_phone"].widget.attrs.update(inputmode="tel")
        self.fields["code"].widget.attrs.update(autocomplete="off")
        self.style_widgets()

    def entry(self, gate_id: int) -> EntryInput:
        data = self.cleaned_data
        return EntryInput(
            gate_id=gate_id,
            outcome=data["outcome"],
            person_id=data["person"],
            visitor_name=data["visitor_name"],
            visitor_phone=data["visitor_phone"],
            visitor_id_number=data["visitor_id_number"],
            celsius=data["celsius"],
            symptoms=data["symptoms"],
            from_epidemic_area=data["from_epidemic_area"],
            epidemic_contact=data["epidemic_contact"],
            health_code=data["health_code"],
            code_token=code_token(data["code"]),
            reason=data["reason"],
            disinfected=data["disinfected"],
        )


def code_token(scanned: str) -> str:
    """The code's token from what a scanner gives: the check page's link (``/codes/check/?t=…``)
    that the QR holds, or the token itself."""
    scanned = scanned.strip()
    if "?" in scanned:
        return parse_qs(urlsplit(scanned).query).get("t", [""])[0]
    return scanned

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import BootstrapFormMixin, PlausibleDateField, PlausibleDateTimeField
from fangkong.org.models import Region, Unit
from fangkong.org.selectors import region_get
from fangkong.people.reference_data import CATEGORIES
from fangkong.policy.describe import categories_text, level_name
from fangkong.policy.models import ReleaseFactKind
from fangkong.policy.packs import packs_all
from fangkong.policy.services import ReleaseFactInput, RiskAreaInput, risk_levels_known


def _pack_choices() -> list[tuple[str, str]]:
    return [(pack.id, pack.source.title) for pack in packs_all().values()]


class _Styled(BootstrapFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class RiskAreaForm(_Styled):
    region = forms.CharField(label=_("Region code"), max_length=12)
    level = forms.ChoiceField(label=_("Risk level"))
    start_date = PlausibleDateField(label=_("From"))
    end_date = PlausibleDateField(label=_("To"), required=False)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [  # type: ignore[attr-defined]
            (level, level_name(level)) for level in risk_levels_known()
        ]

    def clean_region(self) -> Region:
        code = self.cleaned_data["region"].strip()
        region = region_get(code)
        if region is None:
            raise forms.ValidationError(_("No region has the code %(code)s.") % {"code": code})
        return region

    def to_input(self) -> RiskAreaInput:
        data = self.cleaned_data
        return RiskAreaInput(
            data["region"], data["level"], data["start_date"], data["end_date"], data["source"]
        )


class UploadForm(_Styled):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))


class AssignmentForm(_Styled):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    pack_id = forms.ChoiceField(label=_("Plan"))
    start_date = PlausibleDateField(label=_("From"))
    end_date = PlausibleDateField(label=_("To"), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["pack_id"].choices = _pack_choices()  # type: ignore[attr-defined]


KINDS = [
    ("arrival", _("arrival")),
    ("contact", _("contact")),
    ("temperature", _("temperature")),
    ("gathering", _("gathering")),
]


class ScenarioForm(_Styled):
    """The facts of one scenario; risk areas and local-case cities come from the database."""

    kind = forms.ChoiceField(label=_("Scenario"), choices=KINDS)
    categories = forms.MultipleChoiceField(label=_("Categories"), required=False)
    stay_region = forms.CharField(label=_("Stayed in (region code)"), required=False)
    stay_country = forms.CharField(label=_("or country (ISO code)"), required=False, max_length=3)
    stay_from = PlausibleDateField(label=_("Stay from"), required=False)
    stay_to = PlausibleDateField(label=_("Stay to"), required=False)
    arrival_at = PlausibleDateTimeField(label=_("Arrived at"), required=False)
    arrival_region = forms.CharField(label=_("Arrived in (region code)"), required=False)
    exposure = forms.ChoiceField(
        label=_("Contact kind"),
        required=False,
        choices=[
            ("", "—"),
            ("close_contact", _("close contact")),
            ("secondary_contact", _("secondary contact")),
        ],
    )
    last_exposed_at = PlausibleDateTimeField(label=_("Last exposure"), required=False)
    contact_results = forms.CharField(
        label=_("The close contact's results"),
        required=False,
        help_text=_("one per line: 2022-02-02 negative"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    results = forms.CharField(
        label=_("Own results"),
        required=False,
        help_text=_("one per line: 2022-02-02 negative"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    readings = forms.CharField(
        label=_("Temperature readings (°C)"),
        required=False,
        help_text=_("in order, separated by spaces: 37.5 37.6"),
    )
    gathering_type = forms.ChoiceField(
        label=_("Gathering"),
        required=False,
        choices=[
            ("", "—"),
            ("event", _("event")),
            ("banquet", _("banquet")),
            ("family_meal", _("family meal")),
            ("meeting", _("meeting")),
        ],
    )
    people = forms.IntegerField(label=_("People"), required=False, min_value=1)
    tables = forms.IntegerField(label=_("Tables"), required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [  # type: ignore[attr-defined]
            (code, categories_text([code])) for code, _zh, _en in CATEGORIES
        ]

    def scenario(self, plan: str, now: dt.datetime) -> dict[str, Any]:
        """The JSON scenario of ``fangkong plan evaluate`` built from the form."""
        data = self.cleaned_data
        scenario: dict[str, Any] = {
            "kind": data["kind"],
            "plan": plan,
            "as_of": now.isoformat(),
            "person": {"categories": list(data["categories"])},
        }
        if data["stay_region"] or data["stay_country"]:
            scenario["travel"] = [
                {
                    "region": data["stay_region"].strip(),
                    "country": data["stay_country"].strip(),
                    "from": data["stay_from"].isoformat() if data["stay_from"] else None,
                    "to": data["stay_to"].isoformat() if data["stay_to"] else None,
                }
            ]
        if data["kind"] == "arrival":
            scenario["arrival"] = {
                "at": (data["arrival_at"] or now).isoformat(),
                "region": data["arrival_region"].strip(),
            }
        if data["kind"] == "contact":
            scenario["exposure"] = {
                "kind": data["exposure"],
                "last_at": data["last_exposed_at"].isoformat() if data["last_exposed_at"] else None,
                "identified_at": now.isoformat(),
            }
            scenario["results"] = _results(data["results"])
            scenario["contact_results"] = _results(data["contact_results"])
        if data["kind"] == "temperature":
            values = data["readings"].split()
            scenario["readings"] = [
                {"at": (now + dt.timedelta(minutes=i)).isoformat(), "celsius": value}
                for i, value in enumerate(values)
            ]
            scenario["person"]["symptoms"] = []
        if data["kind"] == "gathering":
            scenario["gathering"] = {
                "type": data["gathering_type"],
                "people": data["people"],
                "tables": data["tables"],
            }
        return scenario


# A result as an office writes it (阴性), or as the engine names it (negative).
OUTCOMES = {"阴性": "negative", "阳性": "positive"}


def _results(text: str) -> list[dict[str, str]]:
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            rows.append({"date": parts[0], "result": OUTCOMES.get(parts[1], parts[1])})
        elif parts:
            rows.append({"date": parts[0], "result": ""})
    return rows


class WhatIfForm(_Styled):
    advanced_fields = ("changes",)
    advanced_label = _("Advanced: change the plan's rules (YAML)")

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    pack_id = forms.ChoiceField(label=_("Plan to try"))
    changes = forms.CharField(
        label=_("Changes to the plan (YAML, optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
        help_text=_(
            "e.g. arrival_rules: [{id: risk-area, measures: [{kind: central_quarantine, days: 7}]}]"
        ),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["pack_id"].choices = _pack_choices()  # type: ignore[attr-defined]


class CrossInfectionForm(_Styled):
    site = forms.ModelChoiceField(label=_("Quarantine site"), queryset=Unit.objects.none())
    on = PlausibleDateField(label=_("Date"))

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]


class ReleaseForm(_Styled):
    on = PlausibleDateField(label=_("Released on"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ReleaseFactForm(_Styled):
    """A fact a release is decided on: an object or environment sample, or the consent."""

    kind = forms.ChoiceField(label=_("Fact"), choices=ReleaseFactKind.choices)
    on = PlausibleDateField(label=_("Day"))
    result = forms.ChoiceField(
        label=_("Result (samples)"),
        required=False,
        choices=[("", "—"), ("negative", _("negative")), ("positive", _("positive"))],
    )
    given_by = forms.CharField(label=_("Consent given by (name)"), required=False, max_length=100)
    note = forms.CharField(label=_("What or where was sampled"), required=False, max_length=200)

    def fact(self) -> ReleaseFactInput:
        data = self.cleaned_data
        return ReleaseFactInput(
            kind=data["kind"],
            on=data["on"],
            positive={"negative": False, "positive": True}.get(data["result"]),
            given_by=data["given_by"],
            note=data["note"],
        )


class MeetForm(_Styled):
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

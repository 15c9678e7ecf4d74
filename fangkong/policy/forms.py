from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml
from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import (
    BootstrapFormMixin,
    CountryField,
    PlausibleDateField,
    PlausibleDateTimeField,
)
from fangkong.core.inputs import whole_number
from fangkong.monitoring.models import HealthCode
from fangkong.org.forms import RegionField, UnitField
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.reference_data import CATEGORIES
from fangkong.policy.describe import (
    GATHERINGS,
    categories_text,
    condition_text,
    exposure_label,
    gathering_text,
    kind_label,
    level_name,
)
from fangkong.policy.models import ReleaseFactKind
from fangkong.policy.packs import ArrivalRule, ContactRule, GatheringRule, Pack, Rule, packs_all
from fangkong.policy.services import ReleaseFactInput, RiskAreaInput, risk_levels_known


def _pack_choices() -> list[tuple[str, str]]:
    return [(pack.id, pack.source.title) for pack in packs_all().values()]


class _Styled(BootstrapFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class RiskAreaForm(_Styled):
    region = RegionField(label=_("Region"))
    level = forms.ChoiceField(label=_("Risk level"))
    start_date = PlausibleDateField(label=_("From"))
    end_date = PlausibleDateField(label=_("To"), required=False)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [  # type: ignore[attr-defined]
            (level, level_name(level)) for level in risk_levels_known()
        ]

    def to_input(self) -> RiskAreaInput:
        data = self.cleaned_data
        return RiskAreaInput(
            data["region"], data["level"], data["start_date"], data["end_date"], data["source"]
        )


class UploadForm(_Styled):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))


class AssignmentForm(_Styled):
    unit = UnitField(label=_("Unit"), capability=Capability.MANAGE_PLANS)
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
    ("departure", _("departure")),
]


class ScenarioForm(_Styled):
    """The facts of one scenario; risk areas and local-case cities come from the database."""

    kind = forms.ChoiceField(label=_("Scenario"), choices=KINDS)
    categories = forms.MultipleChoiceField(label=_("Categories"), required=False)
    stay_region = RegionField(label=_("Stayed in (region)"), required=False)
    stay_country = CountryField(label=_("or country (name or code)"), required=False)
    stay_from = PlausibleDateField(label=_("Stay from"), required=False)
    stay_to = PlausibleDateField(label=_("Stay to"), required=False)
    arrival_at = PlausibleDateTimeField(label=_("Arrived at"), required=False)
    arrival_region = RegionField(label=_("Arrived in (region)"), required=False)
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
    organiser = forms.ChoiceField(
        label=_("Held by"),
        required=False,
        choices=[
            ("", "—"),
            ("school", _("school")),
            ("unit", _("unit")),
            ("family", _("family")),
            ("village", _("village")),
        ],
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        required=False,
        choices=[("", "—"), ("teaching", _("teaching")), ("other", _("other"))],
    )
    classes = forms.IntegerField(label=_("Classes"), required=False, min_value=1)
    leaving_region = RegionField(label=_("Leaving from (region)"), required=False)
    destination_region = RegionField(label=_("Going to (region)"), required=False)
    destination_country = CountryField(label=_("or abroad (country)"), required=False)
    days_off_post = forms.IntegerField(
        label=_("Days off a high-risk post"), required=False, min_value=0
    )
    health_code = forms.ChoiceField(
        label=_("Health code"),
        required=False,
        choices=[("", "—"), *HealthCode.choices],
    )

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
        if data["days_off_post"] is not None:
            scenario["person"]["days_off_post"] = data["days_off_post"]
        if data["health_code"]:
            scenario["person"]["health_code"] = data["health_code"]
        if data["stay_region"] or data["stay_country"]:
            scenario["travel"] = [
                {
                    "region": data["stay_region"].code if data["stay_region"] else "",
                    "country": data["stay_country"].strip(),
                    "from": data["stay_from"].isoformat() if data["stay_from"] else None,
                    "to": data["stay_to"].isoformat() if data["stay_to"] else None,
                }
            ]
        if data["kind"] == "arrival":
            scenario["arrival"] = {
                "at": (data["arrival_at"] or now).isoformat(),
                "region": data["arrival_region"].code if data["arrival_region"] else "",
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
                "classes": data["classes"],
                "organiser": data["organiser"] or None,
                "purpose": data["purpose"] or None,
            }
        if data["kind"] == "departure":
            scenario["departure"] = {
                "at": now.isoformat(),
                "region": data["leaving_region"].code if data["leaving_region"] else "",
                "to_region": (
                    data["destination_region"].code if data["destination_region"] else ""
                ),
                "to_country": data["destination_country"].strip(),
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


@dataclass(frozen=True)
class _Adjustment:
    """One number of a pack the what-if form lets a person change, and where it goes in the
    changes merged onto the pack (``packs.pack_derive``)."""

    name: str
    field: forms.Field
    current: Any
    # Puts a changed value into the overrides (a mapping shaped like a pack).
    apply: Callable[[dict[str, Any], Any], None]


def _rule_override(overrides: dict[str, Any], section: str, rule_id: str) -> dict[str, Any]:
    """The override of one rule (rules merge by ``id``), made on first use."""
    rules: list[dict[str, Any]] = overrides.setdefault(section, [])
    for rule in rules:
        if rule["id"] == rule_id:
            return rule
    rules.append({"id": rule_id})
    return rules[-1]


def _rule_name(rule: Rule) -> str:
    if isinstance(rule, ArrivalRule):
        return f"{_('Arrivals')}（{condition_text(rule.when)}）"
    if isinstance(rule, ContactRule):
        return exposure_label(rule.exposure)
    return rule.id


def _phase_adjustments(section: str, rule: Rule) -> list[_Adjustment]:
    found = []
    for index, phase in enumerate(rule.measures):
        if phase.days is None:
            continue

        def apply(
            overrides: dict[str, Any], days: int, rule: Rule = rule, index: int = index
        ) -> None:
            phases = [p.model_dump(mode="json", exclude_defaults=True) for p in rule.measures]
            phases[index]["days"] = days
            _rule_override(overrides, section, rule.id)["measures"] = phases

        found.append(
            _Adjustment(
                f"days-{rule.id}-{index}",
                forms.IntegerField(
                    label=_("%(rule)s: %(measure)s, days")
                    % {"rule": _rule_name(rule), "measure": kind_label(phase.kind)},
                    min_value=1,
                    max_value=90,
                ),
                phase.days,
                apply,
            )
        )
    return found


def _test_day_adjustment(section: str, rule: Rule) -> list[_Adjustment]:
    if rule.tests is None or not rule.tests.days:
        return []

    def apply(overrides: dict[str, Any], days: list[int]) -> None:
        _rule_override(overrides, section, rule.id)["tests"] = {"days": days}

    return [
        _Adjustment(
            f"tests-{rule.id}",
            TestDaysField(label=_("%(rule)s: test days") % {"rule": _rule_name(rule)}),
            rule.tests.days,
            apply,
        )
    ]


def _gathering_adjustment(rule: GatheringRule) -> list[_Adjustment]:
    if rule.when is None:
        return []
    key = "at_least" if rule.when.at_least is not None else "more_than"
    words = {
        ("people", "at_least"): _("%(gathering)s (%(effect)s): from how many people"),
        ("people", "more_than"): _("%(gathering)s (%(effect)s): above how many people"),
        ("tables", "at_least"): _("%(gathering)s (%(effect)s): from how many tables"),
        ("tables", "more_than"): _("%(gathering)s (%(effect)s): above how many tables"),
        ("classes", "at_least"): _("%(gathering)s (%(effect)s): from how many classes"),
        ("classes", "more_than"): _("%(gathering)s (%(effect)s): above how many classes"),
    }
    label = words[rule.when.of, key] % {
        "gathering": "、".join(str(GATHERINGS.get(kind, kind)) for kind in rule.applies_to),
        "effect": gathering_text(rule),
    }

    def apply(overrides: dict[str, Any], count: int) -> None:
        _rule_override(overrides, "gathering_rules", rule.id)["when"] = {key: count}

    return [
        _Adjustment(
            f"gathering-{rule.id}",
            forms.IntegerField(label=label, min_value=0 if key == "more_than" else 1),
            getattr(rule.when, key),
            apply,
        )
    ]


def _adjustments(pack: Pack) -> list[_Adjustment]:
    """The numbers of the pack a what-if changes in a form: phase lengths, test days, the fever
    threshold, gathering sizes."""
    found: list[_Adjustment] = []
    if pack.temperature is not None:

        def apply(overrides: dict[str, Any], above: Decimal) -> None:
            overrides["temperature"] = {"above": float(above)}

        found.append(
            _Adjustment(
                "temperature-above",
                forms.DecimalField(
                    label=_("Fever: temperature above (°C)"),
                    min_value=35,
                    max_value=42,
                    decimal_places=1,
                ),
                Decimal(str(pack.temperature.above)),
                apply,
            )
        )
    for section, rules in (
        ("arrival_rules", pack.arrival_rules),
        ("contact_rules", pack.contact_rules),
    ):
        for rule in rules:
            found += _phase_adjustments(section, rule)
            found += _test_day_adjustment(section, rule)
    for gathering in pack.gathering_rules:
        found += _gathering_adjustment(gathering)
    return found


class TestDaysField(forms.Field):
    """Days after the start, as a person writes them: "1 4 7" or "1、4、7"."""

    def to_python(self, value: Any) -> list[int]:
        text = str(value or "").replace("、", " ").replace(",", " ").replace("，", " ")
        days = []
        for part in text.split():
            day = whole_number(part, high=90)
            if day is None:
                raise forms.ValidationError(
                    _("Write days from 1 to 90, separated by spaces: 1 4 7."), code="invalid"
                )
            days.append(day)
        if not days:
            raise forms.ValidationError(_("Write at least one day."), code="required")
        return sorted(set(days))

    def prepare_value(self, value: Any) -> Any:
        return " ".join(str(day) for day in value) if isinstance(value, list) else value


def changes_example(pack: Pack) -> str:
    """A change of this pack in YAML that loads: the advanced field's example."""
    for rule in pack.arrival_rules:
        for phase in rule.measures:
            if phase.days is not None:
                change = {"id": rule.id, "measures": [{"kind": phase.kind, "days": 7}]}
                return yaml.safe_dump({"arrival_rules": [change]}, default_flow_style=True).strip()
    if pack.temperature is not None:
        return "temperature: {above: 37.5}"
    return "risk_levels: [high, medium, low]"


class WhatIfForm(_Styled):
    """A plan to try on a unit's population, with its numbers changed in fields (phase lengths,
    test days, thresholds) or, for the few who need more, in YAML."""

    advanced_fields = ("changes",)
    advanced_label = _("Advanced: change the plan's rules (YAML)")

    unit = UnitField(label=_("Unit"), capability=Capability.VIEW_PEOPLE)
    pack_id = forms.ChoiceField(label=_("Plan to try"))
    # The plan whose numbers the form shows: after choosing another plan, they are its own.
    adjusting = forms.CharField(required=False, widget=forms.HiddenInput)
    changes = forms.CharField(
        label=_("Changes to the plan (YAML, optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
    )

    def __init__(self, data: Any = None, *, units: Any, **kwargs: Any) -> None:
        self.adjustments: list[_Adjustment] = []
        pack = packs_all().get((data or {}).get("pack_id", ""))
        if pack is not None:
            self.adjustments = _adjustments(pack)
            data = data.copy()
            fresh = data.get("adjusting") != pack.id
            for adjustment in self.adjustments:
                if fresh or adjustment.name not in data:
                    data[adjustment.name] = adjustment.field.prepare_value(adjustment.current)
            data["adjusting"] = pack.id
        super().__init__(data, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["pack_id"].choices = _pack_choices()  # type: ignore[attr-defined]
        for adjustment in self.adjustments:
            self.fields[adjustment.name] = adjustment.field
        if pack is not None:
            self.fields["changes"].help_text = _("e.g. %(example)s") % {
                "example": changes_example(pack)
            }
        self.style_widgets()

    def _changed(self) -> list[tuple[_Adjustment, Any]]:
        return [
            (adjustment, value)
            for adjustment in self.adjustments
            if (value := self.cleaned_data[adjustment.name]) != adjustment.current
        ]

    def overrides(self) -> dict[str, Any]:
        """The changed numbers as changes to the pack (the same shape as its YAML)."""
        found: dict[str, Any] = {}
        for adjustment, value in self._changed():
            adjustment.apply(found, value)
        return found

    def changed(self) -> list[tuple[str, str, str]]:
        """What the form changed, for the reader: (what, in the plan, tried)."""
        return [
            (
                str(adjustment.field.label),
                str(adjustment.field.prepare_value(adjustment.current)),
                str(adjustment.field.prepare_value(value)),
            )
            for adjustment, value in self._changed()
        ]


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

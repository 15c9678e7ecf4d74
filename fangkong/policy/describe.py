"""A pack as sentences in the reader's language: the rule table of the plan pages."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from fangkong.core.countries import country_name
from fangkong.obligations.models import ObligationKind
from fangkong.org.models import UnitKind
from fangkong.org.reference_data import region_full_names
from fangkong.people.reference_data import CATEGORIES
from fangkong.policy.geography import region_names
from fangkong.policy.models import ExposureKind, MeasureKind
from fangkong.policy.packs import (
    ArrivalCondition,
    Count,
    GatheringRule,
    ObligationTemplate,
    Pack,
    Phase,
    Place,
    Rule,
    TravelRule,
    VenueLimit,
    packs_all,
)
from fangkong.policy.release import ReleaseAnswer

ACTIONS = {
    "isolate": gettext_lazy("isolate"),
    "retest": gettext_lazy("measure again"),
    "ask_history": gettext_lazy("ask the 14-day history"),
    "register": gettext_lazy("register"),
    "transfer": gettext_lazy("transfer"),
    "monitor": gettext_lazy("keep monitoring"),
    "send_home": gettext_lazy("send home"),
    "refer_to_fever_clinic": gettext_lazy("refer to the fever clinic"),
    "mask": gettext_lazy("give a medical mask"),
    "report": gettext_lazy("report"),
    "release": gettext_lazy("release"),
    "await_results": gettext_lazy("await the results"),
    "manage_as_close_contact": gettext_lazy("manage as a close contact"),
    "advise_against": gettext_lazy("advise against"),
}

# A gathering's or a trip's answer (decision.verdict), the most demanding that applies.
VERDICTS = {
    "forbidden": gettext_lazy("forbidden"),
    "restricted": gettext_lazy("strictly restricted"),
    "approval_required": gettext_lazy("approval required"),
    "filing_required": gettext_lazy("filing required"),
    "advised_against": gettext_lazy("best not held"),
    "allowed": gettext_lazy("allowed"),
}

# A trip's answer where it reads otherwise than a gathering's (非必要不出行).
TRIP_VERDICTS = {
    **VERDICTS,
    "advised_against": gettext_lazy("no travel unless essential"),
}


def verdict_label(verdict: str, kind: str = "gathering") -> str:
    """A gathering's answer (提倡不办) or, for a ``departure``, a trip's (非必要不出行)."""
    return str((TRIP_VERDICTS if kind == "departure" else VERDICTS).get(verdict, verdict))


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


# What a temperature reading comes to (the engine's decision.status).
TEMPERATURE_STATUSES = {
    "normal": gettext_lazy("temperature normal"),
    "recheck": gettext_lazy("re-measure"),
    "fever": gettext_lazy("fever confirmed"),
}


def status_label(status: str) -> str:
    return str(TEMPERATURE_STATUSES.get(status, status))


def plan_name(pack_id: str) -> str:
    """A plan by its title (农村地区冬春季新冠肺炎疫情防控工作方案), never its pack id."""
    pack = packs_all().get(pack_id)
    return pack.source.title if pack is not None else pack_id


# A risk area's level as the published lists name it (高风险地区), where it stands on its own.
LEVEL_NAMES = {
    "high": gettext_lazy("high-risk area"),
    "medium": gettext_lazy("medium-risk area"),
    "low": gettext_lazy("low-risk area"),
    "A": gettext_lazy("class A area"),
    "B": gettext_lazy("class B area"),
    "epidemic_area": gettext_lazy("epidemic area"),
    "local_case_city": gettext_lazy("city with local cases"),
    "land_border_port_city": gettext_lazy("land-border port city"),
}


def level_name(level: str) -> str:
    return str(LEVEL_NAMES.get(level, level))


def level_label(level: str) -> str:
    labels = {
        "high": _("high-risk"),
        "medium": _("medium-risk"),
        "low": _("low-risk"),
        "A": _("class A"),
        "B": _("class B"),
        "epidemic_area": _("epidemic area"),
        "local_case_city": _("city with local cases"),
        "land_border_port_city": _("land-border port city"),
    }
    return labels.get(level, level)


def kind_label(kind: str) -> str:
    if kind in MeasureKind.values:
        return str(MeasureKind(kind).label)
    if kind in ObligationKind.values:
        return str(ObligationKind(kind).label)
    return kind


# The events that open a deadline (packs.DeadlineEvent), as the plans name them.
EVENTS = {
    "suspected_case": gettext_lazy("a suspected case is found"),
    "confirmed_case": gettext_lazy("a confirmed or asymptomatic case is found"),
    "outbreak": gettext_lazy("an outbreak"),
    "fever": gettext_lazy("a fever"),
    "fever_drug_sale": gettext_lazy("fever or cough drugs are sold"),
    "sample_received": gettext_lazy("a sample reaches the lab"),
    "fever_clinic_sample": gettext_lazy("a fever clinic takes a sample"),
    "positive_result": gettext_lazy("a positive result"),
    "work_injury": gettext_lazy("a work injury is reported"),
}

ORGANISERS = {
    "school": gettext_lazy("held by a school"),
    "unit": gettext_lazy("held by a unit"),
    "family": gettext_lazy("held by a family"),
    "village": gettext_lazy("held by a village"),
}

PURPOSES = {
    "teaching": gettext_lazy("for teaching"),
    "other": gettext_lazy("not for teaching"),
}

GATHERINGS = {
    "event": gettext_lazy("events"),
    "banquet": gettext_lazy("banquets"),
    "family_meal": gettext_lazy("family meals"),
    "meeting": gettext_lazy("meetings"),
}

REQUESTS = {
    "leave_city": gettext_lazy("leaving the city"),
    "leave_province": gettext_lazy("leaving the province"),
    "leave_county": gettext_lazy("leaving the county"),
    "travel": gettext_lazy("travel"),
    "gathering": gettext_lazy("a gathering"),
}

SERVICE_MODES = {
    "online": gettext_lazy("online"),
    "phone": gettext_lazy("by phone"),
    "appointment": gettext_lazy("by appointment"),
    "mail": gettext_lazy("by post"),
    "window": gettext_lazy("at the counter"),
    "suspended": gettext_lazy("suspended"),
}

VENUE_KINDS = {
    "venue": gettext_lazy("public venue"),
    "shop": gettext_lazy("shop"),
    "bus": gettext_lazy("bus"),
    "restaurant": gettext_lazy("restaurant"),
    "culture": gettext_lazy("museum, library or stadium"),
    "service_hall": gettext_lazy("service hall"),
}

WEEKDAY_NAMES = {
    "monday": gettext_lazy("Monday"),
    "tuesday": gettext_lazy("Tuesday"),
    "wednesday": gettext_lazy("Wednesday"),
    "thursday": gettext_lazy("Thursday"),
    "friday": gettext_lazy("Friday"),
    "saturday": gettext_lazy("Saturday"),
    "sunday": gettext_lazy("Sunday"),
}


def _named(names: dict[str, Any], code: str) -> str:
    return str(names.get(code, code))


def event_label(trigger: str) -> str:
    """The event that opens a deadline (发现疑似病例)."""
    return _named(EVENTS, trigger)


def categories_text(codes: list[str]) -> str:
    """Register categories by their names in the user's language (a pack names them by code)."""
    english = (get_language() or "").startswith("en")
    names = {code: en if english else zh for code, zh, en in CATEGORIES}
    return "、".join(names.get(code, code) for code in codes)


def unit_kind_label(kind: str) -> str:
    return str(UnitKind(kind).label) if kind in UnitKind.values else kind


def exposure_label(exposure: str) -> str:
    return str(ExposureKind(exposure).label) if exposure in ExposureKind.values else exposure


def per_category_text(counts: dict[str, int]) -> str:
    """Counts by register category or kind of contact, everyone else's (``default``) last."""
    parts = [
        f"{exposure_label(key) if key in ExposureKind.values else categories_text([key])}：{n}"
        for key, n in counts.items()
        if key != "default"
    ]
    if "default" in counts:
        parts.append(_("everyone else: %(n)d") % {"n": counts["default"]})
    return "、".join(parts)


def out_of_scope_text(item: str) -> str:
    """A clause the engine does not execute: the plan's words, with the developers' reason after
    " — " only for a reader of English."""
    english = (get_language() or "").startswith("en")
    return item if english else item.split(" — ")[0]


def rule_reason(pack_id: str, rule_id: str) -> str:
    """Why a rule applies to a person, as the rule table's "when" says it (有高风险地区旅居史)."""
    pack = packs_all().get(pack_id)
    if pack is None:
        return ""
    return next((row.when for row in rule_table(pack) if row.rule == rule_id), "")


def _levels(levels: list[str]) -> str:
    return "、".join(level_label(level) for level in levels)


def condition_text(when: ArrivalCondition) -> str:
    parts: list[str] = []
    if when.categories:
        parts.append(_("only %(categories)s") % {"categories": categories_text(when.categories)})
    if when.stayed_abroad:
        parts.append(_("stayed abroad"))
    if when.stayed_in_risk_area:
        parts.append(
            _("stayed in a %(levels)s area") % {"levels": _levels(when.stayed_in_risk_area)}
        )
    if when.stayed_in_city_of_risk_area:
        parts.append(
            _("stayed in the city of a %(levels)s area")
            % {"levels": _levels(when.stayed_in_city_of_risk_area)}
        )
    if when.stayed_in_local_case_city:
        parts.append(_("stayed in a city with local cases"))
    if when.from_other_province:
        parts.append(_("came from another province"))
    if not parts:
        return _("every arrival")
    return _("within %(days)d days: %(what)s") % {
        "days": when.within_days,
        "what": "；".join(parts),
    }


def phase_text(phase: Phase) -> str:
    if phase.open:
        length = _("until released")
    elif phase.until_day is not None:
        length = _("until day %(day)d") % {"day": phase.until_day}
    else:
        length = ngettext("%(days)d day", "%(days)d days", phase.days or 0) % {"days": phase.days}
    return f"{kind_label(phase.kind)} {length}"


def _minutes(minutes: int) -> str:
    if minutes == 0:
        return _("immediately")
    if minutes < 0:
        return _("%(days)d days ahead") % {"days": -minutes // 1440}
    if minutes % 60:
        return _("within %(minutes)d minutes") % {"minutes": minutes}
    return _("within %(hours)d hours") % {"hours": minutes // 60}


def obligation_text(template: ObligationTemplate) -> str:
    return f"{kind_label(template.kind)} {_minutes(template.within_minutes)}"


def release_text(condition: str) -> str:
    labels = {
        "last_test_negative": _("last test negative"),
        "person_object_environment_negative": _("person, object and environment samples negative"),
        "headquarters_consent": _("the headquarters' consent"),
        "hospital_certificate": _("a hospital certificate"),
        "symptoms_resolved": _("symptoms resolved and infection excluded"),
    }
    return labels.get(condition, condition)


def release_missing_text(missing: str, not_before: dt.date | None = None) -> str:
    """What a release still lacks (release.release_answer's ``missing``), for the page."""
    labels = {
        "period_over": _("the measure to be over (%(day)s)")
        % {"day": not_before.isoformat() if not_before else ""},
        "person_sample_negative": _("the person's sample negative"),
        "object_sample_negative": _("an object sample negative"),
        "environment_sample_negative": _("an environment sample negative"),
        "last_test_negative": _("the last test negative"),
        "last_test_double_sample_negative": _("both samples of the last test negative"),
        "headquarters_consent": _("the headquarters' consent, given by a named person"),
        "symptoms_resolved": _("symptoms resolved"),
    }
    return labels.get(missing, release_text(missing))


# The codes an engine reason carries: region codes (310115) and countries (JPN, HKG).
_REASON_CODES = re.compile(r"\b(\d{6}|[A-Z]{3})\b")


def reason_named(because: str) -> str:
    """An engine reason as a reader reads it: "stayed in 上海市 浦东新区 …", "stayed abroad (日本)".
    The engine keeps the codes (the evaluate contract, and classification stays free of lookups);
    names are put in here, where a reason is shown."""
    names = region_full_names()

    def named(match: re.Match[str]) -> str:
        code = match.group(1)
        return names.get(code, code) if code.isdigit() else country_name(code)

    return _REASON_CODES.sub(named, because)


def release_verdict(answer: ReleaseAnswer) -> str:
    """可以解除：是 / 否，缺少：…"""
    if answer.allowed:
        return _("Can be released: yes")
    return _("Can be released: no, missing: %(missing)s") % {
        "missing": "、".join(release_missing_text(m, answer.not_before) for m in answer.missing)
    }


def outcome_text(rule: Rule) -> str:
    parts: list[str] = []
    if rule.measures:
        parts.append(" → ".join(phase_text(p) for p in rule.measures))
    if rule.tests is not None:
        if rule.tests.days:
            days = "、".join(str(d) for d in rule.tests.days)
            text = _("tests on days %(days)s") % {"days": days}
            if rule.tests.double_sample_last:
                text += _(" (the last double-sampled)")
            parts.append(text)
        else:
            text = ngettext(
                "%(count)d test within %(hours)d h",
                "%(count)d tests within %(hours)d h",
                rule.tests.count,
            ) % {"count": rule.tests.count, "hours": rule.tests.within_hours or 0}
            if rule.tests.min_gap_hours:
                text += _(", %(gap)d h apart") % {"gap": rule.tests.min_gap_hours}
            parts.append(text)
    for proof in rule.proofs:
        parts.append(_("negative test within %(hours)d h") % {"hours": proof.within_hours})
    for template in rule.obligations:
        parts.append(obligation_text(template))
    if rule.release:
        parts.append(
            _("released on: %(conditions)s")
            % {"conditions": "、".join(release_text(r) for r in rule.release)}
        )
    if rule.after_release:
        parts.append(
            _("then %(phases)s") % {"phases": " → ".join(phase_text(p) for p in rule.after_release)}
        )
    return "；".join(parts) or _("nothing")


def count_text(count: Count | None) -> str:
    if count is None:
        return _("always")
    unit = _("people") if count.of == "people" else _("tables")
    if count.at_least is not None:
        return _("%(n)d %(unit)s or more") % {"n": count.at_least, "unit": unit}
    return _("more than %(n)d %(unit)s") % {"n": count.more_than or 0, "unit": unit}


def count_text_of(count: Count | None) -> str:
    """A count as a gathering's "when" says it; classes are a school's teaching units."""
    if count is not None and count.of == "classes":
        if count.at_least is not None:
            return _("%(n)d classes or more") % {"n": count.at_least}
        return _("more than %(n)d classes") % {"n": count.more_than or 0}
    return count_text(count)


def gathering_text(rule: GatheringRule) -> str:
    text = verdict_label(rule.effect)
    if rule.approver:
        text += f"（{rule.approver}）"
    for proof in rule.proofs:
        text += "；" + _("negative test within %(hours)d h") % {"hours": proof.within_hours}
    return text


@dataclass(frozen=True)
class RuleRow:
    section: str
    rule: str
    when: str
    then: str
    clause: str


def rule_table(pack: Pack) -> list[RuleRow]:
    """The pack's rules, section by section, each a sentence citing its clause."""
    sections = (
        _arrival_rows,
        _contact_rows,
        _temperature_rows,
        _checkin_rows,
        _gathering_rows,
        _travel_rows,
        _deadline_rows,
        _report_rows,
        _duty_rows,
        _approval_rows,
        _testing_rows,
        _service_rows,
        _venue_limit_rows,
    )
    return [row for section in sections for row in section(pack)]


def _arrival_rows(pack: Pack) -> list[RuleRow]:
    return [
        RuleRow(
            _("Arrivals"),
            arrival.id,
            condition_text(arrival.when),
            outcome_text(arrival),
            arrival.clause,
        )
        for arrival in pack.arrival_rules
    ]


def _contact_rows(pack: Pack) -> list[RuleRow]:
    rows: list[RuleRow] = []
    for contact in pack.contact_rules:
        then = outcome_text(contact)
        if contact.conditional_release:
            c = contact.conditional_release
            then += "；" + _(
                "released on day %(day)d if the close contact's first %(n)d tests and one's own "
                "tests on days %(days)s are negative; otherwise managed as %(other)s"
            ) % {
                "day": c.release_day,
                "n": c.contact_first_tests,
                "days": "、".join(str(d) for d in c.own_test_days),
                "other": _rule_who(pack, c.otherwise),
            }
        rows.append(
            RuleRow(
                _("Contacts"), contact.id, exposure_label(contact.exposure), then, contact.clause
            )
        )
    return rows


def _rule_who(pack: Pack, rule_id: str) -> str:
    """Whom a contact rule manages (密切接触者), for a rule that hands people on to it."""
    for contact in pack.contact_rules:
        if contact.id == rule_id:
            return exposure_label(contact.exposure)
    return rule_id


def _temperature_rows(pack: Pack) -> list[RuleRow]:
    t = pack.temperature
    if t is None:
        return []
    confirmations = per_category_text(t.confirmations)
    when = _("reading %(op)s %(value)s °C, confirmed by %(counts)s readings") % {
        "op": "≥" if t.inclusive else ">",
        "value": t.above,
        "counts": confirmations,
    }
    if t.requires_symptoms:
        when += _(", with suspected symptoms")
    then = "、".join(action_label(a) for a in t.on_fever.actions)
    for template in t.on_fever.obligations:
        then += "；" + obligation_text(template)
    return [RuleRow(_("Temperature"), "temperature", when, then, t.clause)]


def _checkin_rows(pack: Pack) -> list[RuleRow]:
    if pack.checkins is None:
        return []
    per_day = per_category_text(pack.checkins.per_day)
    return [
        RuleRow(
            _("Check-ins"),
            "checkins",
            _("every day"),
            _("check-ins per day: %(counts)s") % {"counts": per_day},
            pack.checkins.clause,
        )
    ]


def _gathering_rows(pack: Pack) -> list[RuleRow]:
    rows: list[RuleRow] = []
    for gathering in pack.gathering_rules:
        who = "、".join(_named(GATHERINGS, kind) for kind in gathering.applies_to)
        if gathering.categories:
            who += f"（{categories_text(gathering.categories)}）"
        held = [_named(ORGANISERS, o) for o in gathering.organisers]
        held += [_named(PURPOSES, p) for p in gathering.purposes]
        if held:
            who += f"（{'、'.join(held)}）"
        rows.append(
            RuleRow(
                _("Gatherings"),
                gathering.id,
                f"{who}：{count_text_of(gathering.when)}",
                gathering_text(gathering),
                gathering.clause,
            )
        )
    return rows


# The places abroad the plans name apart (X-14: 不含澳门地区; 港澳台地区和境外).
PLACES_ABROAD = {
    "HKG": gettext_lazy("Hong Kong"),
    "MAC": gettext_lazy("Macao"),
    "TWN": gettext_lazy("Taiwan"),
}


def _place_text(place: Place) -> str:
    parts: list[str] = []
    if place.in_area:
        parts.append("、".join(level_name(level) for level in place.in_area))
    if place.in_county_of:
        parts.append(_("the county of a %(levels)s area") % {"levels": _levels(place.in_county_of)})
    if place.in_other_county_of_city_of:
        parts.append(
            _("another county of the city of a %(levels)s area")
            % {"levels": _levels(place.in_other_county_of_city_of)}
        )
    if place.abroad:
        parts.append(_("abroad, Hong Kong, Macao or Taiwan"))
    text = "、".join(parts)
    names = region_names()
    exempt = [names.get(code, code) for code in place.except_regions]
    exempt += [_named(PLACES_ABROAD, code) for code in place.except_countries]
    if exempt:
        text += _(" (except %(places)s)") % {"places": "、".join(exempt)}
    return text


def travel_condition_text(rule: TravelRule) -> str:
    """Whom and which trips a travel rule means, as the rule table's "when" says it."""
    when = rule.when
    parts: list[str] = []
    if when.categories:
        parts.append(_("only %(categories)s") % {"categories": categories_text(when.categories)})
    if when.leaving is not None:
        parts.append(_("leaving %(place)s") % {"place": _place_text(when.leaving)})
    if when.going_to is not None:
        parts.append(_("going to %(place)s") % {"place": _place_text(when.going_to)})
    # Health codes and symptoms by the register's labels: monitoring.models declares their
    # messages (绿码, 发热 …), and policy lies below monitoring, so they are looked up by code.
    if when.health_codes:
        parts.append(
            _("holding a %(codes)s health code")
            % {"codes": "、".join(_(code) for code in when.health_codes)}
        )
    if when.symptoms:
        parts.append(
            _("with %(symptoms)s") % {"symptoms": "、".join(_(code) for code in when.symptoms)}
        )
    if when.cross_province:
        parts.append(_("leaving the province"))
    return "；".join(parts) or _("every trip")


def travel_text(rule: TravelRule) -> str:
    parts = [verdict_label(rule.effect, "departure")] if rule.effect else []
    if rule.min_days_off_post:
        parts.append(
            _("off post %(days)d days or more, or forbidden") % {"days": rule.min_days_off_post}
        )
    for proof in rule.proofs:
        parts.append(_("negative test within %(hours)d h") % {"hours": proof.within_hours})
    if rule.filing_with:
        parts.append(_("filing with %(whom)s") % {"whom": rule.filing_with})
    return "；".join(parts)


def _travel_rows(pack: Pack) -> list[RuleRow]:
    return [
        RuleRow(_("Travel"), rule.id, travel_condition_text(rule), travel_text(rule), rule.clause)
        for rule in pack.travel_rules
    ]


def _deadline_rows(pack: Pack) -> list[RuleRow]:
    return [
        RuleRow(
            _("Deadlines"),
            deadline.id,
            event_label(deadline.trigger),
            f"{deadline.responsible}：{obligation_text(deadline.obligation)}",
            deadline.obligation.clause,
        )
        for deadline in pack.deadlines
    ]


def _report_rows(pack: Pack) -> list[RuleRow]:
    rows: list[RuleRow] = []
    for report in pack.reports:
        when = (
            _("every %(weekday)s") % {"weekday": _named(WEEKDAY_NAMES, report.weekday)}
            if report.weekday
            else _("every day")
        )
        if report.until:
            when += _(" until %(date)s") % {"date": report.until}
        rows.append(
            RuleRow(
                _("Reports"),
                report.id,
                when,
                _("%(kind)s by %(time)s")
                % {"kind": kind_label(report.kind), "time": f"{report.at:%H:%M}"}
                + (
                    f"（{'、'.join(unit_kind_label(k) for k in report.unit_kinds)}）"
                    if report.unit_kinds
                    else ""
                ),
                report.clause,
            )
        )
    return rows


def _duty_rows(pack: Pack) -> list[RuleRow]:
    return [
        RuleRow(
            _("Duties"),
            duty.id,
            _("by the end of %(date)s") % {"date": duty.by}
            if duty.by
            else _("once every %(days)d days") % {"days": duty.every_days},
            f"{duty.responsible}：{kind_label(duty.kind)}"
            f"（{'、'.join(unit_kind_label(k) for k in duty.unit_kinds)}）",
            duty.clause,
        )
        for duty in pack.duties
    ]


def _approval_rows(pack: Pack) -> list[RuleRow]:
    rows: list[RuleRow] = []
    for approval in pack.approvals:
        who = categories_text(approval.categories) or _("everyone")
        then = " → ".join(approval.steps)
        if approval.advance_days:
            then += "；" + _("apply %(days)d days ahead") % {"days": approval.advance_days}
        rows.append(
            RuleRow(
                _("Approvals"),
                approval.id,
                f"{_named(REQUESTS, approval.request)}：{who}",
                then,
                approval.clause,
            )
        )
    return rows


def _testing_rows(pack: Pack) -> list[RuleRow]:
    """Tests of people by group, then samples of the environment by kind of unit."""
    people = [
        RuleRow(
            _("Testing"),
            group.id,
            categories_text(group.categories),
            _("a nucleic-acid test every %(days)d days") % {"days": group.every_days},
            group.clause,
        )
        for group in pack.test_groups
    ]
    environment = [
        RuleRow(
            _("Testing"),
            schedule.id,
            "、".join(unit_kind_label(k) for k in schedule.unit_kinds),
            _("an environment sample every %(days)d days") % {"days": schedule.every_days},
            schedule.clause,
        )
        for schedule in pack.environment_sampling
    ]
    return people + environment


def _service_rows(pack: Pack) -> list[RuleRow]:
    return [
        RuleRow(
            _("Services"),
            service.id,
            service.name,
            _named(SERVICE_MODES, service.mode),
            service.clause,
        )
        for service in pack.services
    ]


def venue_limit_text(limit: VenueLimit) -> str:
    """限量 50% of the rated seats; 预约、错峰 in time slots."""
    parts = []
    if limit.share_percent is not None:
        parts.append(_("at most %(share)d%% of the rated seats") % {"share": limit.share_percent})
    if limit.reservation:
        parts.append(_("by reservation in time slots"))
    if limit.real_name:
        parts.append(_("booked by real name (ID number)"))
    return "；".join(parts)


def _venue_limit_rows(pack: Pack) -> list[RuleRow]:
    return [
        RuleRow(
            _("Venues"),
            limit.id,
            "、".join(_named(VENUE_KINDS, kind) for kind in limit.venue_kinds),
            venue_limit_text(limit),
            limit.clause,
        )
        for limit in pack.venue_limits
    ]

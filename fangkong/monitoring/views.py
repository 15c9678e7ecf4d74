"""Pages of daily monitoring: a class's check-ins on one screen, the personal check-in link, the
fever path with its clock, illness absences, unit reports and the roll-up of the tree."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core import clock
from fangkong.core.forms import Picked
from fangkong.core.inputs import query_date, query_int, whole_number
from fangkong.core.links import link_over_rate
from fangkong.monitoring.models import (
    SYMPTOMS,
    CheckinVia,
    FeverDisposition,
    HealthCode,
)
from fangkong.monitoring.selectors import (
    FIGURES,
    absences_following,
    class_day,
    day_figures,
    fevers_open,
    report_rollup,
    symptoms_of,
)
from fangkong.monitoring.services import (
    CheckinInput,
    absence_record,
    absence_return,
    checkins_record,
    fever_update,
    report_file,
    self_link_create,
    self_link_person,
    self_links_revoke,
)
from fangkong.obligations.models import Obligation
from fangkong.org.access import request_user, units_in, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.selectors import person_get_visible, person_pick
from fangkong.policy.templatetags.fangkong_labels import figure_label

# A personal link may record this many check-ins per hour (a phone, not a script), counted in the
# cache every worker shares.
LINK_RATE = 10
# A figure of a unit's report counts people: more than a billion is a typing slip.
FIGURE_MAX = 10**9
# People on a page of the class check-in screen: a phone's screenful or two, one save.
CLASS_PAGE_SIZE = 30
PAGE_MAX = 100_000


def _units(request: HttpRequest, capability: Capability = Capability.VIEW_PEOPLE) -> Any:
    return units_in(request.user, capability).order_by("path")


def _day(request: HttpRequest) -> dt.date:
    return query_date(request.GET, "day", clock.localdate())


@login_required
def monitoring_home_view(request: HttpRequest) -> HttpResponse:
    units = _units(request)
    unit = units.filter(pk=query_int(request.GET, "unit")).first() or units.first()
    day = _day(request)
    return render(
        request,
        "monitoring/home.html",
        {
            "units": units,
            "unit": unit,
            "day": day,
            "figures": day_figures(unit, day) if unit else {},
            "rollup": report_rollup(request.user, unit, day) if unit else [],
            "fevers": fevers_open(request.user).filter(disposition="open")[:20],
            "absences": absences_following(request.user)[:20],
            "groups": units.filter(kind__in=["class", "department", "grid"])[:200],
            "can_export": user_can(request.user, Capability.EXPORT),
        },
    )


@login_required
def class_checkin_view(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The whole class (or shift): the day's attendance register (E-10) with a temperature per
    person and absences, saved in one set. The counts cover everyone; the rows are found by part
    of a name (or only those not seen yet) and shown a page at a time, so that a grid of a few
    hundred people fits a phone."""
    unit = get_object_or_404(_units(request), pk=unit_id)
    day = clock.localdate()
    errors: dict[int, str] = {}
    number = query_int(request.GET, "page", high=PAGE_MAX) or 1
    search = request.GET.get("q", "").strip()
    unseen = request.GET.get("state") == "missing"
    if request.method == "POST":
        if not user_can(request.user, Capability.EDIT_PEOPLE, unit):
            raise PermissionDenied
        errors = _class_checkins_save(request, unit, day)
        if not errors:
            # "Save and next": the same search, one page on (among those not seen, the saved
            # rows leave the list, and the next ones move up to this page).
            query = request.GET.copy()
            if request.POST.get("next") and not unseen:
                query["page"] = str(number + 1)
            return redirect(f"{request.path}?{query.urlencode()}")
    register = class_day(unit, day)
    shown = [
        row
        for row in register.rows
        if search in row.person.name and (not unseen or row.state == "missing")
    ]
    page = Paginator(shown, CLASS_PAGE_SIZE).get_page(number)
    return render(
        request,
        "monitoring/class.html",
        {
            "unit": unit,
            "day": day,
            "register": register,
            "search": search,
            "unseen": unseen,
            "found": len(shown),
            "page": page,
            # A refused row keeps what was typed, next to the reason.
            "rows": [
                (row, errors.get(row.person.pk), request.POST.get(f"t{row.person.pk}", ""))
                if row.person.pk in errors
                else (row, None, "")
                for row in page
            ],
            "symptoms": symptoms_of(unit),
        },
    )


def _class_checkins_save(request: HttpRequest, unit: Unit, day: dt.date) -> dict[int, str]:
    """Record the posted temperatures in one set, and the posted absences; the refused rows'
    reasons by person."""
    errors: dict[int, str] = {}
    rows = []
    absent = 0
    for row in class_day(unit, day).rows:
        person = row.person
        value = request.POST.get(f"t{person.pk}", "").strip()
        symptoms = [code for code in request.POST.getlist(f"s{person.pk}") if code]
        reason = request.POST.get(f"a{person.pk}", "")
        if reason and row.absence is None:
            try:
                absence_record(
                    actor=request_user(request),
                    person=person,
                    unit=unit,
                    day=day,
                    illness=reason == "illness",
                    symptoms=symptoms,
                )
                absent += 1
            except ValidationError as error:
                errors[person.pk] = " ".join(error.messages)
        elif value or symptoms:
            rows.append(
                CheckinInput(
                    person_id=person.pk,
                    celsius=value or None,
                    symptoms=symptoms,
                    unit_id=unit.pk,
                )
            )
    result = checkins_record(actor=request_user(request), rows=rows)
    errors |= {rows[e["index"]].person_id: e["reason"] for e in result.errors}
    fevers = sum(1 for c in result.created if c.status == "fever")
    rechecks = sum(1 for c in result.created if c.status == "recheck")
    messages.success(
        request,
        _("%(n)d check-ins saved; %(r)d to measure again, %(f)d fevers; %(a)d absences.")
        % {"n": len(result.created), "r": rechecks, "f": fevers, "a": absent},
    )
    return errors


@login_required
@require_POST
def self_link_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_get_visible(request.user, person_id, Capability.EDIT_PEOPLE)
    if person is None:
        raise Http404
    token = self_link_create(actor=request_user(request), person=person)
    url = request.build_absolute_uri(reverse("self-checkin", args=[token]))
    qr = segno.make(url, error="m").svg_inline(scale=4)
    return render(request, "monitoring/self_link.html", {"person": person, "url": url, "qr": qr})


@login_required
@require_POST
def self_links_revoke_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_get_visible(request.user, person_id, Capability.EDIT_PEOPLE)
    if person is None:
        raise Http404
    revoked = self_links_revoke(actor=request_user(request), person=person)
    messages.success(request, _("Personal check-in links revoked: %(count)d.") % {"count": revoked})
    return redirect("person-detail", person_id=person.pk)


def self_checkin_view(request: HttpRequest, token: str) -> HttpResponse:
    """The personal form behind a link or QR code: no account; only this person's own check-in."""
    person = self_link_person(token)
    if person is None:
        raise Http404
    done = False
    errors: dict[int, str] = {}
    if request.method == "POST":
        if link_over_rate(f"self-checkin:{token[-24:]}", LINK_RATE):
            return HttpResponse(
                _("Too many check-ins from this link; try again later."), status=429
            )
        result = checkins_record(
            actor=None,
            via=CheckinVia.SELF,
            rows=[
                CheckinInput(
                    person_id=person.pk,
                    celsius=request.POST.get("celsius", "").strip() or None,
                    symptoms=request.POST.getlist("symptoms"),
                    health_code=request.POST.get("health_code", ""),
                    place=request.POST.get("place", "").strip(),
                )
            ],
        )
        errors = {e["field"]: e["reason"] for e in result.errors}
        done = not errors
    return render(
        request,
        "monitoring/self_checkin.html",
        {
            "person": person,
            "symptoms": symptoms_of(person.unit),
            "codes": HealthCode.choices,
            "done": done,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
def fever_detail_view(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(fevers_open(request.user), pk=event_id)
    if request.method == "POST":
        try:
            fever_update(
                actor=request_user(request),
                event=event,
                disposition=request.POST.get("disposition", ""),
                travel_history=request.POST.get("travel_history", ""),
                contact_history=request.POST.get("contact_history", ""),
            )
            messages.success(request, _("Saved."))
            return redirect("fever-detail", event_id=event.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return render(
        request,
        "monitoring/fever.html",
        {
            "event": event,
            "deadlines": Obligation.objects.of_fever(event.pk).order_by("due_at"),
            "dispositions": FeverDisposition.choices,
            "now": clock.now(),
        },
    )


@login_required
def absence_view(request: HttpRequest) -> HttpResponse:
    """Record an absence (the person chosen by name in a picker) or a return; a refused absence
    comes back in its form as typed (400)."""
    typed: dict[str, Any] = {"illness": True}
    if request.method == "POST":
        returning = bool(request.POST.get("absence"))
        person = person_pick(
            request.user,
            request.POST.get("person") or request.POST.get("person_text", ""),
            Capability.EDIT_PEOPLE,
        )
        if person is None:
            messages.error(request, _("Nobody in your units has this name: choose from the list."))
        else:
            try:
                if returning:
                    absence = get_object_or_404(
                        absences_following(request.user), pk=query_int(request.POST, "absence")
                    )
                    absence_return(
                        actor=request_user(request),
                        absence=absence,
                        on=dt.date.fromisoformat(request.POST.get("on") or str(clock.localdate())),
                        hospital_certificate=bool(request.POST.get("hospital_certificate")),
                        doctor=request.POST.get("doctor", ""),
                        leader=request.POST.get("leader", ""),
                        cause=request.POST.get("cause", ""),
                    )
                    messages.success(request, _("Back at school or work."))
                else:
                    absence_record(
                        actor=request_user(request),
                        person=person,
                        unit=person.unit,
                        day=dt.date.fromisoformat(
                            request.POST.get("day") or str(clock.localdate())
                        ),
                        illness=bool(request.POST.get("illness")),
                        symptoms=request.POST.getlist("symptoms"),
                        cause=request.POST.get("cause", ""),
                    )
                    messages.success(request, _("Absence recorded."))
                return redirect("absences")
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        messages.error(request, f"{field}: {problem}")
            except ValueError:
                messages.error(request, _("Not a date (write 2022-02-01)."))
        if returning:
            return redirect("absences")
        typed = {
            "person": Picked(str(person.pk), person.name)
            if person
            else Picked("", request.POST.get("person_text", "")),
            "day": request.POST.get("day", ""),
            "illness": bool(request.POST.get("illness")),
            "symptoms": request.POST.getlist("symptoms"),
        }
    return render(
        request,
        "monitoring/absences.html",
        {
            "absences": absences_following(request.user)[:200],
            "symptoms": SYMPTOMS.items(),
            "typed": typed,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def report_view(request: HttpRequest) -> HttpResponse:
    """File a unit's report of a day, pre-filled; zero reports too; and the roll-up below."""
    units = _units(request, Capability.EDIT_PEOPLE)
    chosen = query_int(request.POST, "unit") or query_int(request.GET, "unit")
    unit = units.filter(pk=chosen).first() or units.first()
    day = _day(request)
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST" and unit is not None:
        typed = {name: request.POST.get(name, "").strip() for name in FIGURES}
        figures = {}
        for name in FIGURES:
            value = whole_number(typed[name], high=FIGURE_MAX, low=0)
            if value is None:
                errors[name] = _("%(field)s: a whole number.") % {"field": figure_label(name)}
            else:
                figures[name] = value
        if not errors:
            try:
                report = report_file(
                    actor=request_user(request),
                    unit=unit,
                    kind=request.POST.get("kind", "daily_report"),
                    day=query_date(request.POST, "day", day),
                    figures=figures,
                    zero=bool(request.POST.get("zero")),
                    note=request.POST.get("note", ""),
                )
            except ValidationError as error:
                errors[NON_FIELD_ERRORS] = " ".join(error.messages)
            else:
                messages.success(
                    request, _("Report filed (late).") if report.late else _("Report filed.")
                )
                return redirect(f"{reverse('reports')}?unit={unit.pk}&day={day}")
    # A refused report comes back with everything typed, the refused figure named in Chinese.
    figures_shown = typed or (day_figures(unit, day) if unit else {})
    return render(
        request,
        "monitoring/reports.html",
        {
            "units": units,
            "unit": unit,
            "day": day,
            "figures": figures_shown,
            "figure_rows": [
                (name, value, errors.get(name, "")) for name, value in figures_shown.items()
            ],
            "form_error": errors.get(NON_FIELD_ERRORS, ""),
            "typed": request.POST if errors else {},
            "figure_names": FIGURES,
            "due": Obligation.objects.reports()
            .filter(unit=unit, due_at__date=day)
            .order_by("due_at")
            if unit
            else [],
        },
        status=400 if errors else 200,
    )


@login_required
def rollup_view(request: HttpRequest) -> HttpResponse:
    units = _units(request)
    unit = units.filter(pk=query_int(request.GET, "unit")).first() or units.first()
    day = _day(request)
    kind = request.GET.get("kind", "daily_report")
    return render(
        request,
        "monitoring/rollup.html",
        {
            "unit": unit,
            "day": day,
            "kind": kind,
            "rows": report_rollup(request.user, unit, day, kind) if unit else [],
            "figure_names": FIGURES,
        },
    )

"""Pages of cases: the list of the user's units with the form that reports one, and a case's page
with its deadlines, its upgrade and its course; outbreaks grouping cases, declared on their list."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.core.exports import Format
from fangkong.core.forms import Picked
from fangkong.core.inputs import (
    BadInput,
    date_parse,
    query_choice,
    query_date,
    query_int,
    whole_number,
)
from fangkong.core.spreadsheets import ImportFileError, table_size_check, table_suffix
from fangkong.core.views import refusal_messages
from fangkong.obligations.models import Obligation
from fangkong.org.access import may_act_on, request_user, units_in, user_can, user_can_everywhere
from fangkong.org.roles import Capability
from fangkong.people.selectors import person_pick
from fangkong.policy.describe import level_name
from fangkong.policy.models import ExposureKind
from fangkong.policy.services import risk_levels_known
from fangkong.quarantine.selectors import case_steps_placed
from fangkong.tracing.forms import StopForm, VenueForm
from fangkong.tracing.graph import NODE_CAP, graph_filter_read
from fangkong.tracing.linelist import (
    LINE_LIST_COLUMNS,
    LINE_LIST_MAX,
    LineListOutcome,
    assistance_export,
    assistance_notices,
    contacts_import,
    contacts_record,
)
from fangkong.tracing.models import Case, CaseKind, CaseStatus, Exposure, Investigation
from fangkong.tracing.selectors import (
    cases_visible,
    investigation_contacts,
    outbreak_candidates,
    outbreaks_visible,
)
from fangkong.tracing.services import (
    case_report,
    case_status_change,
    case_upgrade,
    contact_candidate_decide,
    investigation_answer,
    investigation_determine,
    investigation_open,
    outbreak_declare,
)
from fangkong.tracing.venues import (
    CANDIDATES_MAX,
    candidates_visible,
    case_trajectory,
    contact_candidates_propose,
    scans_import,
    stop_add,
    venue_create,
    venues_visible,
)
from fangkong.tracing.zones import (
    zone_confirm,
    zone_dismiss,
    zone_level_suggested,
    zone_proposals,
)

PAGE_SIZE = 50
# The period of cases the zone proposals count by default: the last 14 days.
ZONE_DAYS = 14
# The cases one outbreak form offers and takes.
OUTBREAK_CASES_MAX = 200
# The empty rows the line list table shows at first, and at most (``?rows=``): 100 rows of 7
# cells stay under Django's 1,000 form fields; longer lists come as a file or through the API.
LINE_LIST_ROWS = 10
LINE_LIST_TABLE_MAX = 100
CASE_ACTIONS = ["upgrade", "status", "stop", "propose", "accept", "reject"]


@login_required
def case_list_view(request: HttpRequest) -> HttpResponse:
    """Cases of the user's units; POST reports one (also the one-click buttons of the fever and
    the lab result pages, which post the person and the kind)."""
    if not user_can(request.user, Capability.VIEW_PEOPLE):
        raise PermissionDenied
    typed = Picked("", "")
    status = 200
    if request.method == "POST":
        kind = query_choice(request.POST, "kind", CaseKind.values, CaseKind.SUSPECTED)
        person = person_pick(
            request.user,
            request.POST.get("person") or request.POST.get("person_text", ""),
            Capability.INVESTIGATE,
        )
        if person is None:
            messages.error(request, _("Nobody in your units has this name: choose from the list."))
            typed, status = Picked("", request.POST.get("person_text", "")), 400
        else:
            try:
                case = case_report(
                    actor=request_user(request),
                    person=person,
                    kind=kind,
                    note=request.POST.get("note", "")[:300],
                )
                messages.success(request, _("Case reported: its deadlines are open."))
                return redirect("case-detail", case_id=case.pk)
            except ValidationError as error:
                refusal_messages(request, error)
                typed, status = Picked(str(person.pk), person.name), 400
    # The command view's case panel links here by kind and status.
    kind = query_choice(request.GET, "kind", CaseKind.values, "")
    status_shown = query_choice(request.GET, "status", CaseStatus.values, "")
    cases = cases_visible(request.user)
    if kind:
        cases = cases.filter(kind=kind)
    if status_shown:
        cases = cases.filter(status=status_shown)
    page = Paginator(cases, PAGE_SIZE).get_page(query_int(request.GET, "page", high=100_000))
    return render(
        request,
        "tracing/cases.html",
        {
            "page": page,
            "kind_shown": CaseKind(kind).label if kind else "",
            "status_shown": CaseStatus(status_shown).label if status_shown else "",
            "filters": f"kind={kind}&status={status_shown}",
            "kinds": CaseKind.choices,
            "typed": typed,
            "may_report": user_can(request.user, Capability.INVESTIGATE),
        },
        status=status,
    )


@login_required
def case_detail_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """A case: its deadlines, its trajectory and its candidate contacts; (POST) an upgrade of its
    kind, the next step of its course, a stop of its trajectory, a search for contacts by venue
    codes, or the decision on a candidate."""
    case = get_object_or_404(cases_visible(request.user), pk=case_id)
    stop_form = StopForm(venues=venues_visible(request.user))
    if request.method == "POST":
        action = query_choice(request.POST, "action", CASE_ACTIONS, "status")
        try:
            if action == "stop":
                stop_form = StopForm(request.POST, venues=venues_visible(request.user))
                if not _stop_added(request, case, stop_form):
                    return _case_page(request, case, stop_form, status=400)
            elif action == "propose":
                count = contact_candidates_propose(actor=request_user(request), cases=[case])
                messages.success(
                    request, _("%(count)d candidate contacts proposed.") % {"count": count}
                )
                return redirect("case-detail", case_id=case.pk)
            elif action in ("accept", "reject"):
                candidate = get_object_or_404(
                    candidates_visible(request.user, case),
                    pk=query_int(request.POST, "candidate"),
                )
                contact_candidate_decide(
                    actor=request_user(request), candidate=candidate, accept=action == "accept"
                )
            elif action == "upgrade":
                kind = query_choice(request.POST, "kind", CaseKind.values, "")
                case_upgrade(actor=request_user(request), case=case, kind=kind)
            else:
                status = query_choice(request.POST, "status", CaseStatus.values, "")
                case_status_change(actor=request_user(request), case=case, status=status)
            messages.success(request, _("Saved."))
        except ValidationError as error:
            refusal_messages(request, error)
        return redirect("case-detail", case_id=case.pk)
    return _case_page(request, case, stop_form)


def _stop_added(request: HttpRequest, case: Case, form: StopForm) -> bool:
    """Add the stop of the form; False (the form showing why) when it is refused."""
    if not form.is_valid():
        return False
    try:
        stop_add(actor=request_user(request), case=case, **form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


def _case_page(
    request: HttpRequest, case: Case, stop_form: StopForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "tracing/case.html",
        {
            "case": case,
            "steps": case_steps_placed([case])[0],
            "deadlines": Obligation.objects.of_case(case.pk).select_related("unit"),
            "may_change": may_act_on(request.user, Capability.INVESTIGATE, case.person),
            "investigation": Investigation.objects.filter(case=case).only("pk", "status").first(),
            "now": clock.now(),
            "trajectory": case_trajectory(case),
            "candidates": candidates_visible(request.user, case)[:CANDIDATES_MAX],
            "stop_form": stop_form,
        },
        status=status,
    )


def _table_rows(request: HttpRequest) -> list[tuple[int, dict[str, object]]]:
    """The filled rows of the line list table, numbered as the table shows them."""
    columns = {key: request.POST.getlist(key) for key in LINE_LIST_COLUMNS.by_key}
    count = max(len(values) for values in columns.values())
    if count > LINE_LIST_MAX:
        raise BadInput(
            "rows", _("At most %(max)d rows in one list: split it.") % {"max": LINE_LIST_MAX}
        )
    rows = []
    for index in range(count):
        values: dict[str, object] = {
            key: values[index] if index < len(values) else "" for key, values in columns.items()
        }
        # The kind and the unit are chosen in every row: a row is filled once something is typed.
        if any(
            str(values[key]).strip() for key in ("name", "id_number", "phone", "last_exposed_at")
        ):
            rows.append((index + 1, values))
    return rows


def _line_list(
    request: HttpRequest, investigation: Investigation, action: str
) -> LineListOutcome | None:
    """The table's rows or the uploaded file recorded; None when the file cannot be read."""
    actor = request_user(request)
    if action == "contacts":
        return contacts_record(actor=actor, investigation=investigation, rows=_table_rows(request))
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the line list file (.xlsx or .csv)."))
        return None
    try:
        suffix = table_suffix(upload.name or "")
        table_size_check(upload.size or 0)
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            return contacts_import(actor=actor, investigation=investigation, path=Path(handle.name))
    except ImportFileError as error:
        messages.error(request, str(error))
        return None


@login_required
def investigation_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """A case's epidemiological investigation: opened from the case page (POST ``open``), the
    interview's answers, the contacts determined (a page of PAGE_SIZE at a time), and the line
    list entered in a table or uploaded as a file."""
    case = get_object_or_404(cases_visible(request.user), pk=case_id)
    may_change = may_act_on(request.user, Capability.INVESTIGATE, case.person)
    investigation = Investigation.objects.filter(case=case).first()
    outcome = None
    status = 200
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        action = query_choice(
            request.POST, "action", ["open", "answers", "determine", "contacts", "file"], "open"
        )
        if investigation is None or action == "open":
            investigation_open(actor=request_user(request), case=case)
            return redirect("case-investigation", case_id=case.pk)
        try:
            if action == "answers":
                text = request.POST.get("onset_date", "").strip()
                onset = date_parse(text) if text else None
                if text and onset is None:
                    raise BadInput(
                        "onset_date",
                        _("Not a date (write 2022-02-01): %(value)s") % {"value": text[:40]},
                    )
                investigation_answer(
                    actor=request_user(request),
                    investigation=investigation,
                    onset_date=onset,
                    history=request.POST.get("history", ""),
                )
            elif action == "determine":
                investigation_determine(actor=request_user(request), investigation=investigation)
            else:
                outcome = _line_list(request, investigation, action)
                if outcome is None or (
                    outcome.problems and not outcome.exposed + outcome.noticed + outcome.unchanged
                ):
                    status = 400
            if outcome is None and status == 200:
                messages.success(request, _("Saved."))
                return redirect("case-investigation", case_id=case.pk)
        except ValidationError as error:
            refusal_messages(request, error)
            status = 400
    return render(
        request,
        "tracing/investigation.html",
        {
            "case": case,
            "investigation": investigation,
            "contacts": Paginator(
                investigation_contacts(request.user, investigation)
                if investigation
                else Exposure.objects.none(),
                PAGE_SIZE,
            ).get_page(query_int(request.GET, "page", high=100_000)),
            "may_change": may_change,
            "outcome": outcome,
            "kinds": ExposureKind.choices,
            "units": units_in(request.user, Capability.INVESTIGATE).order_by("path")
            if may_change
            else [],
            "blank_rows": range(
                query_int(request.GET, "rows", high=LINE_LIST_TABLE_MAX) or LINE_LIST_ROWS
            ),
            "rows_max": LINE_LIST_TABLE_MAX,
            "notices": list(assistance_notices(investigation))
            if investigation and may_change
            else [],
        },
        status=status,
    )


@login_required
def assistance_export_view(request: HttpRequest, case_id: int, kind: Format) -> HttpResponseBase:
    """The investigation's assistance notices (协查通告) as the file sent outside Fangkong."""
    case = get_object_or_404(cases_visible(request.user), pk=case_id)
    investigation = get_object_or_404(Investigation, case=case)
    return assistance_export(actor=request_user(request), investigation=investigation, kind=kind)


@login_required
def case_graph_view(request: HttpRequest) -> HttpResponse:
    """Transmission chains: the filter form and the graph, drawn in the browser from the graph
    API with the same filter (a tampered filter is refused here already)."""
    if not user_can(request.user, Capability.VIEW_PEOPLE):
        raise PermissionDenied
    chosen = graph_filter_read(request.user, request.GET)
    return render(
        request,
        "tracing/graph.html",
        {
            "chosen": chosen,
            "layout": query_choice(request.GET, "layout", ["timeline", "tree"], "timeline"),
            "query": request.GET.urlencode(),
            "outbreaks": outbreaks_visible(request.user)[:OUTBREAK_CASES_MAX],
            "legend": [*CaseKind.choices, *ExposureKind.choices],
            "labels": {
                "people": _("%(count)s people"),
                "earliest": _("earliest case: "),
                "summary": _("%(nodes)s people, %(edges)s exposures."),
                "truncated": _("Only the first %(cap)d people are drawn: narrow the filter.")
                % {"cap": NODE_CAP},
                "failed": _("The graph could not be loaded."),
            },
        },
    )


@login_required
def outbreak_list_view(request: HttpRequest) -> HttpResponse:
    """Outbreaks of the user's units; POST declares one from the cases ticked on the form."""
    if not user_can(request.user, Capability.VIEW_PEOPLE):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        case_ids = [whole_number(text) for text in request.POST.getlist("cases")]
        if None in case_ids or len(case_ids) > OUTBREAK_CASES_MAX:
            raise BadInput(
                "cases", _("At most %(max)d cases at once.") % {"max": OUTBREAK_CASES_MAX}
            )
        try:
            outbreak = outbreak_declare(
                actor=request_user(request),
                case_ids=[pk for pk in case_ids if pk is not None],
                note=request.POST.get("note", "")[:300],
            )
            messages.success(request, _("Outbreak declared: its deadlines are open."))
            return redirect("outbreak-detail", outbreak_id=outbreak.pk)
        except ValidationError as error:
            refusal_messages(request, error)
            status = 400
    page = Paginator(outbreaks_visible(request.user), PAGE_SIZE).get_page(
        query_int(request.GET, "page", high=100_000)
    )
    may_declare = user_can(request.user, Capability.INVESTIGATE)
    return render(
        request,
        "tracing/outbreaks.html",
        {
            "page": page,
            "candidates": (
                outbreak_candidates(request.user, OUTBREAK_CASES_MAX) if may_declare else []
            ),
            "may_declare": may_declare,
        },
        status=status,
    )


@login_required
def outbreak_detail_view(request: HttpRequest, outbreak_id: int) -> HttpResponse:
    """An outbreak: its cases and its deadlines."""
    outbreak = get_object_or_404(outbreaks_visible(request.user), pk=outbreak_id)
    return render(
        request,
        "tracing/outbreak.html",
        {
            "outbreak": outbreak,
            "cases": cases_visible(request.user).filter(outbreak=outbreak),
            "deadlines": Obligation.objects.of_outbreak(outbreak.pk).select_related("unit"),
            "may_change": user_can(request.user, Capability.INVESTIGATE, outbreak.unit),
            "now": clock.now(),
        },
    )


@login_required
def zone_list_view(request: HttpRequest) -> HttpResponse:
    """Zones (H-01): the risk areas proposed from the period's confirmed and asymptomatic cases;
    POST confirms one (it becomes a risk area, which recomputes everyone it touches) or
    dismisses it. The headquarters' plan managers alone decide on zones."""
    if not user_can_everywhere(request.user, Capability.MANAGE_PLANS):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    until = query_date(data, "until", clock.localdate())
    since = query_date(data, "since", until - dt.timedelta(days=ZONE_DAYS - 1))
    if since > until:
        raise BadInput("until", _("The end date is before the start date."))
    levels = risk_levels_known()
    if request.method == "POST":
        action = query_choice(request.POST, "action", ["confirm", "dismiss"], "")
        region = request.POST.get("region", "")[:12]
        try:
            if action == "confirm":
                level = query_choice(request.POST, "level", levels, zone_level_suggested())
                zone_confirm(
                    actor=request_user(request),
                    region_code=region,
                    level=level,
                    since=since,
                    until=until,
                )
                messages.success(request, _("Risk area published; people are being reclassified."))
            elif action == "dismiss":
                zone_dismiss(
                    actor=request_user(request),
                    region_code=region,
                    since=since,
                    until=until,
                    note=request.POST.get("note", "")[:300],
                )
                messages.success(request, _("Proposal dismissed."))
            else:
                raise BadInput("action", _("Choose to confirm or to dismiss."))
        except ValidationError as error:
            refusal_messages(request, error)
        return redirect(f"{reverse('zone-list')}?since={since}&until={until}")
    return render(
        request,
        "tracing/zones.html",
        {
            "proposals": zone_proposals(request.user, since, until),
            "since": since,
            "until": until,
            "levels": [(level, level_name(level)) for level in levels],
            "suggested": zone_level_suggested(),
        },
    )


@login_required
def venue_list_view(request: HttpRequest) -> HttpResponse:
    """Venues (场所码) of the user's units; POST sets one up, or imports a file of scans."""
    units = units_in(request.user, Capability.INVESTIGATE)
    if not user_can(request.user, Capability.INVESTIGATE):
        raise PermissionDenied
    form = VenueForm(units=units)
    outcome = None
    status = 200
    upload = request.FILES.get("file")
    if request.method == "POST" and upload is not None:
        name = upload.name or ""
        try:
            suffix = table_suffix(name)
            table_size_check(upload.size or 0)
            with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
                handle.flush()
                outcome = scans_import(actor=request_user(request), path=Path(handle.name))
        except ImportFileError as error:
            messages.error(request, str(error))
            status = 400
    elif request.method == "POST":
        form = VenueForm(request.POST, units=units)
        if form.is_valid():
            try:
                venue = venue_create(actor=request_user(request), **form.cleaned_data)
                messages.success(
                    request, _("Venue set up: its code is %(code)s.") % {"code": venue.code}
                )
                return redirect("venue-list")
            except ValidationError as error:
                refusal_messages(request, error)
        status = 400
    page = Paginator(venues_visible(request.user), PAGE_SIZE).get_page(
        query_int(request.GET, "page", high=100_000)
    )
    return render(
        request,
        "tracing/venues.html",
        {"page": page, "form": form, "outcome": outcome},
        status=status,
    )

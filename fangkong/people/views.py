"""Pages of the person register. Views parse the request, call a selector or service, render."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.core.exports import Format, export_response
from fangkong.core.forms import errors_on_form
from fangkong.core.inputs import BadInput, query_int
from fangkong.core.pickers import PICKER_LIMIT, Choice, picker_answer, picker_query
from fangkong.core.spreadsheets import ImportFileError, read_rows
from fangkong.core.tasks import enqueue
from fangkong.healthcodes.codes import qr_svg, status_code_issue
from fangkong.org.access import (
    may_act_on,
    request_user,
    units_in,
    units_visible_to,
    user_can,
)
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.exports import person_export
from fangkong.people.forms import ImportUploadForm, PersonForm, TravelForm
from fangkong.people.importing import (
    REGISTER_COLUMNS,
    RowValidator,
    import_errors_xlsx,
    import_job_cancel,
    import_job_create,
    import_template_xlsx,
    preview_masked,
)
from fangkong.people.merging import person_merge
from fangkong.people.models import Category, ImportJob, Person
from fangkong.people.selectors import (
    PersonFilter,
    import_jobs_of,
    person_get_visible,
    person_household_members,
    person_list,
    person_search,
    person_search_params,
    person_travel,
)
from fangkong.people.services import (
    person_create,
    person_delete,
    person_records,
    person_reveal_id,
    person_update,
    travel_add,
)
from fangkong.people.tasks import people_import_run
from fangkong.people.timeline import person_timeline, timeline_cursor, timeline_next
from fangkong.policy.describe import release_verdict
from fangkong.policy.forms import ReleaseForm
from fangkong.policy.selectors import person_plan, person_release_check

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request: HttpRequest) -> PersonFilter:
    sex = request.GET.get("sex", "")
    return PersonFilter(
        text=request.GET.get("q", ""),
        unit_id=query_int(request.GET, "unit"),
        category=request.GET.get("category", ""),
        sex=sex if sex in {"M", "F"} else "",
        id_hash=request.GET.get("id_hash", ""),
    )


def _editable_units(
    request: HttpRequest, capability: Capability = Capability.EDIT_PEOPLE
) -> QuerySet[Unit]:
    return units_in(request.user, capability).order_by("path")


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@login_required
def person_list_view(request: HttpRequest) -> HttpResponse:
    """The register; the search form posts, so that an ID number typed in stays out of the URL."""
    if request.method == "POST":
        search = person_search_params(request.POST)
        return redirect(f"{reverse('person-list')}?{urlencode(search)}")
    filters = _filters(request)
    people = person_list(request.user, filters)
    before = request.GET.get("before", "")
    if before.isdigit():
        people = people.filter(pk__lt=int(before))
    page = list(people[: PAGE_SIZE + 1])
    has_next = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "people/list.html",
        {
            "people": page,
            "filters": filters,
            "has_next": has_next,
            "next_before": page[-1].pk if page else None,
            "query": query.urlencode(),
            "unit": (
                units_visible_to(request.user).filter(pk=filters.unit_id).first()
                if filters.unit_id
                else None
            ),
            "categories": Category.objects.all(),
            "can_edit": user_can(request.user, Capability.EDIT_PEOPLE),
            "can_import": user_can(request.user, Capability.IMPORT_PEOPLE),
            "can_export": user_can(request.user, Capability.EXPORT),
            "can_reveal": user_can(request.user, Capability.REVEAL_ID),
        },
    )


@login_required
def person_pick_view(request: HttpRequest) -> JsonResponse:
    """People by part of a name, a person number or a phone, among those the user may change:
    the person pickers (logging an absence). A neighbour's people never appear."""
    text = picker_query(request.GET)
    found = (
        person_search(request.user, text, limit=PICKER_LIMIT + 1, capability=Capability.EDIT_PEOPLE)
        if text
        else []
    )
    return picker_answer(
        Choice(str(person.pk), person.name, f"{person.unit.name} · {person.id_masked}")
        for person in found
    )


@login_required
def person_detail_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_get_visible(request.user, person_id)
    if person is None:
        raise Http404
    return _render_person(request, person, TravelForm())


def _render_person(request: HttpRequest, person: Person, travel_form: TravelForm) -> HttpResponse:
    """The person's page; a refused stay comes back in its form, as typed (status 400)."""
    timeline = person_timeline(person, request.user, cursor=timeline_cursor(request.GET))
    release = person_release_check(person.pk, clock.localdate())
    code = status_code_issue(person.pk)
    check_url = request.build_absolute_uri(
        reverse("code-check") + "?" + urlencode({"t": code.token})
    )
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "travel": person_travel(person),
            "timeline": timeline.entries,
            "timeline_next": urlencode(timeline_next(timeline)),
            "timeline_paged": "before" in request.GET,
            "categories": person.categories.all(),
            "travel_form": travel_form,
            "can_edit": may_act_on(request.user, Capability.EDIT_PEOPLE, person),
            "can_reveal": user_can(request.user, Capability.REVEAL_ID, person.unit),
            "household_members": person_household_members(request.user, person)[:20],
            "plan": person_plan(person.pk),
            "release_form": ReleaseForm(initial={"on": clock.localdate()}),
            "release": release,
            "release_verdict": release_verdict(release) if release else "",
            # E-21: the person's status code, as a QR that opens the gate's check of it
            "status_code": code,
            "status_qr": qr_svg(check_url),
        },
        status=400 if travel_form.errors else 200,
    )


@login_required
def person_create_view(request: HttpRequest) -> HttpResponse:
    units = _editable_units(request)
    if not units.exists():
        raise PermissionDenied
    form = PersonForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            person = person_create(actor=request_user(request), data=form.to_input())
        except ValidationError as error:
            errors_on_form(form, error)
        else:
            messages.success(
                request, _("%(name)s was added to the register.") % {"name": person.name}
            )
            return redirect("person-detail", person_id=person.pk)
    return render(request, "people/form.html", {"form": form, "title": _("Add a person")})


@login_required
def person_edit_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_get_visible(request.user, person_id, Capability.EDIT_PEOPLE)
    if person is None:
        raise Http404
    units = _editable_units(request)
    initial = {
        "name": person.name,
        "id_type": person.id_type,
        "unit": person.unit,
        "phone": person.phone,
        "nationality": person.nationality,
        "address_region": person.address_region_id or "",
        "address": person.address,
        "household": person.household.code if person.household else "",
        "categories": person.categories.all(),
    }
    form = PersonForm(request.POST or None, initial=initial, units=units)
    form.fields["id_number"].help_text = _("Type the full number again to keep or change it.")
    if request.method == "POST" and form.is_valid():
        try:
            person_update(actor=request_user(request), person=person, data=form.to_input())
        except ValidationError as error:
            errors_on_form(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("person-detail", person_id=person.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": person.name}},
    )


@login_required
@require_POST
def person_delete_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_get_visible(request.user, person_id, Capability.EDIT_PEOPLE)
    if person is None:
        raise Http404
    try:
        person_delete(actor=request_user(request), person=person)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("person-detail", person_id=person.pk)
    messages.success(request, _("The person's file was deleted."))
    return redirect("person-list")


@login_required
def person_merge_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """合并重复人员: the person and the one named by ``other`` side by side, ID numbers masked;
    the user picks the one to keep and confirms (POST). Both must be people the user may change."""
    person = person_get_visible(request.user, person_id, Capability.EDIT_PEOPLE)
    if person is None:
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    other = None
    if (other_id := query_int(data, "other")) is not None:
        other = person_get_visible(request.user, other_id, Capability.EDIT_PEOPLE)
        if other is None:
            raise BadInput(
                "other", _("No person with this number among the people you may change.")
            )
    refused = ""
    if request.method == "POST":
        if other is None:
            raise BadInput("other", _("Give the number of the other person."))
        keep = query_int(request.POST, "keep")
        if keep not in {person.pk, other.pk}:
            raise BadInput("keep", _("Choose one of the two people to keep."))
        kept, duplicate = (person, other) if keep == person.pk else (other, person)
        try:
            person_merge(actor=request_user(request), kept=kept, duplicate=duplicate)
        except ValidationError as error:
            refused = " ".join(error.messages)
        else:
            messages.success(
                request,
                _("%(name)s was merged into this file: every record of theirs is kept here.")
                % {"name": duplicate.name},
            )
            return redirect("person-detail", person_id=kept.pk)
    pair = [person] if other is None else [person, other]
    return render(
        request,
        "people/merge.html",
        {
            "person": person,
            "other": other,
            "pair": [(someone, person_records(someone)) for someone in pair],
            "refused": refused,
        },
        status=400 if refused else 200,
    )


@login_required
@require_POST
def person_reveal_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_get_visible(request.user, person_id)
    if person is None:
        raise Http404
    number = person_reveal_id(actor=request_user(request), person=person)
    return HttpResponse(f'<span class="font-monospace" data-testid="full-id">{number}</span>')


@login_required
@require_POST
def travel_add_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_get_visible(request.user, person_id, Capability.EDIT_PEOPLE)
    if person is None:
        raise Http404
    form = TravelForm(request.POST)
    if form.is_valid():
        try:
            travel_add(actor=request_user(request), person=person, data=form.to_input())
        except ValidationError as error:
            errors_on_form(form, error)
    if form.errors:
        return _render_person(request, person, form)
    messages.success(request, _("Stay added to the travel history."))
    return redirect("person-detail", person_id=person.pk)


@login_required
def person_export_view(request: HttpRequest, kind: Format) -> HttpResponseBase:
    """The register as shown (its filters), streamed as .xlsx or .csv."""
    if not user_can(request.user, Capability.EXPORT):
        raise PermissionDenied
    export = person_export(
        user=request.user, filters=_filters(request), full_ids=request.GET.get("full") == "1"
    )
    return export_response(_("People register"), kind, export.header, export.rows, export.csv_body)


@login_required
def import_template_view(request: HttpRequest) -> HttpResponse:
    return _xlsx(import_template_xlsx(), "register-template.xlsx")


@login_required
def import_upload_view(request: HttpRequest) -> HttpResponse:
    units = _editable_units(request, Capability.IMPORT_PEOPLE)
    if not units.exists():
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                user=request.user,
                unit=form.cleaned_data["unit"],
                file_name=upload.name,
                content=upload.read(),
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("import-preview", job_id=job.pk)
    jobs = import_jobs_of(request_user(request))[:10]
    return render(request, "people/import_upload.html", {"form": form, "jobs": jobs})


def _job(request: HttpRequest, job_id: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("unit"), pk=job_id)
    if job.created_by_id != request.user.pk and not user_can(
        request.user, Capability.VIEW_AUDIT, job.unit
    ):
        raise Http404
    return job


PREVIEW_ROWS = 1000


@login_required
def import_preview_view(request: HttpRequest, job_id: int) -> HttpResponse:
    """Step 2: the first rows as read and the problems in them, before anything is written."""
    job = _job(request, job_id)
    if job.status != ImportJob.Status.PENDING:
        return redirect("import-report", job_id=job.pk)
    validator = RowValidator(request.user, job.unit)
    sample: list[tuple[int, dict[str, object]]] = []
    problems = []
    try:
        for row_number, values in read_rows(Path(job.stored_file), REGISTER_COLUMNS):
            if len(sample) < PREVIEW_ROWS:
                sample.append((row_number, values))
                result = validator.prepare(row_number, values)
                if isinstance(result, list):
                    problems.extend(result)
            else:
                break
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("import-upload")
    rows = sample[:10]
    if user_can(request.user, Capability.REVEAL_ID, job.unit):
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW_FULL,
            object_type="import_job",
            object_id=job.pk,
            unit_id=job.unit_id,
            summary=_("full ID numbers viewed in the import preview"),
        )
    else:
        rows, problems = preview_masked(rows, problems)
    return render(
        request,
        "people/import_preview.html",
        {
            "job": job,
            "rows": rows,
            "problems": problems[:200],
            "problem_count": len(problems),
            "checked": len(sample),
            "columns": REGISTER_COLUMNS.columns,
        },
    )


@login_required
@require_POST
def import_start_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if job.status == ImportJob.Status.PENDING:
        enqueue(people_import_run, job.pk)
    return redirect("import-report", job_id=job.pk)


@login_required
@require_POST
def import_cancel_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if not import_job_cancel(job):
        return redirect("import-report", job_id=job.pk)
    messages.info(request, _("Import cancelled; the file is deleted."))
    return redirect("import-upload")


@login_required
def import_report_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    fragment = request.headers.get("HX-Request") == "true"  # the progress bar polling
    template = "people/_import_progress.html" if fragment else "people/import_report.html"
    return render(
        request,
        template,
        {
            "job": job,
            "errors": job.row_errors.all()[:500],
            "report_days": settings.IMPORT_REPORT_DAYS,
        },
    )


@login_required
def import_errors_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    return _xlsx(import_errors_xlsx(job), f"rejected-rows-{job.pk}.xlsx")

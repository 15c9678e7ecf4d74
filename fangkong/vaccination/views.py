"""Pages of vaccination (疫苗接种): a unit's coverage by child unit and age band with the doses
lately entered, the dose form and the import of the vaccination system's export; the outreach
list of a village (who still needs a dose or a booster)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fangkong.core.forms import errors_on_form
from fangkong.core.inputs import query_int
from fangkong.core.spreadsheets import ImportFileError, ImportReport, uploaded_table
from fangkong.org.access import request_user, units_in, units_visible_to, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.policy.describe import plan_name
from fangkong.vaccination.forms import DoseForm, DoseUploadForm
from fangkong.vaccination.selectors import coverage, doses_visible, outreach
from fangkong.vaccination.services import dose_record, doses_import

DOSES_SHOWN = 50
BAND_LABELS = {
    "under_12": gettext_lazy("Under 12"),
    "12_59": gettext_lazy("12 to 59"),
    "60_plus": gettext_lazy("60 and over"),
    "unknown": gettext_lazy("Birth date unknown"),
}


def _unit(request: HttpRequest) -> Unit:
    """The unit asked for (``?unit=``, one the user sees), else the user's outermost one."""
    if not user_can(request.user, Capability.VIEW_PEOPLE):
        raise PermissionDenied
    wanted = query_int(request.GET, "unit")
    units = (
        units_visible_to(request.user)
        if wanted is not None
        else units_in(request.user, Capability.VIEW_PEOPLE)
    )
    unit = units.filter(pk=wanted).first() if wanted is not None else units.order_by("path").first()
    if unit is None:
        raise Http404
    return unit


def _page(
    request: HttpRequest,
    *,
    form: DoseForm | None = None,
    upload: DoseUploadForm | None = None,
    report: ImportReport | None = None,
    status: int = 200,
) -> HttpResponse:
    unit = _unit(request)
    found = coverage(request.user, unit)
    return render(
        request,
        "vaccination/coverage.html",
        {
            "unit": unit,
            "coverage": found,
            "plan": plan_name(found.rule.pack_id) if found.rule.pack_id else "",
            "bands": [(BAND_LABELS[band], figures) for band, figures in found.bands.items()],
            "doses": list(
                doses_visible(request.user).filter(person__unit__path__startswith=unit.path)[
                    :DOSES_SHOWN
                ]
            ),
            "may_enter": user_can(request.user, Capability.EDIT_PEOPLE),
            "may_import": user_can(request.user, Capability.IMPORT_PEOPLE),
            "form": form or DoseForm(),
            "upload": upload or DoseUploadForm(),
            "report": report,
        },
        status=status,
    )


@login_required
def coverage_view(request: HttpRequest) -> HttpResponse:
    """Coverage of a unit (M-01, M-02); POST enters a dose."""
    if request.method != "POST":
        return _page(request)
    if not user_can(request.user, Capability.EDIT_PEOPLE):
        raise PermissionDenied
    form = DoseForm(request.POST)
    if form.is_valid():
        try:
            _dose, created = dose_record(actor=request_user(request), data=form.dose())
        except ValidationError as error:
            errors_on_form(form, error)
        else:
            messages.success(request, _("Dose recorded.") if created else _("Already on record."))
            return redirect(request.get_full_path())
    return _page(request, form=form, status=400)


@login_required
@require_POST
def dose_import_view(request: HttpRequest) -> HttpResponse:
    """Import the vaccination system's export; the rows refused are listed with their reasons."""
    if not user_can(request.user, Capability.IMPORT_PEOPLE):
        raise PermissionDenied
    upload = DoseUploadForm(request.POST, request.FILES)
    if not upload.is_valid():
        return _page(request, upload=upload, status=400)
    try:
        with uploaded_table(upload.cleaned_data["file"], "doses") as path:
            report = doses_import(actor=request_user(request), path=path)
    except ImportFileError as error:
        upload.add_error("file", str(error))
        return _page(request, upload=upload, status=400)
    return _page(request, upload=upload, report=report)


@login_required
def outreach_view(request: HttpRequest) -> HttpResponse:
    """The grid worker's list: who in the village still needs a dose or a booster."""
    unit = _unit(request)
    rule, people, total = outreach(request.user, unit)
    return render(
        request,
        "vaccination/outreach.html",
        {
            "unit": unit,
            "rule": rule.rule,
            "plan": plan_name(rule.pack_id) if rule.pack_id else "",
            "people": people,
            "total": total,
            "coverage_url": f"{reverse('vaccination')}?unit={unit.pk}",
        },
    )

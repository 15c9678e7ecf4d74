"""Pages of the pharmacy purchase register: the counter's quick form with the pharmacy's sales,
marking a sale reported, and importing the pharmacy system's export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.forms import errors_on_form
from fangkong.core.inputs import query_int
from fangkong.core.spreadsheets import ImportFileError, ImportReport, uploaded_table
from fangkong.core.views import refusal_messages
from fangkong.org.access import request_user, units_in, user_can
from fangkong.org.models import UnitKind
from fangkong.org.roles import Capability
from fangkong.pharmacy.forms import SaleForm, UploadForm
from fangkong.pharmacy.selectors import sale_obligations, sales_visible
from fangkong.pharmacy.services import (
    sale_mark_reported,
    sale_record,
    sales_import,
    villages_near,
)

PAGE_SIZE = 50


def _pharmacies(request: HttpRequest) -> list[Any]:
    if not user_can(request.user, Capability.RECORD_SALES):
        raise PermissionDenied
    return list(
        units_in(request.user, Capability.RECORD_SALES)
        .filter(kind=UnitKind.PHARMACY)
        .order_by("path")
    )


def _page(
    request: HttpRequest,
    pharmacies: list[Any],
    *,
    form: SaleForm | None = None,
    upload: UploadForm | None = None,
    report: ImportReport | None = None,
    status: int = 200,
) -> HttpResponse:
    page = Paginator(sales_visible(request.user), PAGE_SIZE).get_page(
        query_int(request.GET, "page", high=100_000)
    )
    owed = sale_obligations(list(page))
    return render(
        request,
        "pharmacy/sales.html",
        {
            "form": form or SaleForm(pharmacies=pharmacies, villages=villages_near(pharmacies)),
            "upload": upload or UploadForm(pharmacies=pharmacies),
            "report": report,
            "page": page,
            "rows": [(sale, owed.get(sale.pk, {})) for sale in page],
        },
        status=status,
    )


@login_required
def sale_list_view(request: HttpRequest) -> HttpResponse:
    """The pharmacy's sales, newest first, under the counter's form; POST records a sale (K-01)."""
    pharmacies = _pharmacies(request)
    if request.method != "POST":
        return _page(request, pharmacies)
    form = SaleForm(request.POST, pharmacies=pharmacies, villages=villages_near(pharmacies))
    if form.is_valid():
        try:
            sale_record(actor=request_user(request), data=form.sale())
        except ValidationError as error:
            errors_on_form(form, error)
        else:
            messages.success(request, _("Sale recorded; report it within the time the plan sets."))
            return redirect("sale-list")
    return _page(request, pharmacies, form=form, status=400)


@login_required
@require_POST
def sale_report_view(request: HttpRequest, sale_id: int) -> HttpResponse:
    """POST: the pharmacy told the health centre or the regulator of this sale (K-02, K-03)."""
    sale = get_object_or_404(sales_visible(request.user), pk=sale_id)
    try:
        sale_mark_reported(actor=request_user(request), sale=sale)
        messages.success(request, _("Marked reported."))
    except ValidationError as error:
        refusal_messages(request, error)
    return redirect("sale-list")


@login_required
@require_POST
def sale_import_view(request: HttpRequest) -> HttpResponse:
    """Import the sales the pharmacy's own system exported; the rows refused are listed."""
    pharmacies = _pharmacies(request)
    upload = UploadForm(request.POST, request.FILES, pharmacies=pharmacies)
    if not upload.is_valid():
        return _page(request, pharmacies, upload=upload, status=400)
    file = upload.cleaned_data["file"]
    try:
        with uploaded_table(file, "sales") as path:
            report = sales_import(
                actor=request_user(request), pharmacy=upload.cleaned_data["pharmacy"], path=path
            )
    except ImportFileError as error:
        upload.add_error("file", str(error))
        return _page(request, pharmacies, upload=upload, status=400)
    return _page(request, pharmacies, upload=upload, report=report)

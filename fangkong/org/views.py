from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fangkong.core.forms import errors_on_form
from fangkong.core.inputs import BadInput
from fangkong.core.pickers import PICKER_LIMIT, Choice, picker_answer, picker_query
from fangkong.org.access import (
    any_role_scope,
    request_user,
    units_in,
    units_visible_to,
    user_can,
)
from fangkong.org.forms import GrantForm, UnitForm
from fangkong.org.models import LeadingGroup, Membership, Unit
from fangkong.org.roles import Capability
from fangkong.org.selectors import region_search, unit_search
from fangkong.org.services import membership_grant, membership_revoke, unit_create


@login_required
def unit_tree_view(request: HttpRequest) -> HttpResponse:
    units = list(units_visible_to(request.user).select_related("region").order_by("path"))
    top = min((unit.depth for unit in units), default=0)
    return render(request, "org/tree.html", {"rows": [(unit, unit.depth - top) for unit in units]})


def _visible_unit(request: HttpRequest, unit_id: int) -> Unit:
    unit = (
        units_visible_to(request.user).select_related("region", "parent").filter(pk=unit_id).first()
    )
    if unit is None:
        raise Http404
    return unit


def _render_detail(
    request: HttpRequest,
    unit: Unit,
    unit_form: UnitForm | None = None,
    grant_form: GrantForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "org/detail.html",
        {
            "unit": unit,
            "children": unit.children.annotate(people_count=Count("people")).order_by("code"),
            "memberships": unit.memberships.select_related("user").order_by("role"),
            # A team's sub-groups shown within it (A-22: 隔离组, 消杀组 … of the response team).
            "groups": unit.groups.filter(parent__isnull=True)
            .prefetch_related(
                "members__person",
                Prefetch(
                    "sub_groups",
                    LeadingGroup.objects.order_by("pk").prefetch_related("members__person"),
                ),
            )
            .order_by("name"),
            "people_count": unit.people.count(),
            # A grid worker's village lies under a township they cannot open: name it, no link.
            "parent_visible": unit.parent is not None
            and any_role_scope(request.user).covers(unit.parent),
            "can_manage": user_can(request.user, Capability.MANAGE_UNITS, unit),
            "unit_form": unit_form or UnitForm(initial={"region": unit.region_id}),
            "grant_form": grant_form or GrantForm(),
        },
        status=400 if (unit_form or grant_form) else 200,
    )


@login_required
def unit_detail_view(request: HttpRequest, unit_id: int) -> HttpResponse:
    return _render_detail(request, _visible_unit(request, unit_id))


@login_required
@require_POST
def unit_child_create_view(request: HttpRequest, unit_id: int) -> HttpResponse:
    parent = _visible_unit(request, unit_id)
    form = UnitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            child = unit_create(
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                region=data["region"],
                parent=parent,
                actor=request_user(request),
            )
        except ValidationError as error:
            errors_on_form(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": child.name})
            return redirect("unit-detail", unit_id=child.pk)
    return _render_detail(request, parent, unit_form=form)


@login_required
@require_POST
def membership_grant_view(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = _visible_unit(request, unit_id)
    form = GrantForm(request.POST)
    if form.is_valid():
        try:
            membership_grant(
                user=form.cleaned_data["username"],
                unit=unit,
                role=form.cleaned_data["role"],
                actor=request_user(request),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, str(message))
        else:
            messages.success(request, _("Role granted."))
            return redirect("unit-detail", unit_id=unit.pk)
    return _render_detail(request, unit, grant_form=form)


@login_required
@require_POST
def membership_revoke_view(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("unit", "user"), pk=membership_id
    )
    unit = _visible_unit(request, membership.unit_id)
    membership_revoke(membership=membership, actor=request_user(request))
    messages.success(request, _("Role revoked."))
    return redirect("unit-detail", unit_id=unit.pk)


@login_required
def region_pick_view(request: HttpRequest) -> JsonResponse:
    """Regions by part of a name or a code prefix: the region pickers. Regions are public."""
    text = picker_query(request.GET)
    found = region_search(text, limit=PICKER_LIMIT + 1) if text else []
    return picker_answer(Choice(region.code, region.full_name, region.code) for region in found)


@login_required
def unit_pick_view(request: HttpRequest) -> JsonResponse:
    """Units by part of a name or a code prefix, only where the user holds the capability the
    form asks for (``?for=``; any role when absent): a neighbour's units never appear."""
    wanted = request.GET.get("for", "")
    if wanted and wanted not in {capability.value for capability in Capability}:
        raise BadInput("for", _("Not a capability."))
    units = units_in(request.user, Capability(wanted)) if wanted else units_visible_to(request.user)
    text = picker_query(request.GET)
    found = unit_search(units, text, limit=PICKER_LIMIT + 1) if text else []
    return picker_answer(
        Choice(str(unit.pk), unit.name, unit.parent.name if unit.parent else "") for unit in found
    )

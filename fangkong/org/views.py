from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from fangkong.org.selectors import units_visible_to


@login_required
def unit_tree_view(request: HttpRequest) -> HttpResponse:
    units = list(units_visible_to(request.user).select_related("region").order_by("path"))
    top = min((unit.depth for unit in units), default=0)
    return render(request, "org/tree.html", {"rows": [(unit, unit.depth - top) for unit in units]})


@login_required
def unit_detail_view(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = (
        units_visible_to(request.user).select_related("region", "parent").filter(pk=unit_id).first()
    )
    if unit is None:
        raise Http404
    return render(
        request,
        "org/detail.html",
        {
            "unit": unit,
            "children": unit.children.annotate(people_count=Count("people")).order_by("code"),
            "memberships": unit.memberships.select_related("user").order_by("role"),
            "groups": unit.groups.prefetch_related("members__person").order_by("name"),
            "people_count": unit.people.count(),
        },
    )

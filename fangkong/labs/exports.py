"""The downloads of the testing pages: screening rounds, a round's people not sampled yet, and
tubes with their results (``audit.exports.list_export``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from fangkong.audit.exports import list_export
from fangkong.core.exports import Format
from fangkong.core.inputs import query_int
from fangkong.labs.models import Outcome, RoundStatus, TubeKind
from fangkong.labs.selectors import (
    round_unsampled,
    rounds_visible,
    rounds_with_sampled,
    tubes_with_result,
)
from fangkong.org.access import any_role_scope, request_user, scope, user_can
from fangkong.org.models import Unit
from fangkong.org.roles import Capability


@login_required
def rounds_export_view(request: HttpRequest, kind: Format) -> HttpResponseBase:
    """The rounds the user sees, as on the rounds page."""
    statuses = dict(RoundStatus.choices)
    return list_export(
        actor=request_user(request),
        kind=kind,
        title=_("Screening rounds"),
        object_type="screening_round",
        unit_id=any_role_scope(request.user).covering_unit_id(),
        header=[
            _("Round name"),
            _("Area"),
            _("Pool"),
            _("Starts at"),
            _("Deadline"),
            _("Testing lab"),
            _("Sampled"),
            _("Status"),
        ],  # fmt: skip
        rows=rounds_with_sampled(request.user).order_by("-starts_at", "-id"),
        columns=(
            "name",
            "unit__name",
            "pool_size",
            "starts_at",
            "deadline",
            "lab__name",
            "sampled",
            "status",
        ),  # fmt: skip
        shape=lambda row: [*row[:7], str(statuses.get(row[7], row[7]))],
    )


@login_required
def round_unsampled_export_view(
    request: HttpRequest, round_id: int, kind: Format
) -> HttpResponseBase:
    """The people of the round's area (or of one of its units, ``?unit=``) not sampled yet, in
    the user's export scope: the list a grid worker chases."""
    if not user_can(request.user, Capability.EXPORT):
        raise PermissionDenied
    screening = get_object_or_404(rounds_visible(request.user), pk=round_id)
    area = screening.unit
    if chosen := query_int(request.GET, "unit"):
        area = get_object_or_404(Unit.objects.filter(path__startswith=area.path), pk=chosen)
    exporters = scope(request.user, Capability.EXPORT).within(area.path)
    return list_export(
        actor=request_user(request),
        kind=kind,
        title=_("Not sampled yet"),
        object_type="screening_round",
        unit_id=exporters.covering_unit_id(),
        header=[_("Name"), _("ID number"), _("Phone"), _("Home unit"), _("Address")],
        rows=round_unsampled(screening, request.user, Capability.EXPORT).filter(
            unit__path__startswith=area.path
        ),
        columns=("name", "id_masked", "phone", "unit__name", "address"),
        shape=list,
        filters=_("round: %(round)s; unit: %(unit)s")
        % {"round": screening.name, "unit": area.name},
    )


@login_required
def tubes_export_view(request: HttpRequest, kind: Format) -> HttpResponseBase:
    """The tubes the user sees (sampled in the user's units or sent to the user's lab), with
    their accepted results; ``?round=`` narrows to one round."""
    tubes = tubes_with_result(request.user)
    filters = ""
    if round_id := query_int(request.GET, "round"):
        screening = get_object_or_404(rounds_visible(request.user), pk=round_id)
        tubes = tubes.filter(round=screening)
        filters = _("round: %(round)s") % {"round": screening.name}
    kinds = dict(TubeKind.choices)
    outcomes = dict(Outcome.choices)
    return list_export(
        actor=request_user(request),
        kind=kind,
        title=_("Tubes and results"),
        object_type="tube",
        unit_id=any_role_scope(request.user).covering_unit_id(),
        header=[
            _("Barcode"),
            _("Kind"),
            _("Sampling unit"),
            _("Screening round"),
            _("Sampled at"),
            _("People"),
            _("Lab"),
            _("Result"),
            _("Ct value"),
            _("Tested at"),
        ],  # fmt: skip
        rows=tubes.order_by("-sampled_at", "-id"),
        columns=(
            "barcode",
            "kind",
            "unit__name",
            "round__name",
            "sampled_at",
            "people",
            "tested_by",
            "outcome",
            "ct",
            "tested_at",
        ),  # fmt: skip
        shape=lambda row: [
            row[0],
            str(kinds.get(row[1], row[1])),
            *row[2:7],
            str(outcomes[row[7]]) if row[7] else "",
            *row[8:],
        ],  # fmt: skip
        filters=filters,
    )

"""Pages of testing: screening rounds with live coverage and the pool-size planner, the sampling
screen (phone camera or keyboard-wedge scanner), boxes, lab result files, tubes."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fangkong.config.menu import tab_opens
from fangkong.core import clock
from fangkong.core.inputs import datetime_parse, query_int, whole_number
from fangkong.core.spreadsheets import ImportFileError, table_size_check, table_suffix
from fangkong.labs.models import (
    POOL_SIZES,
    Box,
    Outcome,
    Sample,
    SamplingPoint,
    TubeKind,
    TubeResult,
)
from fangkong.labs.planner import MAX_POOL, PoolPlanError, planner_input, pool_size
from fangkong.labs.results import results_import
from fangkong.labs.sampling import SampleInput, samples_record
from fangkong.labs.selectors import (
    person_results,
    round_coverage,
    round_missing,
    round_positives_uncased,
    rounds_visible,
    rounds_with_sampled,
    tubes_visible,
)
from fangkong.labs.services import (
    box_receive,
    box_send,
    environment_sample_record,
    point_create,
    round_create,
)
from fangkong.obligations.models import Obligation, ObligationKind
from fangkong.org.access import request_user, scope, units_in, user_can
from fangkong.org.models import Unit, UnitKind
from fangkong.org.roles import Capability
from fangkong.tracing.models import Case, CaseKind
from fangkong.tracing.services import CASES_BATCH_MAX, CaseInput, CasesRefused, cases_report


def _units(request: HttpRequest, capability: Capability) -> Any:
    return units_in(request.user, capability).order_by("path")


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        for problem in problems:
            messages.error(request, f"{field}: {problem}")


def _planner(request: HttpRequest, people: int, observed: float | None) -> dict[str, Any]:
    """The planner's numbers for the positivity typed (or observed in the round)."""
    typed = {key: request.GET.get(key, "").strip() for key in ("positivity", "max_size")}
    try:
        positivity, largest = planner_input(
            typed["positivity"] or str(observed if observed is not None else 0.01),
            typed["max_size"] or str(MAX_POOL),
        )
        plan = pool_size(positivity, largest)
    except PoolPlanError as error:
        return {"error": str(error), **typed}
    allowed = min(
        (k for k in POOL_SIZES if k <= max(largest, 1)),
        key=lambda k: (abs(k - plan.pool_size), k),
    )
    return {
        "positivity": round(positivity, 4),  # the observed share, as a person would type it
        "max_size": largest,
        "pool_size": plan.pool_size,
        "tests_per_person": plan.tests_per_person,
        "tests": plan.tests_for(people),
        "people": people,
        "tube_size": allowed,
    }


def _when(text: str) -> dt.datetime:
    """A time typed in a form (local time without a zone); now when left empty."""
    if not text.strip():
        return clock.now()
    when = datetime_parse(text)
    if when is None:
        raise ValidationError({"starts_at": _("Not a date and time (write 2022-02-01 08:00).")})
    return when if when.tzinfo else when.replace(tzinfo=clock.tz())


@login_required
def round_list_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        unit = get_object_or_404(
            _units(request, Capability.MANAGE_PLANS), pk=query_int(request.POST, "unit")
        )
        lab_id = query_int(request.POST, "lab")
        lab = Unit.objects.filter(kind=UnitKind.LAB, pk=lab_id).first() if lab_id else None
        try:
            starts = _when(request.POST.get("starts_at", ""))
            pool = whole_number(request.POST.get("pool_size") or "10")
            if pool is None:
                raise ValidationError({"pool_size": _("The pool size is 1, 5, 10 or 20.")})
            screening = round_create(
                actor=request_user(request), unit=unit, name=request.POST.get("name", ""),
                starts_at=starts, pool_size=pool, lab=lab,
            )  # fmt: skip
            return redirect("round-detail", round_id=screening.pk)
        except ValidationError as error:
            _errors(request, error)  # the form comes back with what was typed
    rounds = rounds_with_sampled(request.user)[:100]
    return render(
        request,
        "labs/rounds.html",
        {
            "rounds": rounds,
            "units": _units(request, Capability.MANAGE_PLANS)[:500],
            "labs": Unit.objects.filter(kind=UnitKind.LAB).order_by("code"),
            "pool_sizes": POOL_SIZES,
            "planner": _planner(request, 10_000, None),
            "now": clock.now().astimezone(clock.tz()),
            "form": request.POST,
        },
    )


def _positives_confirm(request: HttpRequest, uncased: list[Sample]) -> bool:
    """The positives ticked on the round page confirmed as cases at once (all or none); each
    refusal names the person and the reason. True when they were confirmed."""
    barcodes = {sample.person_id: sample.tube.barcode for sample in uncased}
    names = {sample.person_id: sample.person.name for sample in uncased}
    chosen = [whole_number(text) or 0 for text in request.POST.getlist("person")]
    if not chosen:
        messages.error(request, _("Choose the people to confirm."))
        return False
    rows = [
        CaseInput(
            pk, CaseKind.CONFIRMED, None, f"{_('Tube')} {barcodes.get(pk, '')} {_('positive')}"
        )
        for pk in chosen
    ]
    try:
        cases = cases_report(actor=request_user(request), rows=rows)
    except CasesRefused as refused:
        for problem in refused.problems:
            who = names.get(chosen[problem.row_number - 1], problem.value)
            messages.error(request, f"{who}: {problem.message}")
        return False
    messages.success(
        request, _("%(count)s cases confirmed: their deadlines are open.") % {"count": len(cases)}
    )
    return True


@login_required
def round_detail_view(request: HttpRequest, round_id: int) -> HttpResponse:
    screening = get_object_or_404(rounds_visible(request.user), pk=round_id)
    uncased = list(round_positives_uncased(screening, request.user)[:CASES_BATCH_MAX])
    status = 200
    if request.method == "POST":
        if _positives_confirm(request, uncased):
            return redirect("round-detail", round_id=screening.pk)
        status = 400
    parent = screening.unit
    if chosen := query_int(request.GET, "unit"):
        # Drill down to the viewer's own units, and to those above them in the round's area.
        reachable = Unit.objects.filter(
            scope(request.user, Capability.VIEW_PEOPLE).units_and_above("path"),
            path__startswith=screening.unit.path,
        )
        parent = get_object_or_404(reachable, pk=chosen)
    coverage = round_coverage(screening, request.user, parent)
    registered = sum(r.registered for r in coverage)
    sampled = sum(r.sampled for r in coverage)
    results = TubeResult.objects.filter(tube__round=screening, conflict=False).aggregate(
        done=Count("id"), positive=Count("id", filter=Q(outcome=Outcome.POSITIVE))
    )
    observed = results["positive"] / results["done"] if results["done"] else None
    return render(
        request,
        "labs/round.html",
        {
            "round": screening,
            "parent": parent,
            "coverage": coverage,
            "registered": registered,
            "sampled": sampled,
            "results": results,
            "positivity": observed,
            "missing": (
                round_missing(screening, parent, request.user)
                if not coverage[1:] and user_can(request.user, Capability.VIEW_PEOPLE)
                else None
            ),
            "positives": screening.tubes.filter(
                results__outcome=Outcome.POSITIVE, results__conflict=False
            ).select_related("unit"),
            "uncased": uncased,
            "planner": _planner(request, registered - sampled or registered, observed),
            "late": clock.now() > screening.deadline,
            "can_export": user_can(request.user, Capability.EXPORT),
        },
        status=status,
    )


@login_required
def sampling_view(request: HttpRequest) -> HttpResponse:
    """The sampler's screen: the tube's barcode, then the people's codes or ID cards, one per line
    (a keyboard-wedge scanner types them; the camera button reads them where the phone can)."""
    if not tab_opens("sampling", request.user):
        raise PermissionDenied
    user = request.user
    rounds = rounds_visible(user).filter(status="open")
    points = SamplingPoint.objects.filter(scope(user, Capability.SAMPLE).units("unit__path"))
    units = _units(request, Capability.SAMPLE)
    context: dict[str, Any] = {"tube": "", "refused": []}
    if request.method == "POST":
        action = request.POST.get("action", "sample")
        try:
            if action == "point":
                unit = get_object_or_404(units, pk=query_int(request.POST, "unit"))
                point_create(
                    actor=request_user(request), unit=unit, name=request.POST.get("name", ""),
                    address=request.POST.get("address", ""), slots=request.POST.get("slots", ""),
                )  # fmt: skip
                messages.success(request, _("Sampling point added."))
                return redirect("sampling")
            if action == "environment":
                unit = get_object_or_404(units, pk=query_int(request.POST, "unit"))
                environment_sample_record(
                    actor=request_user(request), unit=unit,
                    barcode=request.POST.get("tube", "").strip(),
                    place=request.POST.get("place", ""),
                )  # fmt: skip
                messages.success(request, _("Environment sample recorded."))
                return redirect("sampling")
            context |= _sample(request, rounds, points, units)
        except ValidationError as error:
            _errors(request, error)
        except PermissionDenied:
            messages.error(request, _("You may not record samples."))
    due = _tests_due(request)
    context |= {
        "rounds": rounds,
        "points": points.order_by("name")[:200],
        "units": units[:500],
        "kinds": [
            (k, TubeKind(k).label) for k in (TubeKind.POOL, TubeKind.SINGLE, TubeKind.HOUSEHOLD)
        ],
        "chosen": request.POST if request.method == "POST" else request.GET,
        "due": due[:30],
        "due_count": due.count(),
        "places_due": Obligation.objects.filter(scope(user, Capability.SAMPLE).units("unit__path"))
        .filter(kind=ObligationKind.ENVIRONMENT_SAMPLE)
        .open()
        .select_related("unit")[:50],
    }
    return render(request, "labs/sampling.html", context)


def _tests_due(request: HttpRequest) -> Any:
    """Test orders: the tests people of the sampler's units owe today (the plan's schedule, the
    re-tests of positive pools) or within this period (F-01's weekly test-all), to sample here."""
    end = clock.day_end(clock.localdate())
    return (
        Obligation.objects.filter(scope(request.user, Capability.SAMPLE).units("unit__path"))
        .tests()
        .pending()
        .due_or_running(end, clock.now())
        .select_related("person")
        .order_by("due_at", "id")
    )


def _sample(request: HttpRequest, rounds: Any, points: Any, units: Any) -> dict[str, Any]:
    tube = request.POST.get("tube", "").strip()
    lines = [line.strip() for line in request.POST.get("people", "").splitlines() if line.strip()]
    screening = rounds.filter(pk=query_int(request.POST, "round")).first()
    point = points.filter(pk=query_int(request.POST, "point")).first()
    unit = units.filter(pk=query_int(request.POST, "unit")).first()
    rows = [
        SampleInput(barcode=tube, person_id=person_id)
        if (person_id := whole_number(line, high=10**14 - 1))
        else SampleInput(barcode=tube, id_number=line)
        for line in lines
    ]
    if not rows:
        raise ValidationError({"people": _("Scan or type at least one person.")})
    result = samples_record(
        actor=request_user(request), rows=rows, kind=request.POST.get("kind", TubeKind.POOL),
        round=screening, point=point, unit=unit,
    )  # fmt: skip
    refused = [(lines[e["index"]], e["reason"]) for e in result.errors]
    messages.success(
        request,
        _("Tube %(tube)s: %(n)d people recorded, %(same)d already in it.")
        % {"tube": tube, "n": result.samples, "same": result.unchanged},
    )
    filled = tubes_visible(request.user).filter(barcode=tube).annotate(n=Count("samples")).first()
    # Keep the tube (more people to come) unless it is full; keep the refused lines to correct.
    keep = filled is not None and filled.n < filled.capacity
    return {
        "tube": tube if keep else "",
        "filled": filled,
        "refused": refused,
        "people_text": "\n".join(line for line, _reason in refused),
    }


@login_required
def box_view(request: HttpRequest) -> HttpResponse:
    if not tab_opens("boxes", request.user):
        raise PermissionDenied
    user = request.user
    labs = Unit.objects.filter(kind=UnitKind.LAB).order_by("code")
    if request.method == "POST":
        try:
            if request.POST.get("receive"):
                box = get_object_or_404(
                    Box.objects.filter(scope(user, Capability.RUN_LAB).units("lab__path")),
                    pk=query_int(request.POST, "receive"),
                )
                box_receive(actor=request_user(request), box=box)
                messages.success(request, _("Box %(code)s received.") % {"code": box.code})
            else:
                unit = get_object_or_404(
                    _units(request, Capability.SAMPLE), pk=query_int(request.POST, "unit")
                )
                lab = get_object_or_404(labs, pk=query_int(request.POST, "lab"))
                codes = [c.strip() for c in request.POST.get("tubes", "").split() if c.strip()]
                box = box_send(
                    actor=request_user(request), unit=unit, lab=lab,
                    code=request.POST.get("code", "").strip(), barcodes=codes,
                    fever=bool(request.POST.get("fever")),
                )  # fmt: skip
                messages.success(request, _("Box %(code)s sent.") % {"code": box.code})
            return redirect("boxes")
        except ValidationError as error:
            _errors(request, error)  # the form comes back with the scanned tubes
        except PermissionDenied as error:
            messages.error(request, str(error) or _("Not allowed."))
    boxes = (
        Box.objects.filter(
            scope(user, Capability.SAMPLE).units("unit__path")
            | scope(user, Capability.RUN_LAB).units("lab__path")
        )
        .select_related("unit", "lab")
        .annotate(tubes_n=Count("tubes", distinct=True))[:200]
    )
    return render(
        request,
        "labs/boxes.html",
        {
            "boxes": boxes,
            "labs": labs,
            "units": _units(request, Capability.SAMPLE)[:500],
            "can_receive": user_can(user, Capability.RUN_LAB),
            "form": request.POST,
        },
    )


@login_required
def results_view(request: HttpRequest) -> HttpResponse:
    """A lab's result file: every row accepted, unchanged, contradicting (kept, flagged) or
    refused with its row number and reason."""
    if not tab_opens("lab-results", request.user):
        raise PermissionDenied
    labs = _units(request, Capability.RUN_LAB).filter(kind=UnitKind.LAB)
    outcome = None
    if request.method == "POST":
        lab = get_object_or_404(labs, pk=query_int(request.POST, "lab"))
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose the lab's result file (.xlsx or .csv)."))
            return redirect("lab-results")
        name = upload.name or ""
        try:
            suffix = table_suffix(name)
            table_size_check(upload.size or 0)
            with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
                handle.flush()
                outcome = results_import(
                    actor=request_user(request), lab=lab, path=Path(handle.name), name=name
                )
        except ImportFileError as error:
            messages.error(request, str(error))
    return render(request, "labs/results.html", {"labs": labs, "outcome": outcome})


@login_required
def tube_view(request: HttpRequest, barcode: str) -> HttpResponse:
    tube = (
        tubes_visible(request.user).filter(barcode=barcode).select_related("unit", "round").first()
    )
    if tube is None:
        raise Http404
    # A lab sees its tubes, not the register: names only for those who may see the people.
    members = (
        [s.person for s in tube.samples.select_related("person").order_by("id")]
        if user_can(request.user, Capability.VIEW_PEOPLE, tube.unit)
        else []
    )
    later = person_results([p.pk for p in members])
    # A positive pool's members are under temporary control until their single re-test.
    retests = dict(Obligation.objects.retests_of(tube.barcode).values_list("person_id", "status"))
    results = list(tube.results.select_related("lab").order_by("recorded_at", "id"))
    # A single tube's accepted positive result names its person: one click raises the confirmed
    # case, or leads to the case already in course.
    positive = tube.kind == TubeKind.SINGLE and any(
        r.outcome == Outcome.POSITIVE and not r.conflict for r in results
    )
    may_raise = positive and user_can(request.user, Capability.EDIT_PEOPLE, tube.unit)
    cases = (
        dict(Case.objects.filter(person__in=members).in_course().values_list("person_id", "pk"))
        if may_raise
        else {}
    )
    return render(
        request,
        "labs/tube.html",
        {
            "tube": tube,
            "size": tube.samples.count(),
            "members": [
                (
                    p,
                    [(at, pos) for at, pos in later.get(p.pk, []) if at >= tube.sampled_at],
                    retests.get(p.pk),
                    cases.get(p.pk),
                )
                for p in members
            ],
            "results": results,
            "may_raise": may_raise,
        },
    )

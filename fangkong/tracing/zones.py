"""Zones (划定疫区, H-01): risk areas proposed around the confirmed cases and asymptomatic
infections of a period, for the headquarters to confirm or dismiss.

A case counts where it lives — the lowest region recorded for it: the person's address, else the
household's, else the region of the unit that reported it — and wherever its trajectory went in
the 14 days before the report: the regions of its stops and of the venues the evidence (scans,
samples, gate records) places it at. A region is proposed while it holds such cases, is
no current risk area, and was not dismissed after its latest case. Confirming goes through
``policy.services.risk_area_create``, which audits the area and recomputes everyone it touches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.audit.models import AuditAction
from fangkong.audit.services import audit_record
from fangkong.core import clock
from fangkong.org.access import AnyUser, acting_user, root_unit_id, scope, user_can_everywhere
from fangkong.org.models import Region
from fangkong.org.roles import Capability
from fangkong.policy.models import RiskArea
from fangkong.policy.services import RiskAreaInput, risk_area_create, risk_levels_known
from fangkong.tracing.models import Case, CaseKind, CaseStatus, ZoneDismissal
from fangkong.tracing.venues import cases_visited_regions

# The proposals one page lists, most cases first.
PROPOSALS_MAX = 200
# The cases of a period whose homes and trajectories are read, the newest first.
ZONE_CASES_MAX = 2_000


@dataclass
class _Counted:
    cases: int
    first: dt.datetime
    last: dt.datetime


@dataclass(frozen=True)
class ZoneProposal:
    region: Region
    cases: int
    first_reported_at: dt.datetime
    last_reported_at: dt.datetime


def zone_level_suggested() -> str:
    """The level a proposal starts with: high risk where the packs know it."""
    levels = risk_levels_known()
    return "high" if "high" in levels else levels[0]


def _moments(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(since, dt.time.min, zone),
        dt.datetime.combine(until, dt.time.max, zone),
    )


def zone_proposals(user: AnyUser, since: dt.date, until: dt.date) -> list[ZoneProposal]:
    """The regions to propose from the confirmed and asymptomatic cases the user may see,
    reported from ``since`` to ``until``: where each case lives and where its trajectory went
    (its stops, and the venues the evidence places it at). Seven queries."""
    cases = list(
        Case.objects.filter(scope(user, Capability.VIEW_PEOPLE).people("person__"))
        .filter(
            kind__in=[CaseKind.CONFIRMED, CaseKind.ASYMPTOMATIC],
            reported_at__range=_moments(since, until),
        )
        .exclude(status=CaseStatus.EXCLUDED)
        .annotate(
            home=Coalesce(
                "person__address_region", "person__household__address_region", "unit__region"
            )
        )
        .only("id", "person_id", "reported_at")
        .order_by("-reported_at", "-id")[:ZONE_CASES_MAX]
    )
    visited = cases_visited_regions(cases)
    counted: dict[str, _Counted] = {}
    for case in cases:
        for code in {case.home, *visited[case.pk]} - {None, ""}:  # type: ignore[attr-defined]
            found = counted.setdefault(code, _Counted(0, case.reported_at, case.reported_at))
            found.cases += 1
            found.first = min(found.first, case.reported_at)
            found.last = max(found.last, case.reported_at)
    rows = dict(sorted(counted.items(), key=lambda item: (-item[1].cases, item[0])))
    today = clock.localdate()
    areas = set(
        RiskArea.objects.filter(region_id__in=rows, is_current=True)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("region_id", flat=True)
    )
    dismissed = dict(
        ZoneDismissal.objects.filter(region_id__in=rows)
        .values("region_id")
        .annotate(last=Max("dismissed_at"))
        .values_list("region_id", "last")
    )
    regions = Region.objects.in_bulk(list(rows))
    proposals = [
        ZoneProposal(regions[code], row.cases, row.first, row.last)
        for code, row in rows.items()
        if code not in areas and not (code in dismissed and dismissed[code] >= row.last)
    ]
    return proposals[:PROPOSALS_MAX]


def _proposal(actor: AnyUser, region_code: str, since: dt.date, until: dt.date) -> ZoneProposal:
    if not user_can_everywhere(actor, Capability.MANAGE_PLANS):
        raise PermissionDenied(_("Only a plan manager of the top unit may decide on zones."))
    for proposal in zone_proposals(actor, since, until):
        if proposal.region.code == region_code:
            return proposal
    raise ValidationError({"region": _("This region is not proposed (any more).")})


def zone_confirm(
    *, actor: AnyUser, region_code: str, level: str, since: dt.date, until: dt.date
) -> RiskArea:
    """The proposal becomes a risk area from its first case on, until further notice: the
    risk-area service audits it and recomputes everyone it touches."""
    proposal = _proposal(actor, region_code, since, until)
    return risk_area_create(
        actor=actor,
        data=RiskAreaInput(
            proposal.region,
            level,
            timezone.localdate(proposal.first_reported_at),
            None,
            _("Drawn around %(count)d cases") % {"count": proposal.cases},
        ),
    )


@transaction.atomic
def zone_dismiss(
    *, actor: AnyUser, region_code: str, since: dt.date, until: dt.date, note: str = ""
) -> ZoneDismissal:
    """The proposal is set aside until a further case is reported in the region."""
    proposal = _proposal(actor, region_code, since, until)
    dismissal = ZoneDismissal.objects.create(
        region=proposal.region,
        dismissed_at=clock.now(),
        note=note,
        dismissed_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="zone_dismissal",
        object_id=dismissal.pk,
        unit_id=root_unit_id(),  # zones concern every unit, as risk areas do
        summary=_("%(region)s not drawn as a zone (%(count)d cases)")
        % {"region": proposal.region.full_name, "count": proposal.cases},
    )
    return dismissal

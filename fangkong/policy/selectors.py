"""Reads of the work-plans app, all scoped through ``org.access``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core import clock
from fangkong.obligations.models import Obligation
from fangkong.org.access import AnyUser, scope
from fangkong.org.models import Unit
from fangkong.org.roles import Capability
from fangkong.people.models import Person
from fangkong.people.timeline import Entry, before_filter, timeline_reader
from fangkong.policy import facts
from fangkong.policy.classify import population_decide
from fangkong.policy.models import (
    Classification,
    Measure,
    MeasureKind,
    MeasureStatus,
    ReleaseFact,
    ReleaseFactKind,
    RiskArea,
    Trigger,
)
from fangkong.policy.packs import ContactRule, Pack, Rule, packs_all
from fangkong.policy.release import Consent, ReleaseAnswer, ReleaseFacts, Sample, release_answer


def measures_active(
    user: AnyUser,
    *,
    unit: Unit | None = None,
    capability: Capability = Capability.VIEW_PEOPLE,
) -> QuerySet[Measure]:
    """Who in my units is under which measure, and why (the rule and its explanation)."""
    rows = Measure.objects.filter(
        scope(user, capability).units("unit__path"), status=MeasureStatus.ACTIVE
    )
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    return rows.select_related("person", "unit", "site").order_by(
        "unit__path", "person_id", "phase"
    )


def measures_summary(user: AnyUser, unit: Unit | None = None) -> dict[str, int]:
    rows = measures_active(user, unit=unit).order_by().values("kind").annotate(n=Count("id"))
    return {row["kind"]: row["n"] for row in rows}


def risk_areas_current() -> QuerySet[RiskArea]:
    return RiskArea.objects.filter(is_current=True).select_related("region", "created_by")


def risk_area_history(area: RiskArea) -> list[RiskArea]:
    """The versions of an area, oldest first: predecessors then successors through replaced_by."""
    chain = [area]
    previous = RiskArea.objects.filter(replaced_by=area).first()
    while previous is not None:
        chain.insert(0, previous)
        previous = RiskArea.objects.filter(replaced_by=previous).first()
    following = area.replaced_by
    while following is not None:
        chain.append(following)
        following = following.replaced_by
    return chain


@dataclass
class WhatIf:
    """Today's population under another pack, compared with what is in force."""

    days: list[dt.date]
    people: int = 0
    earlier: int = 0
    later: int = 0
    newly: int = 0
    no_longer: int = 0
    tests_now: list[int] = field(default_factory=list)
    tests_then: list[int] = field(default_factory=list)
    beds_now: list[int] = field(default_factory=list)
    beds_then: list[int] = field(default_factory=list)

    def rows(self) -> list[tuple[dt.date, int, int, int, int]]:
        return list(
            zip(
                self.days,
                self.tests_now,
                self.tests_then,
                self.beds_now,
                self.beds_then,
                strict=True,
            )
        )


def what_if(unit: Unit, pack: Pack, horizon: int = 14) -> WhatIf:
    """People released earlier or later, tests per day and central-quarantine beds per day for
    the next ``horizon`` days: in force now (the stored measures and open test obligations) and
    under ``pack`` (decided in memory, nothing saved)."""
    today = clock.localdate()
    days = [today + dt.timedelta(days=n) for n in range(horizon)]
    index = {day: n for n, day in enumerate(days)}
    result = WhatIf(days, tests_now=[0] * horizon, tests_then=[0] * horizon)
    result.beds_now, result.beds_then = [0] * horizon, [0] * horizon
    in_subtree = Q(unit__path__startswith=unit.path)
    release_now: dict[int, dt.date] = {}
    for person_id, kind, start, end in Measure.objects.filter(
        in_subtree, status=MeasureStatus.ACTIVE
    ).values_list("person_id", "kind", "start_date", "end_date"):
        last = end or dt.date.max
        release_now[person_id] = max(release_now.get(person_id, last), last)
        if kind == "central_quarantine":
            _count_days(result.beds_now, index, start, last)
    for due_at in (
        Obligation.objects.tests().open().filter(in_subtree).values_list("due_at", flat=True)
    ):
        day = clock.day_ended_by(due_at)
        if day in index:
            result.tests_now[index[day]] += 1
    for person_id, decision in population_decide(unit, pack):
        result.people += 1
        ends = [
            dt.date.fromisoformat(m["end"]) if m["end"] else dt.date.max for m in decision.measures
        ]
        for m in decision.measures:
            if m["kind"] == "central_quarantine":
                end = dt.date.fromisoformat(m["end"]) if m["end"] else dt.date.max
                _count_days(result.beds_then, index, dt.date.fromisoformat(m["start"]), end)
        for test in decision.tests:
            day = (
                dt.date.fromisoformat(test["date"])
                if "date" in test
                else dt.datetime.fromisoformat(test["due_by"]).astimezone(clock.tz()).date()
            )
            if day in index:
                result.tests_then[index[day]] += 1
        then = max(ends) if ends else None
        now = release_now.get(person_id)
        if then is None and now is not None:
            result.no_longer += 1
        elif then is not None and now is None:
            result.newly += 1
        elif then is not None and now is not None:
            result.earlier += then < now
            result.later += then > now
    return result


def _count_days(counts: list[int], index: dict[dt.date, int], start: dt.date, end: dt.date) -> None:
    """One bed for every night from ``start`` up to (not including) the release day ``end``."""
    for day, n in index.items():
        if start <= day < end:
            counts[n] += 1


@dataclass
class PersonPlan:
    """The measures block of a person page (the caller has scoped the person)."""

    classification: Classification | None
    measures: list[Measure]
    obligations: list[Obligation]


def person_plan(person_id: int) -> PersonPlan:
    return PersonPlan(
        Classification.objects.filter(person_id=person_id).first(),
        list(
            Measure.objects.filter(person_id=person_id)
            .select_related("site")
            .order_by("-created_at", "phase")[:20]
        ),
        list(Obligation.objects.filter(person_id=person_id).order_by("due_at")[:40]),
    )


@dataclass(frozen=True)
class FollowOnPhase:
    """A phase that starts with a release: a phase of the rule not yet begun (``measure``, moved
    to start from the release with its length) or a post-release phase of the rule (new)."""

    kind: str
    start: dt.date
    end: dt.date | None  # None: until released
    measure: Measure | None = None

    @property
    def label(self) -> str:
        return str(MeasureKind(self.kind).label)


@dataclass(frozen=True)
class ReleasePlan:
    """What releasing a person on a day does (解除隔离): the phases begun by then end on the day,
    the rest follow from it (shown on the confirmation page, then written by measures_release)."""

    classification: Classification
    on: dt.date
    ending: list[Measure]
    follow_on: list[FollowOnPhase]


def measures_release_plan(person_id: int, on: dt.date) -> ReleasePlan:
    """The release of a person the caller has scoped; refused when nothing would be released."""
    classification = Classification.objects.filter(person_id=person_id).first()
    active = list(
        Measure.objects.filter(person_id=person_id, status=MeasureStatus.ACTIVE).order_by("phase")
    )
    return _release_plan(classification, active, on)


def _release_plan(
    classification: Classification | None, active: list[Measure], on: dt.date
) -> ReleasePlan:
    if classification is None or not active:
        raise ValidationError(_("This person is under no active measure."))
    ending = [m for m in active if m.start_date <= on]
    if not ending:
        raise ValidationError(
            {
                "on": _("The release date is before the measure began (%(start)s).")
                % {"start": active[0].start_date.isoformat()}
            }
        )
    follow_on: list[FollowOnPhase] = []
    start = on
    for measure in (m for m in active if m.start_date > on):
        end = start + (measure.end_date - measure.start_date) if measure.end_date else None
        follow_on.append(FollowOnPhase(measure.kind, start, end, measure))
        if end is None:
            break  # an open phase is the rule's last; its own release starts what follows
        start = end
    else:
        pack = packs_all().get(classification.pack_id)
        rule = pack.rule(classification.rule_id) if pack else None
        # Releasing someone from a post-release phase starts no second round of them.
        if rule and not any(m.trigger == Trigger.RELEASE for m in active):
            for after in rule.after_release:
                length = dt.timedelta(days=after.days or after.until_day or 0)
                end = None if after.open else start + length
                follow_on.append(FollowOnPhase(after.kind, start, end))
                if end is None:
                    break
                start = end
    return ReleasePlan(classification, on, ending, follow_on)


@dataclass
class Standing:
    """What a release reads of one person: the classification and the active measures by phase,
    the rule they follow and its day 0, the samples (results and object or environment samples)
    and the consents."""

    classification: Classification | None = None
    active: list[Measure] = field(default_factory=list)
    rule: Rule | None = None  # the classification's rule, when the plans still hold it
    day0: dt.date | None = None
    samples: list[Sample] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)

    def plan(self, on: dt.date) -> ReleasePlan:
        """The release of the person on ``on`` (measures_release_plan)."""
        return _release_plan(self.classification, self.active, on)

    def last_sample_day(self) -> dt.date | None:
        """The day of the last sample: a release may not be dated before it."""
        return max((sample.date for sample in self.samples), default=None)


def people_standing(
    person_ids: Collection[int], *, samples_of_all: bool = False
) -> dict[int, Standing]:
    """What releasing these people reads, one query per kind of fact for the whole set. The
    samples are read for those under an active measure of a rule the plans still hold, or for
    everyone (``samples_of_all``: a release checks the last sample first)."""
    ids = sorted(set(person_ids))
    standing = {person_id: Standing() for person_id in ids}
    for classification in Classification.objects.filter(person_id__in=ids).order_by("-pk"):
        standing[classification.person_id].classification = classification
    for measure in Measure.objects.filter(person_id__in=ids, status=MeasureStatus.ACTIVE).order_by(
        "person_id", "phase"
    ):
        standing[measure.person_id].active.append(measure)
    packs = packs_all()
    decisions: dict[int, uuid.UUID] = {}
    for person_id, one in standing.items():
        pack = packs.get(one.classification.pack_id) if one.classification else None
        if one.classification is None or pack is None or not one.active:
            continue
        try:
            one.rule = pack.rule(one.classification.rule_id)
        except KeyError:
            continue
        decisions[person_id] = one.classification.decision
    if decisions:
        for person_id, decision, first in (
            Measure.objects.filter(person_id__in=decisions, decision__in=decisions.values())
            .values_list("person_id", "decision")
            .annotate(first=Min("start_date"))
            .order_by()
        ):
            if decisions[person_id] == decision:
                standing[person_id].day0 = first
    sampled = ids if samples_of_all else sorted(decisions)
    if sampled:
        tz = clock.tz()
        for person_id, results in facts.results_of(sampled).items():
            standing[person_id].samples += [
                Sample(at.astimezone(tz).date(), positive) for at, positive in results
            ]
        for person_id, kind, day, positive, given_by in ReleaseFact.objects.filter(
            person_id__in=sampled
        ).values_list("person_id", "kind", "on", "positive", "given_by"):
            if kind == ReleaseFactKind.CONSENT:
                standing[person_id].consents.append(Consent(given_by, day))
            else:
                standing[person_id].samples.append(Sample(day, bool(positive), kind))
    return standing


def person_release_check(person_id: int, on: dt.date) -> ReleaseAnswer | None:
    """Whether the person's measures may be released on ``on`` from the recorded facts: the
    person's results, the object and environment samples and the consent (release_answer); None
    when the person is under no active measure of a rule the plans still hold."""
    return release_check(people_standing([person_id])[person_id], on)


def release_check(standing: Standing, on: dt.date) -> ReleaseAnswer | None:
    """person_release_check from a person's standing."""
    rule, classification, active = standing.rule, standing.classification, standing.active
    if rule is None or classification is None:
        return None
    day0 = standing.day0 or active[0].start_date
    if any(m.trigger == Trigger.RELEASE for m in active):
        # A post-release phase: the conditions were met at the release that began it.
        rule = rule.model_copy(update={"release": []})
    released_on = None
    condition = rule.conditional_release if isinstance(rule, ContactRule) else None
    if condition is not None and "release" in classification.actions:
        released_on = day0 + dt.timedelta(days=condition.release_day)
    consent = min(standing.consents, key=lambda c: c.on) if standing.consents else None
    phases = [(m.start_date, m.end_date) for m in active]
    return release_answer(
        rule, day0, phases, on, ReleaseFacts(tuple(standing.samples), consent), released_on
    )


@timeline_reader
def _measures(
    person: Person, viewer: AnyUser, before: dt.datetime | None, limit: int
) -> list[Entry]:
    """Each phase decided for the person, at the time it was decided."""
    rows = (
        Measure.objects.filter(person=person)
        .filter(before_filter("created_at", before))
        .select_related("site")
        .order_by("-created_at", "-phase", "-id")[:limit]
    )
    return [
        Entry(
            measure.created_at,
            "measure",
            _("%(kind)s from %(start)s to %(end)s (%(status)s)")
            % {
                "kind": measure.get_kind_display(),
                "start": f"{measure.start_date:%Y-%m-%d}",
                "end": f"{measure.end_date:%Y-%m-%d}" if measure.end_date else _("until released"),
                "status": measure.get_status_display(),
            }
            + (f" · {measure.site.name}" if measure.site else ""),
            f"{reverse('measure-list')}?unit={measure.unit_id}",
        )
        for measure in rows
    ]

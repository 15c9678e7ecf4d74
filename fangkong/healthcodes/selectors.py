"""What a person's code is made of, read in one statement."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from fangkong.core import clock
from fangkong.healthcodes.rules import POSITIVE_DAYS, SYMPTOM_DAYS, StatusFacts
from fangkong.labs.models import LabResult, Outcome, TubeResult
from fangkong.monitoring.models import Checkin, CheckinStatus, FeverEvent
from fangkong.people.models import Person
from fangkong.policy.models import Measure, MeasureKind, MeasureStatus

QUARANTINES = [MeasureKind.CENTRAL_QUARANTINE, MeasureKind.HOME_QUARANTINE]
# A check-in the pack in force judged over its threshold (to re-measure, or a fever) or with a
# symptom of its list (E-20): the pack decides, the code follows.
UNWELL = [CheckinStatus.RECHECK, CheckinStatus.FEVER, CheckinStatus.SYMPTOMS]


def person_status_facts(person_id: int, at: dt.datetime | None = None) -> StatusFacts:
    """The facts of ``rules.status_colour`` for one person at a moment (now by default)."""
    at = at or clock.now()
    measures = Measure.objects.filter(person=OuterRef("pk"), status=MeasureStatus.ACTIVE)
    positive_since = at - dt.timedelta(days=POSITIVE_DAYS)
    row = (
        Person.objects.filter(pk=person_id)
        .annotate(
            quarantined=Exists(measures.filter(kind__in=QUARANTINES)),
            monitored=Exists(measures.filter(kind=MeasureKind.HOME_HEALTH_MONITORING)),
            reported_positive=Exists(
                LabResult.objects.filter(
                    person=OuterRef("pk"), positive=True, sampled_at__gte=positive_since
                )
            ),
            tube_positive=Exists(
                TubeResult.objects.filter(
                    tube__samples__person=OuterRef("pk"),
                    tube__samples__sampled_at__gte=positive_since,
                    outcome=Outcome.POSITIVE,
                    conflict=False,
                )
            ),
            fever_open=Exists(
                FeverEvent.objects.filter(person=OuterRef("pk"), closed_at__isnull=True)
            ),
            symptomatic=Exists(
                Checkin.objects.filter(
                    person=OuterRef("pk"),
                    at__gte=at - dt.timedelta(days=SYMPTOM_DAYS),
                    status__in=UNWELL,
                )
            ),
        )
        .values_list(
            "quarantined",
            "monitored",
            "reported_positive",
            "tube_positive",
            "fever_open",
            "symptomatic",
        )
        .get()
    )
    quarantined, monitored, reported, tube, fever_open, symptomatic = row
    return StatusFacts(
        quarantined=quarantined,
        monitored=monitored,
        positive=reported or tube,
        fever_open=fever_open,
        symptomatic=symptomatic,
    )

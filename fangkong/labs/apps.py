from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabsConfig(AppConfig):
    name = "fangkong.labs"
    label = "labs"
    verbose_name = _("Testing")

    def ready(self) -> None:
        from fangkong.labs import signals  # noqa: F401 - connects the tick receiver
        from fangkong.labs.models import Sample
        from fangkong.labs.selectors import person_results  # and the person's file readers
        from fangkong.policy import facts
        from fangkong.tracing.venues import VisitSource, visits_from

        facts.results_from(person_results)  # the plan's rules read results through policy
        # A person sampled at a sampling point was there: evidence for the contact search.
        visits_from(
            VisitSource(
                "sample",
                _("sampling"),
                lambda: Sample.objects.filter(tube__point__venue__isnull=False),
                "tube__point__venue_id",
                "person_id",
                "sampled_at",
            )
        )

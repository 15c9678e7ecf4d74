from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GatesConfig(AppConfig):
    name = "fangkong.gates"
    label = "gates"
    verbose_name = _("Gates and visitors")

    def ready(self) -> None:
        from fangkong.gates.models import GateEntry
        from fangkong.tracing.venues import VisitSource, visits_from

        # A registered person let through a gate with a venue code was at that venue (ADR 18).
        visits_from(
            VisitSource(
                "gate",
                _("gate entry"),
                lambda: GateEntry.objects.filter(person__isnull=False, gate__venue__isnull=False),
                "gate__venue_id",
                "person_id",
                "at",
            )
        )

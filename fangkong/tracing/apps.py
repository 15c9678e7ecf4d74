from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "fangkong.tracing"
    label = "tracing"
    verbose_name = _("Contact tracing")

    def ready(self) -> None:
        from fangkong.policy import facts
        from fangkong.tracing import signals  # noqa: F401 - connects the tick receiver
        from fangkong.tracing.selectors import exposures_latest  # and the person's file reader

        facts.exposures_from(exposures_latest)  # the contact rules read exposures through policy

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadinessConfig(AppConfig):
    name = "fangkong.readiness"
    label = "readiness"
    verbose_name = _("Readiness")

    def ready(self) -> None:
        from fangkong.readiness import signals  # noqa: F401 - connects the tick and case receivers

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "fangkong.monitoring"
    label = "monitoring"
    verbose_name = _("Daily monitoring")

    def ready(self) -> None:
        from fangkong.monitoring import (
            selectors,  # noqa: F401 - the person's file readers
            signals,  # noqa: F401 - connects the tick receiver
        )

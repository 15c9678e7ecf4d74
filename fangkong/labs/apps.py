from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabsConfig(AppConfig):
    name = "fangkong.labs"
    label = "labs"
    verbose_name = _("Testing")

    def ready(self) -> None:
        from fangkong.labs import signals  # noqa: F401 - connects the tick receiver

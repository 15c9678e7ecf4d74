from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObligationsConfig(AppConfig):
    name = "fangkong.obligations"
    label = "obligations"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        from fangkong.obligations import selectors  # noqa: F401 - the person's file reader

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuarantineConfig(AppConfig):
    name = "fangkong.quarantine"
    label = "quarantine"
    verbose_name = _("Quarantine sites")

    def ready(self) -> None:
        from fangkong.quarantine import signals  # noqa: F401  (a release frees the room)

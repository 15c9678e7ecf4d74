from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "fangkong.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from fangkong.org import signals  # noqa: F401 - connects the password-change receiver

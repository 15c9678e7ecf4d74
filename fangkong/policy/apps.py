from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "fangkong.policy"
    label = "policy"
    verbose_name = _("Work plans")

    def ready(self) -> None:
        from fangkong.policy import (
            selectors,  # noqa: F401 - the person's file reader
            signals,  # noqa: F401 - connects the register's receivers
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabsConfig(AppConfig):
    name = "fangkong.labs"
    label = "labs"
    verbose_name = _("Testing")

    def ready(self) -> None:
        from fangkong.labs import signals  # noqa: F401 - connects the tick receiver
        from fangkong.labs.selectors import person_results  # and the person's file readers
        from fangkong.policy import facts

        facts.results_from(person_results)  # the plan's rules read results through policy

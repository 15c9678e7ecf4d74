from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "fangkong.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from fangkong.people import timeline  # noqa: F401 - registers the file's own readers

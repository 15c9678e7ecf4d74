from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fangkong.core"
    label = "core"
    verbose_name = "Fangkong core"

    def ready(self) -> None:
        from fangkong.core import lookups  # noqa: F401 - registers field__any

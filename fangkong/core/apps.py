from typing import Any

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def _create_cache_tables(using: str, **kwargs: Any) -> None:
    # The "shared" cache is a table when there is no Redis (settings.CACHES); migrate makes it.
    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "fangkong.core"
    label = "core"
    verbose_name = "Fangkong core"

    def ready(self) -> None:
        from fangkong.core import lookups  # noqa: F401 - registers field__any

        post_migrate.connect(_create_cache_tables, sender=self)

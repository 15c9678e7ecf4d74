"""``fangkong tick``: mark missed obligations, open routine reports, notify, delete expired import
reports; once or every N s.

Production runs the same service from Celery beat (``policy.tick``); the embedded default runs
this command beside the web server (``fangkong serve`` starts it).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from fangkong.obligations.services import obligations_tick
from fangkong.people.importing import import_jobs_expire


class Command(BaseCommand):
    help = "Run the obligation tick once, or every --every seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            tick = obligations_tick()
            import_jobs_expire()  # Celery beat runs it as people.imports_expire
            if options["verbosity"] > 0:
                self.stdout.write(
                    f"missed {tick.missed}, notifications {tick.notifications}, "
                    f"reports opened {tick.reports}"
                )
            if not options["every"]:
                return
            connections.close_all()
            time.sleep(options["every"])

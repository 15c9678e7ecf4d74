"""``fangkong clock show|set TIME [--running]|reset``: the controlled clock every rule reads."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.core import clock


class Command(BaseCommand):
    help = "Show, set or reset the controlled clock."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["show", "set", "reset"])
        parser.add_argument("time", nargs="?", help="ISO time, e.g. 2022-02-01T10:00 (local zone)")
        parser.add_argument("--running", action="store_true", help="let time run from TIME")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "set":
            if not options["time"]:
                raise CommandError("clock set needs a time, e.g. 2022-02-01T10:00")
            try:
                at = clock.parse_instant(options["time"])
            except ValueError as error:
                raise CommandError(f"Not an ISO time: {options['time']!r}") from error
            clock.clock_set(at, running=options["running"])
        elif options["action"] == "reset":
            clock.clock_set(None)
        self.stdout.write(clock.now().isoformat())

"""``fangkong labs pool-size --positivity P [--max-size N]``: Dorfman's pool size, as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.labs.planner import MAX_POOL, pool_size


class Command(BaseCommand):
    help = "Testing tools: pool-size recommends a pool size for the current positivity."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        size = sub.add_parser("pool-size", help="the pool size with the fewest tests per person")
        size.add_argument("--positivity", type=float, required=True, help="e.g. 0.01 for 1 %%")
        size.add_argument("--max-size", type=int, default=MAX_POOL)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            plan = pool_size(options["positivity"], options["max_size"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            json.dumps({"pool_size": plan.pool_size, "tests_per_person": plan.tests_per_person})
        )

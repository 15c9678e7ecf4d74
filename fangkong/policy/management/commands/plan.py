"""``fangkong plan evaluate FILE``: what does the plan say for this scenario? (JSON in, JSON out.)

Touches no database. Bad input exits with status 2 and one line naming the field.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.policy.packs import PackError, packs_all
from fangkong.policy.scenario import ScenarioError, scenario_parse


class Command(BaseCommand):
    help = "Evaluate a JSON scenario against a policy pack and print the result as JSON."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["evaluate"])
        parser.add_argument("file", help="the scenario (JSON); - reads standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = (
                sys.stdin.read()
                if options["file"] == "-"
                else Path(options["file"]).read_text(encoding="utf-8")
            )
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {options['file']}: {error}", returncode=2) from None
        try:
            scenario = scenario_parse(text)
            packs = packs_all()
        except (ScenarioError, PackError) as error:
            raise CommandError(str(error), returncode=2) from None
        pack = packs.get(scenario.plan)
        if pack is None:
            raise CommandError(
                f"plan: unknown plan {scenario.plan}; known: {', '.join(packs)}", returncode=2
            )
        try:
            decision = scenario.evaluate(pack, ZoneInfo(settings.TIME_ZONE))
        except ScenarioError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(
            json.dumps({"plan": pack.id, **decision.as_json()}, ensure_ascii=False, indent=2)
        )

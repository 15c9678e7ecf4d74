"""``fangkong plan evaluate FILE``: what does the plan say for this scenario? (JSON in, JSON out.)

Touches no database. Bad input exits with status 2 and one line naming the field.

``fangkong plan classify [--unit CODE] [--workers N]`` recomputes the measures and obligations of
everyone (or of a unit's subtree) under the plans in force, e.g. after a large risk-area import.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.core import clock
from fangkong.policy.packs import PackError, packs_all
from fangkong.policy.scenario import ScenarioError, scenario_parse


class Command(BaseCommand):
    help = "Evaluate a JSON scenario against a policy pack and print the result as JSON."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["evaluate", "classify"])
        parser.add_argument("file", nargs="?", help="evaluate: the scenario (JSON); - is stdin")
        parser.add_argument("--unit", help="classify: only this unit's subtree (unit code)")
        parser.add_argument("--workers", type=int, default=1, help="classify: processes")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "classify":
            self.classify(options["unit"], options["workers"])
            return
        if not options["file"]:
            raise CommandError(
                "file: give the scenario file, or - for standard input", returncode=2
            )
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
            decision = scenario.evaluate(pack, clock.tz())
        except ScenarioError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(
            json.dumps({"plan": pack.id, **decision.as_json()}, ensure_ascii=False, indent=2)
        )

    def classify(self, unit_code: str | None, workers: int) -> None:
        from fangkong.org.models import Unit
        from fangkong.policy.classify import people_classify

        within = None
        if unit_code:
            within = Unit.objects.filter(code=unit_code).first()
            if within is None:
                raise CommandError(f"--unit: no unit has the code {unit_code}", returncode=2)
        outcome = people_classify(trigger="plan", within=within, workers=max(1, workers))
        self.stdout.write(
            f"{outcome.people} people, {outcome.changed} changed: "
            f"{outcome.measures} measures, {outcome.obligations} obligations written"
        )

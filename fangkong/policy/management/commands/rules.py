"""``fangkong rules table [--requirements PATH] [--check]``: write the coverage table, RULES.md.

``--requirements`` first refreshes the checked-in id list (docs/requirements.tsv) from
REQUIREMENTS.md; ``--check`` writes nothing and exits 1 when the table on disk is stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.policy import coverage
from fangkong.policy.packs import PackError


class Command(BaseCommand):
    help = "Write docs/RULES.md: every requirement id and what executes it, or why nothing does."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["table"])
        parser.add_argument(
            "--requirements", type=Path, help="REQUIREMENTS.md to refresh the id list from"
        )
        parser.add_argument("--check", action="store_true", help="only say whether it is stale")

    def handle(self, *args: Any, **options: Any) -> None:
        requirements: Path | None = options["requirements"]
        if requirements is not None:
            try:
                count = coverage.requirement_list_write(requirements)
            except OSError as error:
                raise CommandError(
                    f"--requirements: cannot read {requirements}: {error.strerror}", returncode=2
                ) from None
            self.stdout.write(f"{count} requirement ids listed")
        try:
            table = coverage.rules_table()
        except PackError as error:
            raise CommandError(str(error), returncode=2) from None
        target = coverage.RULES_TABLE
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if options["check"]:
            if table != current:
                raise CommandError(
                    f"{target.name} is stale: run fangkong rules table", returncode=1
                )
            self.stdout.write(f"{target.name} is up to date")
            return
        target.write_text(table, encoding="utf-8")
        self.stdout.write(f"{target.name} written")

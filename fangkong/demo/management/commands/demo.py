"""``fangkong demo [--people N]``: build the demo county (once) and print the demo accounts."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from fangkong.core import clock
from fangkong.demo.builder import DEMO_PASSWORD, DemoBuilder
from fangkong.org.models import Membership, Unit


class Command(BaseCommand):
    help = "Build the demo county with its accounts and register, and print the accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=2022)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if Unit.objects.filter(code="HQ").exists():
            self.stdout.write("The demo county is already loaded.")
            accounts = [
                (m.user.get_username(), m.get_role_display(), m.unit.name)
                for m in Membership.objects.select_related("user", "unit").order_by("pk")
            ]
        else:
            builder = DemoBuilder(people=options["people"], seed=options["seed"])
            accounts = [(a.username, a.role, a.unit) for a in builder.build(clock.localdate())]
            self.stdout.write(f"Built the demo county with {options['people']} people.")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, role, unit in accounts:
            self.stdout.write(f"  {username:<16} {role:<12} {unit}")

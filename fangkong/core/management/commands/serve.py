"""``fangkong serve``: migrate, collect static files and serve on 127.0.0.1:$PORT (default 8000).

Good for the demo and a small office. Production runs ``gunicorn fangkong.config.wsgi`` behind a
reverse proxy (README, "Production").
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Fangkong (migrates and collects static files first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Fangkong at http://{options['host']}:{options['port']}/")
        call_command(
            "runserver",
            f"{options['host']}:{options['port']}",
            use_reloader=False,
            use_static_handler=False,
        )

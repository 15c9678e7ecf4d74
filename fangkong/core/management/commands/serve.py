"""``fangkong serve``: migrate, collect static files and serve with gunicorn on $HOST:$PORT.

Good for the demo and a small office. A larger installation runs gunicorn itself behind a reverse
proxy, with Celery workers (README, "Production").
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Fangkong with gunicorn (migrates and collects static files first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("FANGKONG_WORKERS", "2"))

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # No broker, so no Celery beat: the obligation tick runs beside the web server, in
            # this process group (Ctrl-C stops both).
            every = str(settings.FANGKONG_TICK_SECONDS)
            subprocess.Popen(  # noqa: S603 - our own command line, no shell
                [sys.executable, "-m", "fangkong.cli", "tick", "--every", every, "-v", "0"]
            )
        self.stdout.write(f"Fangkong at http://{options['host']}:{options['port']}/")
        self.stdout.flush()
        # Sync workers: gunicorn's --timeout ends a request that runs away only in them (a threaded
        # worker keeps its heartbeat while one thread is stuck). An import's background thread
        # leaves the worker free to answer the progress bar.
        os.execv(sys.executable, [  # noqa: S606 - replaces this process with gunicorn, no shell
            sys.executable, "-m", "gunicorn", "fangkong.config.wsgi",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(options["workers"]), "--worker-class", "sync",
            "--access-logfile", "-", "--timeout", str(settings.REQUEST_TIMEOUT),
        ])  # fmt: skip

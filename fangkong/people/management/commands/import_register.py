"""``fangkong import people FILE --unit CODE --user NAME``: import a register from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fangkong.core.spreadsheets import ImportFileError
from fangkong.org.models import Unit
from fangkong.people.importing import import_job_create, import_job_execute


class Command(BaseCommand):
    help = "Import people from an .xlsx or .csv register; prints the counts and every rejected row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["people"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", required=True, help="code of the unit for rows without one")
        parser.add_argument("--user", required=True, help="the user the import is done as")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"No unit with code {options['unit']!r}.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            job = import_job_create(
                user=user, unit=unit, file_name=path.name, content=path.read_bytes()
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        job = import_job_execute(job.pk)
        if job.failure:
            raise CommandError(job.failure)
        for row_error in job.row_errors.all().iterator():
            self.stdout.write(
                f"row {row_error.row_number} [{row_error.column}] {row_error.value}: "
                f"{row_error.message}"
            )
        self.stdout.write(
            f"{job.total_rows} rows: {job.created_count} added, {job.existing_count} "
            f"already registered, {job.error_count} rejected"
        )

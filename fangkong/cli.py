"""The ``fangkong`` console script: manage.py under a friendlier name.

fangkong migrate | fangkong serve | fangkong demo
fangkong import people FILE --unit CODE --user NAME
fangkong token create|rotate|revoke --user NAME | fangkong clock set 2022-02-01T10:00
fangkong drill run --seed N [--people N] [--cases N] [--days N]
"""

from __future__ import annotations

import os
import sys

ALIASES = {"import": "import_register"}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    execute_from_command_line(["fangkong", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())

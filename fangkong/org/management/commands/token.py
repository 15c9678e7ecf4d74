"""``fangkong token create|rotate|revoke --user NAME``: a user's API token.

create prints the token (a new one when there is none or it has expired), rotate replaces it,
revoke deletes it; FANGKONG_TOKEN_TTL_DAYS limits a token's life.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fangkong.org.services import api_token_issue, api_token_rotate, api_tokens_revoke


class Command(BaseCommand):
    help = "Create (or show), rotate or revoke the API token of a user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "rotate", "revoke"])
        parser.add_argument("--user", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named {options['user']!r}.")
        if options["action"] == "revoke":
            revoked = api_tokens_revoke(user=user, reason=_("revoked on the command line"))
            self.stdout.write(f"Revoked {revoked} token(s).")
        elif options["action"] == "rotate":
            self.stdout.write(api_token_rotate(user=user))
        else:
            self.stdout.write(api_token_issue(user=user))

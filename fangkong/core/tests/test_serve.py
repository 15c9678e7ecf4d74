"""``fangkong serve``: the gunicorn it starts ends a request that runs away."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from fangkong.core.management.commands import serve


class Exec(Exception):
    """os.execv would replace the test process with gunicorn: stop there and keep its arguments."""


def test_serve_ends_a_runaway_request_after_the_request_timeout(settings, monkeypatch):
    # given a request timeout of 7 seconds; migrations, static files and the tick stay out of it
    settings.REQUEST_TIMEOUT = 7
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: None)
    monkeypatch.setattr(serve.subprocess, "Popen", lambda *args, **kwargs: None)

    def execv(path: str, argv: list[str]) -> Any:
        raise Exec(argv)

    monkeypatch.setattr(serve.os, "execv", execv)
    # when the server starts
    with pytest.raises(Exec) as started:
        call_command("serve")
    # then gunicorn runs sync workers (the timeout ends one stuck in a request) after 7 seconds
    argv = started.value.args[0]
    assert argv[argv.index("--timeout") + 1] == "7"
    assert argv[argv.index("--worker-class") + 1] == "sync"
    assert "--threads" not in argv

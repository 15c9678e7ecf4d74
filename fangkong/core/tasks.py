"""Queueing background work the same way in production and in the embedded default."""

from __future__ import annotations

import threading
from typing import Any

from celery import Task
from django.conf import settings
from django.db import connections, transaction


def enqueue(task: Task, *args: Any) -> None:
    """Send a task once the current transaction commits.

    With a broker (production) Celery workers take it. Without one, the embedded default runs the
    same task in a background thread of this process, so the page that queued it can show its
    progress (an import's progress bar) instead of waiting for it; tests run it inline.
    """

    def send() -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER and settings.FANGKONG_TASKS_IN_THREAD:
            threading.Thread(target=_run_in_thread, args=(task, args), daemon=True).start()
        else:
            task.delay(*args)

    transaction.on_commit(send)


def _run_in_thread(task: Task, args: tuple[Any, ...]) -> None:
    try:
        task.apply(args=args)
    finally:
        connections.close_all()

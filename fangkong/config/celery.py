"""Celery application.

Without CELERY_BROKER_URL tasks run in-process (eager): the same code, and no Redis for the demo.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.config.settings")

app = Celery("fangkong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""Fangkong (防控): epidemic prevention and control work plans, made executable."""

from fangkong.config.celery import app as celery_app

__all__ = ["celery_app"]

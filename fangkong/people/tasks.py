from __future__ import annotations

from celery import shared_task

from fangkong.people.importing import import_job_execute, import_jobs_expire


@shared_task(name="people.import_run", acks_late=True)
def people_import_run(job_id: int) -> int:
    """Import one uploaded register; idempotent: a job runs once, whatever the deliveries."""
    return import_job_execute(job_id).pk


@shared_task(name="people.imports_expire")
def people_imports_expire() -> None:
    """Hourly (Celery beat; ``fangkong tick`` in the embedded default): expired import reports."""
    import_jobs_expire()

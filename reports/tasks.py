"""Celery wrappers: ids in, the service does the work."""

from celery import shared_task

from reports.exporting import run_export_job


@shared_task(name="reports.run_export", acks_late=True)
def run_export(job_id: int) -> None:
    run_export_job(job_id=job_id)

"""Celery wrappers: ids in, the service does the work."""

from celery import shared_task

from reports.exporting import run_export_job


@shared_task(name="reports.run_export", acks_late=True)
def run_export(job_id: int) -> None:
    run_export_job(job_id=job_id)


@shared_task(name="reports.refresh_statistics", acks_late=True)
def refresh_statistics() -> int:
    """Nightly: rebuild every county's statistics summary (the seed 003 gaps depend on today's ages)."""
    from reports.refresh import counties_under, refresh_county

    counties = counties_under("")
    for code in counties:
        refresh_county(code)
    return len(counties)


@shared_task(name="reports.refresh_region_statistics", acks_late=True)
def refresh_region_statistics(region_code: str) -> None:
    """After a township's or county's confirmed import: rebuild the summary under that region."""
    from reports.refresh import refresh_region

    refresh_region(region_code)

"""Celery tasks: one per county, ids only, safe to run twice (findings are keyed)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core.choices import RegionLevel
from core.models import Region

TASK_OPTS = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(**TASK_OPTS)
def check_county(county_code: str, batch_id: int | None = None) -> int:
    """A list's matches in one county (batch_id), or the internal rules (None)."""
    from reports.crosscheck import services
    from reports.crosscheck.choices import RunTrigger
    from reports.crosscheck.models import OutsideList

    batch = OutsideList.objects.get(pk=batch_id) if batch_id else None
    run = services.run_checks(
        county=Region.objects.get(pk=county_code),
        as_of=timezone.localdate(),
        batch=batch,
        trigger=RunTrigger.UPLOAD if batch else RunTrigger.NIGHTLY,
    )
    return run.hits_found


@shared_task(**TASK_OPTS)
def nightly_internal_checks() -> int:
    """Beat: the internal rules of every county."""
    codes = list(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", flat=True))
    transaction.on_commit(lambda: [check_county.delay(code) for code in codes])
    return len(codes)


@shared_task(**TASK_OPTS)
def check_duplicates(region_code: str, run_id: int | None = None) -> int:
    """疑似同一人 over a county or a city's counties: the 比对中 run recorded when it was asked for
    (run_id), or (a message queued before runs were recorded first) a run of its own."""
    from reports.crosscheck import services
    from reports.crosscheck.choices import RunTrigger

    if run_id is not None:
        return services.execute_duplicate_check(run_id).hits_found
    run = services.run_duplicate_check(
        region=Region.objects.get(pk=region_code), as_of=timezone.localdate(), trigger=RunTrigger.NIGHTLY
    )
    return run.hits_found


@shared_task(**TASK_OPTS)
def nightly_city_duplicates() -> int:
    """Beat: each city's counties checked together for the same person in two counties (each county's
    own pairs are raised by its nightly internal checks). A city whose check still runs is skipped."""
    from reports.crosscheck import services
    from reports.crosscheck.choices import RunTrigger

    started = 0
    for city in Region.objects.filter(level=RegionLevel.CITY):
        try:
            services.start_duplicate_check(region=city, trigger=RunTrigger.NIGHTLY)
            started += 1
        except services.DuplicateCheckBusy:
            continue
    return started

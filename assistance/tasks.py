"""Celery tasks: thin wrappers taking ids, safe to run twice (acks_late + reject_on_worker_lost)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from assistance import recalc
from assistance.choices import Program
from assistance.models import RecalculationRun
from assistance.rules import first_of_month
from assistance.services import phase_out, rolls
from core.choices import RegionLevel
from core.models import Region

TASK_OPTS = {"acks_late": True, "reject_on_worker_lost": True}


def _today() -> dt.date:
    return timezone.localdate()


@shared_task(**TASK_OPTS)
def recalc_chunk(chunk_id: int) -> int:
    """One primary-key chunk; a no-op when the chunk is already done (redelivery)."""
    out = recalc.run_chunk(chunk_id=chunk_id)
    return -1 if out is None else out.households


def enqueue_run(run: RecalculationRun) -> None:
    """Queue every chunk that is not done yet (used to start and to resume a run after a crash)."""
    ids = recalc.pending_chunk_ids(run)
    transaction.on_commit(lambda: [recalc_chunk.delay(i) for i in ids])


def start_recalculation(
    *, region: Region, as_of: dt.date, user=None, chunk_size: int = recalc.CHUNK_SIZE, full: bool = False
) -> RecalculationRun:
    run = recalc.plan_run(region=region, as_of=as_of, user=user, chunk_size=chunk_size, full=full)
    enqueue_run(run)
    return run


@shared_task(**TASK_OPTS)
def nightly_recalculation() -> int:
    """Beat: every county, as of today."""
    today = _today()
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY))
    for county in counties:
        start_recalculation(region=county, as_of=today)
    return len(counties)


@shared_task(**TASK_OPTS)
def daily_phase_outs() -> dict:
    """Beat: alerts 30 days before the end, automatic stop at the end, this month's step."""
    return phase_out.process_phase_outs(today=_today())


@shared_task(**TASK_OPTS)
def draft_roll(county_code: str, month_iso: str, program: str) -> int:
    roll = rolls.generate_roll(
        county=Region.objects.get(pk=county_code), month=dt.date.fromisoformat(month_iso), program=program
    )
    return roll.line_count


@shared_task(**TASK_OPTS)
def monthly_rolls() -> int:
    """Beat, on the 1st: phase-out step first, then each county's draft rolls for this month."""
    today = _today()
    phase_out.process_phase_outs(today=today)
    month = first_of_month(today).isoformat()
    n = 0
    for code in Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", flat=True):
        for program in (Program.DIBAO, Program.TEKUN, Program.DISABILITY):
            draft_roll.delay(code, month, program)
            n += 1
    return n

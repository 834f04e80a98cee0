"""The recalculation through real Celery worker processes on Redis: 1 and then 2 processes.

    DATABASE_URL=… REDIS_URL=redis://127.0.0.1:6379/7 python bench/workers.py \
        --county 219901 --households 1000000 --chunk-size 20000 --modes nightly,full,cold [--as-of 2021-10-20]

Each run starts `celery worker --concurrency=N` (prefork), queues the chunks and waits for the run
row to say done; the time includes queueing, not worker start-up. Modes:
  nightly  the scheduled run: every household's fingerprint checked, rules run where inputs changed
  full     every rule run again for every household (RecalculationRun.full), unchanged rows not rewritten
  cold     stored results and fingerprints deleted first: every result row written (a first run)"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import time

from assistance_common import AS_OF, ROOT, county_region, ensure_county, reset_results
from figures import figure

from assistance import tasks
from assistance.choices import RunStatus
from assistance.models import RecalculationRun
from config.celery import app

parser = argparse.ArgumentParser()
parser.add_argument("--county", default="219902")
parser.add_argument("--households", type=int, default=10_000)
parser.add_argument("--chunk-size", type=int, default=1000)
parser.add_argument("--processes", default="1,2")
parser.add_argument("--modes", default="cold", help="comma list of nightly, full, cold")
parser.add_argument(
    "--as-of",
    type=dt.date.fromisoformat,
    default=AS_OF,
    help=f"day of the run (default {AS_OF}); the 防返贫监测 line starts 2021-01-01: before it, "
    "the monitoring decision is the missing-parameter one",
)
args = parser.parse_args()
redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"

ensure_county(args.county, args.households)
app.conf.update(broker_url=redis_url, task_always_eager=False)
county = county_region(args.county)
runs = [(m, int(n)) for m in args.modes.split(",") for n in args.processes.split(",")]
for mode, n in runs:
    if mode == "cold":
        reset_results(args.county)
    env = {**os.environ, "REDIS_URL": redis_url}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config.celery", "worker", f"--concurrency={n}",
         "--pool=prefork", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(8)  # worker start-up is not part of the figure
        started = time.perf_counter()
        run = tasks.start_recalculation(
            region=county, as_of=args.as_of, chunk_size=args.chunk_size, full=mode == "full"
        )
        while RecalculationRun.objects.get(pk=run.pk).status != RunStatus.DONE:
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        run.refresh_from_db()
        print(
            f"{mode}, {n} worker process(es): {run.households_done} households in {run.chunks_total} chunks, "
            f"{run.households_evaluated} evaluated, {run.results_changed} result rows written, "
            f"{run.cases_changed} cases changed: {seconds:.1f} s "
            f"({run.households_done / seconds:.0f} households/s, load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        target = "≤ 60 s at 1,000,000" if (mode, n) == ("full", 2) else ""
        label = f"{mode} run, {n} worker process(es), {run.households_done:,} households"
        figure(label, seconds, "s", target=target)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)

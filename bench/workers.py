"""The recalculation through real Celery worker processes on Redis: 1 and then 2 processes.

    DATABASE_URL=… REDIS_URL=redis://127.0.0.1:6379/1 python bench/workers.py \
        --county 219902 --households 10000 --chunk-size 1000

Each run starts `celery worker --concurrency=N` (prefork), queues the chunks and waits for the run
row to say done; the time includes queueing, not worker start-up."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from assistance_common import AS_OF, ROOT, county_region, ensure_county, reset_results

from assistance import tasks
from assistance.choices import RunStatus
from assistance.models import RecalculationRun
from config.celery import app

parser = argparse.ArgumentParser()
parser.add_argument("--county", default="219902")
parser.add_argument("--households", type=int, default=10_000)
parser.add_argument("--chunk-size", type=int, default=1000)
parser.add_argument("--processes", default="1,2")
args = parser.parse_args()
redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"

ensure_county(args.county, args.households)
app.conf.update(broker_url=redis_url, task_always_eager=False)
county = county_region(args.county)
for n in [int(x) for x in args.processes.split(",")]:
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
        run = tasks.start_recalculation(region=county, as_of=AS_OF, chunk_size=args.chunk_size)
        while RecalculationRun.objects.get(pk=run.pk).status != RunStatus.DONE:
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        run.refresh_from_db()
        print(
            f"{n} worker process(es): {run.households_done} households in {run.chunks_total} chunks: "
            f"{seconds:.1f} s ({run.households_done / seconds:.0f} households/s)",
            flush=True,
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)

"""The recalculation through a real Celery worker on Redis, killed midway and resumed, gives exactly
the stored results and roll of a clean in-process run (no lost and no duplicate rows)."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from assistance import recalc, tasks
from assistance.choices import Program, RunStatus
from assistance.models import ChangeLedgerEntry, DibaoCase, PaymentLine, PhaseOut, RecalculationRun
from assistance.services import rolls
from config.celery import app as celery_app
from households.models import Member
from programs.models import EligibilityResult
from programs.rules.engine import ALL_PROGRAMS
from tests.assistance.factories import active_case, dibao_household, set_income
from tests.factories import region_chain, user_for

# Its own Redis database: two people running this test at once on one Redis DB share a queue.
REDIS_URL = (
    os.environ.get("ASSISTANCE_TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1"
)
ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2020, 10, 20)
ROLL_MONTH = dt.date(2020, 11, 1)
N = 24


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not _redis_up(), reason="Redis 不可用：跳过真实 Celery worker 测试"),
    pytest.mark.django_db(transaction=True),
]


def _county_data(code: str, names):
    """N households with the same figures in every county: a twin for the clean run."""
    village = region_chain(code, names)
    county_user = user_for(village.parent.parent)
    for i in range(N):
        hh = dibao_household(
            village=village, income_per_person=1200 + 100 * i, disability_grades=[1] if i % 5 == 0 else [],
            household_no=f"T{i:04d}",
        )  # fmt: skip
        for n, member in enumerate(hh.members.order_by("id")):  # reasons name members: same in the twin
            Member.objects.filter(pk=member.pk).update(name=f"成员{i}-{n}")
        active_case(household=hh, county_user=county_user)
        set_income(hh, 900 + 230 * i)  # some go up, some down, the top ones above the standard
    return village.parent.parent


def _snapshot(county) -> dict:
    prefix = county.prefix
    hh = {"household__village__code__startswith": prefix}
    return {
        "results": sorted(  # reasons may quote the region code: the twin's differs only there
            (*row[:-1], [r.replace(prefix, "〈县〉") for r in row[-1]])
            for row in EligibilityResult.objects.filter(**hh).values_list(
                "household__household_no", "program_id", "eligible", "monthly_amount", "persons", "reasons"
            )
        ),
        "cases": sorted(
            DibaoCase.objects.filter(**hh).values_list(
                "household__household_no",
                "status",
                "monthly_amount",
                "topup_amount",
                "classified_amount",
                "subsidy_amount",
                "monthly_percap_income",
            )
        ),  # fmt: skip
        "phase_outs": sorted(
            PhaseOut.objects.filter(case__household__village__code__startswith=prefix).values_list(
                "case__household__household_no", "status", "proposed_income", "base_amount"
            )
        ),
        "ledger": sorted(
            ChangeLedgerEntry.objects.filter(**hh).values_list(
                "household__household_no", "kind", "month", "old_amount", "new_amount", "reason"
            )
        ),
        "roll": sorted(
            PaymentLine.objects.filter(roll__county=county).values_list(
                "household__household_no",
                "kind",
                "topup_amount",
                "classified_amount",
                "subsidy_amount",
                "total_amount",
                "covered_persons",
                "percap_income",
            )
        ),  # fmt: skip
    }


def _database_url(db: dict) -> str:
    """The test database as a URL for the worker process: TCP, or the embedded cluster's socket."""
    host = quote(db["HOST"] or "", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{db['USER']}@{host}{port}/{db['NAME']}"


def _start_worker(env_extra: dict) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(db),
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",  # a real worker: tasks it sends go to the broker
        **env_extra,
    }
    cmd = [
        sys.executable, "-m", "celery", "-A", "tests.assistance.worker_app", "worker", "--pool=prefork",
        "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning",
    ]  # fmt: skip
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)


def _stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _wait(predicate, timeout=240.0, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def broker():
    """Send tasks to Redis DB 1 from this process (settings run tasks in-process otherwise)."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    saved = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    _reset_pools()
    yield
    celery_app.conf.update(saved)
    _reset_pools()


def _reset_pools() -> None:
    """Connections are pooled per broker URL at first use, in kombu's global registries as well as
    on the app: close and forget them all, so the next send opens a fresh connection (a closed pool
    left in the registry would be handed back for the same URL)."""
    from kombu import pools

    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_recalculation_through_killed_worker_equals_clean_run(broker, tmp_path):
    crashed = _county_data("211223100001", ("辽宁省", "铁岭市", "西丰县", "西丰镇", "甲村"))
    clean = _county_data("211224100001", ("辽宁省", "铁岭市", "昌图县", "昌图镇", "丙村"))

    # Clean reference, in-process.
    recalc.recalculate_now(region=clean, as_of=AS_OF, chunk_size=4)
    rolls.generate_roll(county=clean, month=ROLL_MONTH, program=Program.DIBAO)

    marker = tmp_path / "crashed"
    worker = _start_worker({"ASSISTANCE_CRASH_ONCE_FILE": str(marker), "ASSISTANCE_CHUNK_DELAY": "1.0"})
    try:
        run = tasks.start_recalculation(region=crashed, as_of=AS_OF, chunk_size=4)
        assert run.chunks_total == 6
        # The first chunk kills its process mid-transaction; the task is redelivered to a new one.
        _wait(marker.exists, what="the injected crash")
        _wait(lambda: RecalculationRun.objects.get(pk=run.pk).chunks_done >= 2, what="two chunks")
        _stop(worker, signal.SIGKILL)  # then the whole worker dies midway through the run
    finally:
        _stop(worker, signal.SIGKILL)
    run.refresh_from_db()
    assert run.status != RunStatus.DONE
    assert 2 <= run.chunks_done < 6

    worker = _start_worker({})
    try:
        tasks.enqueue_run(run)  # re-run: queue the chunks not yet done (done ones would be no-ops)
        _wait(lambda: RecalculationRun.objects.get(pk=run.pk).status == RunStatus.DONE, what="the run")
        tasks.draft_roll.delay(crashed.code, ROLL_MONTH.isoformat(), Program.DIBAO)
        tasks.draft_roll.delay(crashed.code, ROLL_MONTH.isoformat(), Program.DIBAO)  # delivered twice
        _wait(
            lambda: PaymentLine.objects.filter(roll__county=crashed).count() == N and not _queue_length(),
            what="the roll",
        )
        time.sleep(1.0)
    finally:
        _stop(worker)

    run.refresh_from_db()
    assert run.chunks_done == run.chunks_total == 6
    assert run.households_done == N
    got, want = _snapshot(crashed), _snapshot(clean)
    for key in want:
        assert got[key] == want[key], key
    assert len(got["results"]) == N * len(ALL_PROGRAMS)  # every program's rule, once per household
    assert len(got["roll"]) == N
    assert any(po[1] == "proposed" for po in got["phase_outs"])
    assert sum(line[5] for line in got["roll"]) > Decimal("0")


def _queue_length() -> int:
    import redis

    return redis.Redis.from_url(REDIS_URL).llen("celery")

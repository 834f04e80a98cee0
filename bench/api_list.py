"""Benchmark of the household list API on generated data (`manage.py generate_households`).

Measures, for a county admin of the synthetic county (all of its households in scope):
1. queries per page for page sizes 10 / 50 / 200 (in-process, CaptureQueriesContext);
2. single-client latency over HTTP (gunicorn on 127.0.0.1, keep-alive): first pages, a walk of
   consecutive cursor pages, pages deep in the list, and filtered lists; p50 / p95 / max;
3. throughput with 20 concurrent clients for a bounded time.

Usage:  DATABASE_URL=... .venv/bin/python bench/api_list.py [--county 219901] [--seconds 20]
        [--workers 3] [--port 8765]
Gunicorn is bound to 127.0.0.1 only and stopped at the end. Prints figures for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "bench-only-not-secret",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_COOKIES": "false",
    "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback (production redirects to HTTPS)
    # The default throttle (6000/min per user) would cap the concurrent run; lift it for the bench.
    "API_THROTTLE_USER": "100000000/min",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(BENCH_ENV)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from figures import figure  # noqa: E402

from core.api.auth import issue_token  # noqa: E402
from core.choices import Role  # noqa: E402
from core.models import Region, User  # noqa: E402
from households.models import Household  # noqa: E402

URL = "/api/v1/households/"


def bench_user(county: str) -> tuple[User, str]:
    region = Region.objects.get(code=county.ljust(12, "0"))
    user, _ = User.objects.get_or_create(
        username=f"bench_county_{county}", defaults={"role": Role.COUNTY_ADMIN, "region": region}
    )
    return user, issue_token(user)


def cursor_at(position: int) -> str:
    """A DRF cursor that starts after `position` (ordering by id): jump deep without walking."""
    return base64.b64encode(f"p={position}".encode()).decode()


def queries_per_page(token: str, county: str) -> dict[int, int]:
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    counts = {}
    for size in (10, 50, 200):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"region": county, "page_size": size})
        assert response.status_code == 200, response.content[:200]
        assert len(response.json()["results"]) == size
        counts[size] = len(ctx.captured_queries)
    return counts


def sql_ms(token: str, params: dict) -> float:
    """EXPLAIN ANALYZE execution time of the page query itself (what the database spends)."""
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as ctx:
        client.get(URL, params)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + ctx.captured_queries[-1]["sql"])
        return cursor.fetchone()[0][0]["Execution Time"]


class Http:
    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Token {token}", "Connection": "keep-alive"}

    def get(self, path: str) -> tuple[float, dict]:
        started = time.perf_counter()
        self.conn.request("GET", path, headers=self.headers)
        response = self.conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"{response.status} {path}: {body[:200]!r}")
        return elapsed, json.loads(body)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(values: list[float]) -> str:
    return (
        f"n={len(values)} p50={statistics.median(values):.1f} ms p95={pct(values, 95):.1f} ms "
        f"max={max(values):.1f} ms"
    )


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, **BENCH_ENV}
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),  # the venv running this script
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/api/schema/")
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def single_client(port: int, token: str, county: str, max_id: int, min_id: int) -> dict[str, list[float]]:
    http_ = Http(port, token)
    http_.get(f"{URL}?region={county}")  # warm-up (connection, worker imports)
    out: dict[str, list[float]] = {}
    out["first page (50), county filter"] = [http_.get(f"{URL}?region={county}")[0] for _ in range(100)]
    first = f"{URL}?region={county}&page_size=50"
    walk, path = [], first
    for _ in range(200):
        elapsed, body = http_.get(path)
        walk.append(elapsed)
        if not body["next"]:  # a small county ends before 200 pages: walk it again
            path = first
            continue
        path = body["next"].split("127.0.0.1", 1)[-1].split("localhost", 1)[-1]
        path = path[path.index("/api/") :]
    out["walk 200 consecutive pages (50)"] = walk
    deep = []
    span = max_id - min_id
    for i in range(100):
        position = min_id + span * (i + 1) // 101
        deep.append(http_.get(f"{URL}?region={county}&cursor={cursor_at(position)}")[0])
    out["deep pages (cursor anywhere in 1..N)"] = deep
    out["page of 200, county filter"] = [
        http_.get(f"{URL}?region={county}&page_size=200")[0] for _ in range(50)
    ]
    township = county + "001"
    out["township filter + status + cause"] = [
        http_.get(f"{URL}?region={township}&status=not_exited&cause=illness")[0] for _ in range(100)
    ]
    return out


def concurrent(port: int, token: str, county: str, clients: int, seconds: float, max_id: int, min_id: int):
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def run(index: int):
        http_ = Http(port, token)
        mine = []
        n = 0
        while time.monotonic() < stop:
            position = min_id + ((index * 7919 + n * 104729) % max(1, max_id - min_id))
            try:
                mine.append(http_.get(f"{URL}?region={county}&cursor={cursor_at(position)}")[0])
            except Exception as exc:  # a bench reports failures instead of dying
                errors.append(str(exc)[:200])
                http_ = Http(port, token)
            n += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return len(latencies) / elapsed, latencies, errors, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--county", default="219901")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    county = args.county
    households = Household.objects.filter(village__code__startswith=county)
    total = Household.objects.count()
    in_county = households.count()
    ids = households.order_by("id").values_list("id", flat=True)
    min_id, max_id = ids.first(), ids.last()
    user, token = bench_user(county)
    print(
        f"# bench/api_list.py — {platform.node()} ({os.cpu_count()} CPUs), PostgreSQL {connection.pg_version}"
    )
    print(f"households in DB: {total:,}; in county {county}: {in_county:,}")

    counts = queries_per_page(token, county)
    print(
        "queries per page (token auth, county filter):",
        ", ".join(f"size {k}: {v}" for k, v in counts.items()),
    )

    middle = cursor_at(min_id + (max_id - min_id) // 2)
    for label, params in [
        ("first page", {"region": county}),
        ("deep page (middle)", {"region": county, "cursor": middle}),
        ("township + status + cause", {"region": county + "001", "status": "not_exited", "cause": "illness"}),
    ]:
        print(f"SQL of one page of 50, {label}: {sql_ms(token, params):.2f} ms (EXPLAIN ANALYZE)")
    print(f"load average before HTTP runs: {os.getloadavg()}")

    process = start_gunicorn(args.port, args.workers)
    try:
        print(f"gunicorn 127.0.0.1:{args.port}, {args.workers} sync workers")
        singles = single_client(args.port, token, county, max_id, min_id)
        for name, values in singles.items():
            print(f"single client, {name}: {summary(values)}")
        rate, latencies, errors, elapsed = concurrent(
            args.port, token, county, args.clients, args.seconds, max_id, min_id
        )
        print(
            f"{args.clients} concurrent clients, {elapsed:.0f} s, random deep pages of 50: "
            f"{rate:.0f} req/s; {summary(latencies)}; errors={len(errors)}"
        )
        for error in errors[:3]:
            print("  error:", error)
        figure("queries per page (50)", counts[50], target="fixed at any size or depth")
        for name in ("first page (50), county filter", "deep pages (cursor anywhere in 1..N)"):
            figure(f"p95, one client, {name}", pct(singles[name], 95), "ms", target="≤ 100 ms")
        figure(f"{args.clients} clients, random deep pages", rate, "req/s")
        figure(f"p95, {args.clients} clients", pct(latencies, 95), "ms")
        figure(f"errors, {args.clients} clients", len(errors), target="0")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


if __name__ == "__main__":
    main()

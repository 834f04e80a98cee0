"""Benchmark of the 工作台 of a county admin (to-do + every chart) on the synthetic county.

Usage:  DATABASE_URL=... .venv/bin/python bench/dashboard.py [--county 219901] [--requests 40] [--refresh]
Generate the county first: .venv/bin/python bench/generate.py --households 1000000
Prints: the full rebuild of the county's statistics summary (first read, nightly task; with --refresh
or when never built), then p50/p95 of GET /admin/reports/workbench/, of GET /admin/reports/statistics/
for one township, and of each statistic's API, all through Django's test client (view + template).
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from figures import figure  # noqa: E402

from core.models import Region, User  # noqa: E402
from households.models import Household  # noqa: E402
from reports import refresh  # noqa: E402
from reports.statistics import STATISTICS  # noqa: E402
from reports.summary_models import SummaryRefresh  # noqa: E402


def timed(client: Client, url: str, n: int) -> tuple[float, float]:
    client.get(url)  # warm: connection, templates, caches
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times) * 1000, times[max(0, int(len(times) * 0.95) - 1)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--county", default="219901")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--refresh", action="store_true", help="rebuild the county's summary first")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    county = Region.objects.get(code=args.county.ljust(12, "0"))
    households = Household.objects.filter(village__code__startswith=args.county).count()
    user, _ = User.objects.get_or_create(
        username=f"bench_dashboard_{args.county}",
        defaults={"role": "county_admin", "region": county, "is_staff": True},
    )
    if args.refresh or not SummaryRefresh.objects.filter(county=county).exists():
        started = time.monotonic()
        state = refresh.refresh_county(county.code)
        figure("statistics summary, full rebuild", time.monotonic() - started, "s")
        print(
            f"full rebuild of the statistics summary of {args.county}: {time.monotonic() - started:.1f} s "
            f"({state.households} households)"
        )
    client = Client()
    client.force_login(user)
    township = Region.objects.filter(parent=county).order_by("code").first()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(
        f"county {args.county}: {households:,} households; {args.requests} requests each "
        f"(PostgreSQL {version}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    urls = [
        ("工作台 (to-do + 7 charts)", "/admin/reports/workbench/"),
        ("统计图表, one township", f"/admin/reports/statistics/?region={township.code}"),
        *((f"API {name}", f"/api/v1/statistics/{name}/") for name in STATISTICS),
    ]
    slowest = ("", 0.0)
    for label, url in urls:
        p50, p95 = timed(client, url, args.requests)
        print(f"  {label:<28} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        if label.startswith("工作台"):
            figure("p95, 工作台 of the county", p95, "ms", target="≤ 1,000 ms at 1,000,000")
        elif label.startswith("API") and p95 > slowest[1]:
            slowest = (label, p95)
    figure(f"p95, slowest statistics API ({slowest[0][4:]})", slowest[1], "ms")


if __name__ == "__main__":
    main()

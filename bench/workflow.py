"""Benchmark of the review chain: per-record service calls and the 待我审核 queue page.

Usage:  .venv/bin/python bench/workflow.py [--households 300]
Creates a synthetic village (code 219902100001) with N households of 3 members each, walks them
through submit → township approve → county approve, then opens and approves a change request for a
quarter of them, and renders the township queue. Everything runs in one transaction that is rolled
back at the end (the transition log is append-only, so nothing could be removed afterwards).
Prints the figures for docs/benchmarks.md.
"""

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from figures import figure  # noqa: E402

from core.choices import RegionLevel, Role  # noqa: E402
from core.idcard import make_id  # noqa: E402
from core.models import Region, User  # noqa: E402
from core.workflow import services as chain  # noqa: E402
from households.choices import Relation  # noqa: E402
from households.models import Household, Member  # noqa: E402
from households.workflow import services  # noqa: E402

VILLAGE = "219902100001"


class Rollback(Exception):
    pass


def setup(n: int):
    parent = None
    for level, length, name in [
        (RegionLevel.PROVINCE, 2, "基准省"),
        (RegionLevel.CITY, 4, "基准市"),
        (RegionLevel.COUNTY, 6, "基准县"),
        (RegionLevel.TOWNSHIP, 9, "基准镇"),
        (RegionLevel.VILLAGE, 12, "基准村"),
    ]:
        code = VILLAGE[:length].ljust(12, "0")
        parent, _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent, "is_synthetic": True}
        )
    village = parent
    users = {}
    for role, region in [
        (Role.VILLAGE_CLERK, village),
        (Role.TOWNSHIP_REVIEWER, village.parent),
        (Role.COUNTY_ADMIN, village.parent.parent),
    ]:
        users[role] = User.objects.create(username=f"bench-{role}", role=role, region=region, is_staff=True)
    clerk = users[Role.VILLAGE_CLERK]
    households = Household.objects.bulk_create(
        [
            Household(household_no=f"B{i:07d}", village=village, main_cause="illness", created_by=clerk)
            for i in range(n)
        ]
    )
    members = []
    for i, household in enumerate(households):
        for j, relation in enumerate([Relation.HEAD, Relation.SPOUSE, Relation.SON]):
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=(i * 3 + j) % 20000)
            members.append(
                Member(
                    household=household,
                    name=f"成员{i}-{j}",
                    id_no=make_id("219902", birth, (i * 3 + j) % 1000, male=relation != Relation.SPOUSE),
                    sex="female" if relation == Relation.SPOUSE else "male",
                    birth_date=birth,
                    relation=relation,
                )
            )
    Member.objects.bulk_create(members)
    return households, users


def timed(label: str, items, step) -> None:
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started = time.monotonic()
    with connection.execute_wrapper(count):
        for item in items:
            step(item)
    seconds = time.monotonic() - started
    n = len(items)
    print(
        f"{label:<34} {n:>6} records  {seconds:7.2f} s  {n / seconds:7.1f} /s  "
        f"{seconds / n * 1000:6.1f} ms/record  {queries / n:5.1f} queries/record"
    )
    figure(f"{label}, {queries / n:.0f} queries a record", seconds / n * 1000, "ms/record")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=300)
    args = parser.parse_args()
    n = args.households
    print(f"# bench/workflow.py --households {n}  ({platform.python_version()}, {os.cpu_count()} CPUs)")
    try:
        with transaction.atomic():
            households, users = setup(n)
            clerk = users[Role.VILLAGE_CLERK]
            township = users[Role.TOWNSHIP_REVIEWER]
            county = users[Role.COUNTY_ADMIN]
            timed("submit (村提交)", households, lambda h: chain.submit(record=h, user=clerk))

            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
            client = Client()
            client.force_login(township)
            started = time.monotonic()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get("/admin/households/householdreview/")
            assert response.status_code == 200
            figure(
                f"待我审核 queue page, {n} pending, {len(ctx.captured_queries)} queries",
                (time.monotonic() - started) * 1000,
                "ms",
            )
            print(
                f"{'queue page (township, ' + str(n) + ' pending)':<34} {time.monotonic() - started:7.2f} s  "
                f"{len(ctx.captured_queries)} queries (50 rows per page)"
            )

            timed("approve (镇审核通过)", households, lambda h: chain.approve(record=h, user=township))
            timed("approve (县核查通过 → 已入库)", households, lambda h: chain.approve(record=h, user=county))
            quarter = households[: max(1, n // 4)]
            changes = []

            def open_change(h):
                member = h.members.order_by("id").first()
                changes.append(
                    services.open_change_request(
                        household=h,
                        user=clerk,
                        changes={
                            "household": {"phone": "13900000000"},
                            "members": [{"id": member.pk, "health": "chronic"}],
                        },
                    )
                )

            timed("open change request (2 rows)", quarter, open_change)
            timed("approve change (镇)", changes, lambda c: chain.approve(record=c, user=township))
            timed("approve change (县, applies it)", changes, lambda c: chain.approve(record=c, user=county))
            raise Rollback
    except Rollback:
        print("(rolled back: no rows left behind)")


if __name__ == "__main__":
    main()

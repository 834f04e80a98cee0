"""Every page a person opens, per role (issue 28 item 4: ≤ 200 ms p95 at 1,000,000 households): server
time through Django's test client (middleware, scoped() queries, template) of the 工作台, the lists,
a household's record page, the search and the key API lists, for a village clerk, a township
reviewer, a county admin, a city supervisor and a 帮扶责任人 (the phone pages).

    DATABASE_URL=… python bench/pages.py [--households 1000000] [--county 219901] [--requests 20]

The roles sit in the county's last township and last village (the worst place for a plan that walks
the county in id order). Seeds once, and keeps (a bench database): 低保 cases for about a fifth of the
households (bench/assistance_common.seed_cases), 特困 and 两项补贴 for about 1 % and 2 % of the members
(bench/assistance_common.seed_tekun_and_subsidies), the 疑似同一人 疑点 of the county (the duplicate
check), a helper with 8 households of the village, and 20 走访记录 of the household whose record page
is measured (by the helper, entered by the village clerk and the township reviewer). Prints p50 /
p95 a page and role, the queries a page issued, and FIGURE lines: the slowest page's p95 for each
role."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import statistics
import time

from assistance_common import ensure_county, seed_cases, seed_tekun_and_subsidies
from django.db import connection
from django.test import Client
from figures import figure

from assistance.models import DibaoCase, DisabilitySubsidy, TekunCase
from config.web_db import apply_web_session
from core.choices import RegionLevel, Role
from core.models import Region, User
from households.models import HelperAssignment, HelperPerson, Household, Member, Visit
from reports.crosscheck import services as crosscheck
from reports.crosscheck.models import Hit

ROLES = [
    ("village", Role.VILLAGE_CLERK),
    ("township", Role.TOWNSHIP_REVIEWER),
    ("county", Role.COUNTY_ADMIN),
    ("city", Role.CITY_SUPERVISOR),
]
TARGET_MS = 200
NAMES = {"village": "测速录入员", "township": "测速审核员", "county": "测速管理员", "city": "测速监督员"}
VISITS = 20  # 走访记录 of the measured household: one a month


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def load() -> str:
    return open("/proc/loadavg").read().split()[0]  # noqa: SIM115, PTH123


def seed(county: str, village: Region) -> User:
    """Cases, 疑点 and a helper, once (kept: the next run finds them)."""
    county_region = Region.objects.get(code=county.ljust(12, "0"))
    if not DibaoCase.objects.filter(household__village__code__startswith=county).exists():
        started = time.perf_counter()
        cases = seed_cases(county)
        print(f"seeded {cases:,} 低保 cases in {time.perf_counter() - started:.1f} s", flush=True)
    if not TekunCase.objects.filter(household__village__code__startswith=county).exists():
        started = time.perf_counter()
        tekun, subsidies = seed_tekun_and_subsidies(county)
        print(
            f"seeded {tekun:,} 特困 and {subsidies:,} 两项补贴 in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    if not Hit.objects.exists():
        started = time.perf_counter()
        run = crosscheck.run_duplicate_check(region=county_region, as_of=dt.date.today())
        print(f"疑似同一人: {run.hits_found:,} 疑点 in {time.perf_counter() - started:.1f} s", flush=True)
    person, _ = HelperPerson.objects.get_or_create(
        name="页面测速帮扶人",
        county=county_region,
        defaults={"unit": "县直单位", "unit_level": "county", "post": "科员"},
    )
    if not HelperAssignment.objects.filter(helper=person).exists():
        for household in Household.objects.filter(village=village).order_by("id")[:8]:
            HelperAssignment.objects.create(household=household, helper=person, start=dt.date(2024, 1, 1))
    helper, _ = User.objects.update_or_create(
        username="bench_pages_helper",
        defaults={"role": Role.HELPER, "region": county_region, "helper_person": person, "is_active": True},
    )
    measured = Household.objects.filter(village=village).order_by("id").first()  # the record page's
    if not Visit.objects.filter(household=measured).exists():
        entered_by = list(User.objects.filter(username__in=["bench_pages_village", "bench_pages_township"]))
        Visit.objects.bulk_create(
            Visit(
                household=measured,
                visit_date=dt.date(2024, 1, 5) + dt.timedelta(days=30 * i),
                visitor=person.name,
                helper=person,
                content=f"第{i + 1}次走访：了解收入和帮扶措施落实情况",
                recorded_by=entered_by[i % len(entered_by)],
            )
            for i in range(VISITS)
        )
    with connection.cursor() as cur:
        for table in (
            "assistance_dibaocase",
            "assistance_tekuncase",
            "assistance_disabilitysubsidy",
            "reports_hit",
            "households_helperassignment",
            "households_visit",
        ):
            cur.execute(f"ANALYZE {table}")
    return helper


def users(county: str) -> tuple[dict[str, User], Region]:
    village = (
        Region.objects.filter(code__startswith=county, level=RegionLevel.VILLAGE).order_by("-code").first()
    )
    places = {"village": village, "township": village.parent, "county": village.parent.parent}
    places["city"] = places["county"].parent
    out = {}
    for key, role in ROLES:
        out[key], _ = User.objects.update_or_create(
            username=f"bench_pages_{key}",
            defaults={
                "role": role,
                "region": places[key],
                "is_staff": True,
                "is_active": True,
                "first_name": NAMES[key],
            },
        )
    return out, village


def pages(village: Region) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    household = Household.objects.filter(village=village).order_by("id").first()
    name = Member.objects.filter(household=household, relation="head").values_list("name", flat=True).first()
    case = DibaoCase.objects.filter(household__village=village).order_by("id").first()
    tekun = TekunCase.objects.filter(household__village=village).order_by("id").first()
    subsidy = DisabilitySubsidy.objects.filter(household__village=village).order_by("id").first()
    admin = [
        ("工作台 /admin/", "/admin/"),
        ("统计工作台", "/admin/reports/workbench/"),
        ("农户列表", "/admin/households/household/"),
        ("农户列表 按村筛选", f"/admin/households/household/?village={village.code}"),
        ("农户列表 搜姓名", f"/admin/households/household/?q={name}"),
        ("农户记录页", f"/admin/households/household/{household.pk}/change/"),
        ("家庭成员列表", "/admin/households/member/"),
        ("低保案件列表", "/admin/assistance/dibaocase/"),
        ("疑点列表", "/admin/reports/hit/"),
        ("查找 姓名", f"/households/search/?q={name}"),
        ("API 农户", "/api/v1/households/"),
        ("API 成员", "/api/v1/members/"),
        ("API 低保案件", "/api/v1/dibao-cases/"),
        ("特困供养列表", "/admin/assistance/tekuncase/"),
        ("两项补贴列表", "/admin/assistance/disabilitysubsidy/"),
        ("API 特困供养", "/api/v1/tekun-cases/"),
        ("API 两项补贴", "/api/v1/disability-subsidies/"),
    ]
    if tekun is not None:
        admin.append(("特困供养记录页", f"/admin/assistance/tekuncase/{tekun.pk}/change/"))
    if subsidy is not None:
        admin.append(("两项补贴记录页", f"/admin/assistance/disabilitysubsidy/{subsidy.pk}/change/"))
    if case is not None:
        admin.insert(8, ("低保案件记录页", f"/admin/assistance/dibaocase/{case.pk}/change/"))
    phone = [
        ("我的帮扶户 /m/", "/m/"),
        ("农户卡片", f"/m/h/{household.pk}/"),
        ("我的待办", "/m/todo/"),
        ("查找 /m/?q=", f"/m/?q={name}"),
    ]
    return admin, phone


def measure(client: Client, url: str, n: int) -> tuple[list[float], int] | None:
    """Server times of n requests and the queries of one; None when the role may not open the page."""
    first = client.get(url)  # warm: connection, templates, caches
    if first.status_code in (302, 403):
        return None
    assert first.status_code == 200, (url, first.status_code)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=0, help="generate the county at this size first")
    parser.add_argument("--county", default="219901")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--only", default="", help="pages whose label contains this")
    parser.add_argument(
        "--server-jit",
        action="store_true",
        help="keep the database's JIT setting (tables before 2026-12-08) instead of the web server's",
    )
    args = parser.parse_args()
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line a login otherwise
    if args.households:
        ensure_county(args.county, args.households)
    people, village = users(args.county)
    helper = seed(args.county, village)
    households = Household.objects.filter(village__code__startswith=args.county).count()
    print(f"county {args.county}: {households:,} households; {args.requests} requests a page; load {load()}")
    admin, phone = pages(village)
    if not args.server_jit:  # measure what the web server runs (config.web_db: JIT off)
        apply_web_session(connection)
    print(
        "PostgreSQL JIT: "
        + ("the server's setting" if args.server_jit else "off, as the web server (config/web_db.py)")
    )
    worst: dict[str, tuple[float, str]] = {}
    print(f"\nserver time in ms, p50 / p95 (queries){'':8}" + "".join(f"{key:>20}" for key, _ in ROLES))
    for label, url in admin:
        if args.only and args.only not in label:
            continue
        row = f"{label:<22}"
        for key, _ in ROLES:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(people[key])
            measured = measure(client, url, args.requests)
            if measured is None:
                row += f"{'—':>20}"
                continue
            times, queries = measured
            row += f"{statistics.median(times):>8.0f} /{p95(times):>5.0f} ({queries:>3})"
            if p95(times) > worst.get(key, (0.0, ""))[0]:
                worst[key] = (p95(times), label)
        print(row, flush=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(helper)
    print("\n帮扶责任人 (phone pages), ms: p50 / p95 (queries)")
    for label, url in phone:
        if args.only and args.only not in label:
            continue
        measured = measure(client, url, args.requests)
        if measured is None:
            continue
        times, queries = measured
        print(f"{label:<22}{statistics.median(times):>8.0f} /{p95(times):>5.0f} ({queries:>3})", flush=True)
        if p95(times) > worst.get("helper", (0.0, ""))[0]:
            worst["helper"] = (p95(times), label)
    print(f"\nload after: {load()}")
    for key, (value, label) in worst.items():
        figure(
            f"pages p95, slowest page of the {key} ({label})",
            value,
            "ms",
            target=f"≤ {TARGET_MS} ms at 1,000,000",
        )


if __name__ == "__main__":
    main()

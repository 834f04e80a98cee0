"""The one search (issue 28) on a synthetic county: server time of the results page per query kind
and per role (target p95 ≤ 50 ms at 1,000,000 households), the member list of each role (the
village clerk's no slower than the county's), and the 疑似同一人 check of the whole county (target
3 M members in ≤ 60 s).

    DATABASE_URL=… python bench/search.py [--households 1000000] [--county 219901] [--requests 10]
        [--skip-duplicates]

The roles sit in the county's last township and its last village (the worst place for a plan that
walks the county in id order). Terms are taken from members of that village, so every role finds
them: the whole name, the surname alone, the given name, pinyin initials, full pinyin, the last 6
and 4 digits of the ID, the last 4 of a phone, the whole 户编号 and its last 4 digits. Phones are
written once for the township's households (synthetic households have none), committed and vacuumed
before the pages are timed: an uncommitted update of 50,000 households in the timing's own
transaction (as this script did until 2026-12-08) doubled the row versions every household read
went through, slowing each search by 10–20 ms. The duplicate check runs in a transaction rolled back
(its 疑点 are not kept). Pages
are requested in process with Django's test client (middleware, scoped() queries, template)."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import statistics
import time

from assistance_common import ensure_county
from django.db import connection, transaction
from django.test import Client
from figures import figure  # noqa: E402

from config.web_db import apply_web_session
from core.choices import RegionLevel, Role
from core.models import Region, User
from households.models import Member
from reports.crosscheck import services as crosscheck

ROLES = [
    ("village", Role.VILLAGE_CLERK),
    ("township", Role.TOWNSHIP_REVIEWER),
    ("county", Role.COUNTY_ADMIN),
    ("city", Role.CITY_SUPERVISOR),
]
KINDS = [
    "name", "surname", "given", "initials", "pinyin", "id_tail6", "id_tail4", "phone_tail4",
    "household_no", "household_no_tail4",
]  # fmt: skip


class Rollback(Exception):
    pass


def users(county: str) -> tuple[dict[str, User], str]:
    villages = Region.objects.filter(code__startswith=county, level=RegionLevel.VILLAGE)
    village = villages.order_by("-code").first()
    regions = {
        "village": village,
        "township": village.parent,
        "county": village.parent.parent,
        "city": village.parent.parent.parent,
    }
    out = {}
    for key, role in ROLES:
        user, _ = User.objects.update_or_create(
            username=f"bench_search_{key}",
            defaults={"role": role, "region": regions[key], "is_staff": True, "is_active": True},
        )
        out[key] = user
    return out, village.code


def terms(village: str, n: int) -> dict[str, list[str]]:
    members = list(
        Member.objects.filter(household__village_id=village, member_status="normal").select_related(
            "household"
        )
    )
    rng = random.Random(7)  # noqa: S311 - a sample, not a secret
    sample = rng.sample(members, min(n, len(members)))
    return {
        "name": [m.name for m in sample],
        "surname": [m.name[0] for m in sample],
        "given": [m.name[-2:] for m in sample],
        "initials": [m.name_initials for m in sample],
        "pinyin": [m.name_pinyin for m in sample],
        "id_tail6": [m.id_no[-6:] for m in sample],
        "id_tail4": [m.id_no[-4:] for m in sample],
        "phone_tail4": [f"{m.household_id % 10000:04d}" for m in sample],
        "household_no": [m.household.household_no for m in sample],
        "household_no_tail4": [m.household.household_no[-4:] for m in sample],
    }


def timings(client: Client, url: str, queries: list[dict]) -> list[float]:
    out = []
    client.get(url, queries[0])  # warm the connection and the templates
    for params in queries:
        started = time.perf_counter()
        response = client.get(url, params)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=0, help="generate the county at this size first")
    parser.add_argument("--county", default="219901")
    parser.add_argument("--requests", type=int, default=10, help="terms a kind (each a request a role)")
    parser.add_argument("--skip-duplicates", action="store_true")
    parser.add_argument(
        "--server-jit",
        action="store_true",
        help="keep the database's JIT setting (tables before 2026-12-08) instead of the web server's",
    )
    args = parser.parse_args()
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line a login otherwise
    if args.households:
        ensure_county(args.county, args.households)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM households_household WHERE village_id LIKE %s", [args.county + "%"])
        households = cur.fetchone()[0]
        cur.execute(
            "SELECT count(*) FROM households_member m JOIN households_household h ON h.id = m.household_id "
            "WHERE h.village_id LIKE %s",
            [args.county + "%"],
        )
        members = cur.fetchone()[0]
    cur_load = open("/proc/loadavg").read().split()[0]  # noqa: SIM115, PTH123
    print(f"county {args.county}: {households:,} households, {members:,} members; load {cur_load}")
    people, village = users(args.county)
    sample = terms(village, args.requests)
    if not args.server_jit:  # measure what the web server runs (config.web_db: JIT off)
        apply_web_session(connection)
    print(
        "PostgreSQL JIT: "
        + ("the server's setting" if args.server_jit else "off, as the web server (config/web_db.py)")
    )
    seed_phones(village[:9])
    measure(people, sample)
    if not args.skip_duplicates:
        duplicates(args.county, members)
    print(f"load after: {open('/proc/loadavg').read().split()[0]}")  # noqa: SIM115, PTH123


def seed_phones(township: str) -> None:
    """The township's households get a phone (once; committed, vacuumed, analysed)."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")  # no history rows for the seed
        cur.execute(
            "UPDATE households_household SET phone = '139' || lpad((id %% 100000000)::text, 8, '0') "
            "WHERE village_id LIKE %s AND phone = ''",
            [township + "%"],
        )
        seeded = cur.rowcount
    if seeded:
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE households_household")


def measure(people: dict[str, User], sample: dict[str, list[str]]) -> None:
    print("\nsearch page (/households/search/?q=…), server time in ms: p50 / p95 / max")
    print(f"{'kind':<20}" + "".join(f"{key:>22}" for key, _ in ROLES))
    worst: dict[str, float] = {}
    for kind in KINDS:
        row = f"{kind:<20}"
        for key, _ in ROLES:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(people[key])
            values = timings(client, "/households/search/", [{"q": t} for t in sample[kind]])
            row += f"{statistics.median(values):>8.0f} /{p95(values):>5.0f} /{max(values):>5.0f}"
            worst[key] = max(worst.get(key, 0), p95(values))
        print(row, flush=True)
    for key, _ in ROLES:
        figure(f"search p95, worst kind, {key}", worst[key], "ms", target="≤ 50 ms at 1,000,000 households")

    print("\nmember list (/admin/households/member/), ms: p50 / p95 / max")
    lists = {}
    for key, _ in ROLES:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(people[key])
        values = timings(client, "/admin/households/member/", [{} for _ in range(len(sample["name"]))])
        lists[key] = p95(values)
        print(f"{key:<10}{statistics.median(values):>8.0f} /{p95(values):>5.0f} /{max(values):>5.0f}")
    figure("member list p95, village clerk", lists["village"], "ms", target="≤ the county's")
    figure("member list p95, county", lists["county"], "ms")


def duplicates(county: str, members: int) -> None:
    region = Region.objects.get(code=county.ljust(12, "0"))
    try:
        with transaction.atomic():
            started = time.perf_counter()
            run = crosscheck.run_duplicate_check(region=region, as_of=dt.date.today())
            seconds = time.perf_counter() - started
            print(f"\n疑似同一人 check: {members:,} members, {run.hits_found:,} pairs, {seconds:.1f} s")
            print(f"steps: {run.timings}")
            raise Rollback
    except Rollback:
        pass
    figure("duplicate check (疑似同一人), county", seconds, "s", target="≤ 60 s for 3 M members")


if __name__ == "__main__":
    main()

"""Field work on a phone (issue 26): the 帮扶责任人's list (我的帮扶户, /m/) on a county of N households —
target p95 ≤ 300 ms at 1,000,000 — and the bytes a phone downloads on the first load of each phone
page (HTML, stylesheet, scripts; photos aside) — target ≤ 300 KB.

    DATABASE_URL=… python bench/field.py [--households 1000000] [--county 219901] [--helpers 20]
        [--requests 10]

Seeded by SQL in one transaction rolled back at the end: one 帮扶责任人 per 8 households (each with a
contiguous block of 8, assigned since 2024), two visits a household spread over the last 200 days,
every 29th household flagged 监测对象. The pages are requested in process with Django's test client
(the whole view: middleware, scoped() queries, template), `--requests` times for each of `--helpers`
helpers; the village clerk's list (a whole village) and the household card and 待办 are timed too."""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import statistics
import time
from pathlib import Path

from assistance_common import ensure_county, timed
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from figures import figure  # noqa: E402

from core.choices import Role
from core.models import Region, User
from households.models import HelperPerson

TODAY = dt.date.today()
BLOCK = 8  # households per helper
FIRST_LOAD_ASSETS = ["field/field.css", "field/field.js", "field/vendor/idb-keyval-6.3.0/idb-keyval.umd.js"]
WORKER_ASSETS = [
    "field/vendor/workbox-v7.4.1/workbox-sw.js",
    "field/vendor/workbox-v7.4.1/workbox-core.prod.js",
    "field/vendor/workbox-v7.4.1/workbox-routing.prod.js",
    "field/vendor/workbox-v7.4.1/workbox-strategies.prod.js",
    "field/vendor/workbox-v7.4.1/workbox-precaching.prod.js",
    "field/vendor/workbox-v7.4.1/workbox-expiration.prod.js",  # the photo cache's bounds
]


class Rollback(Exception):
    pass


def seed(prefix: str, county_code: str) -> int:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM households_household WHERE village_id LIKE %s", [prefix + "%"])
        households = cur.fetchone()[0]
        helpers = (households + BLOCK - 1) // BLOCK
        cur.execute(  # before the inserts: see SET CONSTRAINTS below
            "UPDATE households_household SET monitoring_state = 'at_risk' "
            "WHERE village_id LIKE %s AND id %% 29 = 0",
            [prefix + "%"],
        )
        cur.execute(
            """
            INSERT INTO households_helperperson (name, unit, unit_level, post, phone, county_id)
            SELECT '帮扶干部' || g, '县直单位' || (g %% 40), 'county', '科员', '', %s
            FROM generate_series(1, %s) g
            """,
            [county_code, helpers],
        )
        cur.execute(
            """
            WITH h AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM households_household
                       WHERE village_id LIKE %(p)s),
                 hp AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM households_helperperson
                        WHERE county_id = %(c)s AND name LIKE '帮扶干部%%')
            INSERT INTO households_helperassignment (household_id, helper_id, start, "end")
            SELECT h.id, hp.id, DATE '2024-01-01', NULL FROM h JOIN hp ON hp.k = h.k / %(b)s
            """,
            {"p": prefix + "%", "c": county_code, "b": BLOCK},
        )
        cur.execute(
            """
            INSERT INTO households_visit (household_id, visit_date, visitor, purpose, met_persons, content,
                measures_delivered, problems, recorded_at, far_from_home, proposed_changes)
            SELECT h.id, %(today)s::date - ((h.id * 7 + n * 97) %% 200)::int, '帮扶干部', 'routine', '户主',
                   '入户走访，了解收入情况', '', '', now(), false, '{}'::jsonb
            FROM households_household h CROSS JOIN generate_series(0, 1) n WHERE h.village_id LIKE %(p)s
            """,
            {"p": prefix + "%", "today": TODAY},
        )
        # Deferred foreign-key checks of the rows above, now: millions of pending trigger events would
        # otherwise be scanned again at the end of every later statement (the measured requests too).
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in ("households_helperassignment", "households_visit", "households_helperperson"):
            cur.execute(f"ANALYZE {table}")
    return households


def timings(client: Client, url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def asset_bytes(paths: list[str]) -> tuple[int, int]:
    raw = gz = 0
    for path in paths:
        data = Path(finders.find(path)).read_bytes()
        raw += len(data)
        gz += len(gzip.compress(data, 6))
    return raw, gz


def measure(args, county: Region, households: int) -> None:
    prefix = args.county[:6]
    helpers = HelperPerson.objects.filter(county=county, name__startswith="帮扶干部")
    persons = list(helpers.order_by("?")[: args.helpers])
    lists, cards, todos = [], [], []
    for i, person in enumerate(persons):
        user = User.objects.create(
            username=f"bench_helper_{i}", role=Role.HELPER, region=county, helper_person=person
        )
        client = Client()
        client.force_login(user)
        client.get(reverse("field:home"))  # the session's first read
        lists += timings(client, reverse("field:home"), args.requests)
        pk = person.helperassignment_set.values_list("household_id", flat=True).first()
        cards += timings(client, reverse("field:household", args=[pk]), max(args.requests // 3, 1))
        todos += timings(client, reverse("field:todo"), max(args.requests // 3, 1))
    village = Region.objects.filter(code__startswith=prefix, level=5).order_by("code").first()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM households_household WHERE village_id = %s", [village.code])
        village_size = cur.fetchone()[0]
    clerk = Client()
    clerk.force_login(User.objects.create(username="bench_clerk", role=Role.VILLAGE_CLERK, region=village))
    clerk_list = timings(clerk, reverse("field:home"), args.requests)

    print(f"county {args.county}: {households} households, {households // BLOCK} helpers of {BLOCK}")
    print(f"helper list /m/: {len(lists)} requests over {len(persons)} helpers")
    figure(
        "helper's list (我的帮扶户) p95", p95(lists), "ms",
        target=f"≤ 300 ms at 1,000,000 households (here {households:,})",
    )  # fmt: skip
    figure("helper's list median", statistics.median(lists), "ms")
    figure("household card p95", p95(cards), "ms")
    figure("helper's 待办 p95", p95(todos), "ms")
    figure(f"village clerk's list p95 ({village_size} households)", p95(clerk_list), "ms")
    first_load(persons[0])


def first_load(person: HelperPerson) -> None:
    """Bytes of each phone page's first load: the HTML and the files it links (photos aside)."""
    static_raw, static_gz = asset_bytes(FIRST_LOAD_ASSETS)
    worker_raw, worker_gz = asset_bytes(WORKER_ASSETS)
    helper = Client()
    helper.force_login(User.objects.get(helper_person=person))
    sw = helper.get(reverse("field:sw")).content
    pk = person.helperassignment_set.values_list("household_id", flat=True).first()
    pages = {
        "我的帮扶户": reverse("field:home"),
        "农户卡片": reverse("field:household", args=[pk]),
        "记录走访": reverse("field:visit", args=[pk]),
        "我的待办": reverse("field:todo"),
        "登录": reverse("field:login"),
    }
    worst = 0
    for name, url in pages.items():
        html = (Client() if name == "登录" else helper).get(url).content
        raw = len(html) + static_raw
        gz = len(gzip.compress(html, 6)) + static_gz
        worst = max(worst, raw)
        print(f"first load {name}: HTML {len(html):,} B + static {static_raw:,} B = {raw:,} B ({gz:,} B gz)")
    sw_gz = worker_gz + len(gzip.compress(sw))
    print(f"service worker, once after the first load: {len(sw) + worker_raw:,} B ({sw_gz:,} B gzipped)")
    figure(
        "phone page first load, largest (uncompressed)", round(worst / 1024, 1), "KB",
        target="≤ 300 KB (photos aside)",
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--county", default="219901")
    parser.add_argument("--helpers", type=int, default=20)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    ensure_county(args.county, args.households)
    county_code = args.county[:6].ljust(12, "0")
    try:
        with transaction.atomic():
            with timed("seed helpers, assignments, visits"):
                households = seed(args.county[:6], county_code)
            measure(args, Region.objects.get(code=county_code), households)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()

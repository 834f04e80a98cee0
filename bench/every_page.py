"""Every page a role can open, found rather than hand-picked (issue 28 item 4: ≤ 200 ms p95 at
1,000,000 households). bench/pages.py times about fifteen chosen pages; this one discovers, for each
role of bench/pages.py (village clerk, township reviewer, county admin, city supervisor) and its
帮扶责任人 (the /m/ phone pages):

- every list of the admin's app list as that role sees it (admin.site.get_app_list), its add form,
  the app's index page, the list searched by a name (when the list has a search box), and the record
  page of the list's first row (the change link of the first row of the list as the role sees it);
- every other admin page of the URLconf that takes no argument (台账导出, 贫困村退出指标, 情景模拟,
  二维码海报, Excel 导入, …), the pages outside the admin (工作台, 统计图表, 查找) and the menu's
  entries (reports/menus.py);
- every API endpoint under /api/v1/ that lists without an argument (the routers' *-list routes,
  the statistics, 我的信息), and the two API searches with the name;
- the phone pages under /m/ (for the helper: its first household's card).

Each page: one GET to warm (and to classify), one counting queries, then --requests timed GETs
through Django's test client with the web server's database session (JIT off, config/web_db.py).
A page answering 302/403/404 is not the role's (—); 405 is POST-only and a download (an attachment,
a stream, a file that is not HTML or JSON) is skipped; both are listed, not timed. Nothing is written
but the login sessions: each page's requests run in a transaction rolled back afterwards, and the
tables a GET's statements write to are named in the output (a record page's step probes write in a
savepoint they roll back themselves). The roles' users and the seeded cases are bench/pages.py's
(users(), seed(): a no-op once seeded).

    DATABASE_URL=… python bench/every_page.py [--county 219901] [--requests 5] [--limit 40]
        [--only 农户,低保案件] [--roles village,city]

Prints a table sorted slowest first (p50 / p95 in ms and queries per role), a FIGURE line per role
(its slowest page) and the pages over 200 ms p95."""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import time
from dataclasses import dataclass, field

from assistance_common import ROOT  # noqa: F401  (Django set up)
from django.contrib import admin
from django.db import connection, transaction
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from figures import figure
from pages import ROLES, TARGET_MS, load, p95, seed, users

from config.web_db import apply_web_session
from core.models import User
from households.models import HelperAssignment, Household, Member
from reports.menus import MENUS

# Never requested: they end the session, write on GET (a captcha), are public pages of no role,
# or are the developer's schema (not a page a person opens).
EXCLUDED = re.compile(
    r"(^|:)(login|logout|password_change|password_change_done|jsi18n|autocomplete|catch_all|app_list|"
    r"captcha-.*|api-schema|api-docs|token)$|^(monitoring_public|projects_public):"
)
# The menus' URL entries (reports/menus.py), by their names in the menu.
MENU_NAMES = {
    item[2]: f"{item[1]} ({item[2]})"
    for sections in MENUS.values()
    for _, _, items in sections
    for item in items
    if isinstance(item, tuple)
}
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\s+(INTO\s+)?\"?(\w+)", re.IGNORECASE)


@dataclass
class Page:
    label: str
    urls: dict[str, str] = field(default_factory=dict)  # role → url (record pages differ per role)
    results: dict[str, object] = field(default_factory=dict)  # role → (times, queries) or a note


def walk(patterns, prefix: str = "", namespace: str = ""):
    """(route, name) of every URL pattern without an argument."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name and not p.pattern.converters:
            route = prefix + str(p.pattern)
            if "(?P<" in route or "<" in route:
                continue
            yield route, namespace + p.name


def plain(route: str) -> str:
    return "/" + route.replace("^", "").replace("$", "")


def admin_pages(request, name: str) -> list[tuple[str, str, str]]:
    """(label, url, model key) of the lists, add forms and app indexes the role's app list offers."""
    out = []
    for app in admin.site.get_app_list(request):
        out.append((f"{app['name']} 应用首页", app["app_url"], ""))
        for model in app["models"]:
            key = f"{app['app_label']}.{model['object_name']}"
            if model.get("admin_url"):
                out.append((f"{model['name']} 列表", model["admin_url"], key))
                model_admin = admin.site._registry[model["model"]]
                if model_admin.search_fields:
                    out.append((f"{model['name']} 列表 搜姓名", f"{model['admin_url']}?q={name}", ""))
            if model.get("add_url"):
                out.append((f"{model['name']} 新增", model["add_url"], ""))
    return out


def other_pages(name: str) -> list[tuple[str, str]]:
    """Pages of the URLconf without an argument that are not a model's list or add form."""
    out = []
    for route, url_name in walk(get_resolver().url_patterns):
        if EXCLUDED.search(url_name):
            continue
        if re.search(r"_(changelist|add)$|^admin:index$", url_name):
            continue
        api = ("households_api:", "assistance_api:", "programs_api:", "projects_api:")
        if (
            url_name.startswith(api)
            and not url_name.endswith("-list")
            and url_name.split(":")[1] not in ("me", "search")
        ):
            continue
        out.append((f"{MENU_NAMES.get(url_name, url_name)}", plain(route)))
    out.append(("households:search ?q=姓名", f"{reverse('households:search')}?q={name}"))
    out.append(("api 查找 ?q=姓名", f"{reverse('households_api:search')}?q={name}"))
    out.append(("api 农户查找 ?q=姓名", f"{reverse('households_api:household-search')}?q={name}"))
    out.append(("field:home ?q=姓名", f"{reverse('field:home')}?q={name}"))
    urls = {url for _, url in out}
    for url_name, label in MENU_NAMES.items():  # found by the walk too; kept if one moves
        if reverse(url_name) not in urls:
            out.append((label, reverse(url_name)))
    return out


def first_record(html: str, list_url: str) -> str | None:
    """The change link of the first row of a list page."""
    found = re.search(rf'href="({re.escape(list_url)}[^/"?]+/change/)', html)
    return found.group(1) if found else None


def is_download(response) -> bool:
    if isinstance(response, StreamingHttpResponse | FileResponse):
        return True
    if "attachment" in response.get("Content-Disposition", ""):
        return True
    kind = response.get("Content-Type", "")
    return not kind.startswith(("text/html", "application/json"))


def measure(client: Client, url: str, n: int) -> tuple[object, str]:
    """(times, queries, writes) of a page, or a note why it was not timed; and the first body."""
    with transaction.atomic():  # nothing a page writes on GET stays (the sessions are written before)
        first = client.get(url)
        if first.status_code in (302, 403, 404):
            transaction.set_rollback(True)
            return "—", ""
        if first.status_code == 405:
            transaction.set_rollback(True)
            return "POST", ""
        if first.status_code != 200:
            transaction.set_rollback(True)
            return f"HTTP {first.status_code}", ""
        if is_download(first):
            transaction.set_rollback(True)
            return "下载", ""
        body = first.content.decode("utf-8", "replace")
        queries: list[str] = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        writes = sorted(
            {m.group(3) for q in queries if (m := WRITES.match(q)) and m.group(3) != "django_session"}
        )
        times = []
        for _ in range(n):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        transaction.set_rollback(True)
    return (times, len(queries), writes), body


def cell(result) -> str:
    if isinstance(result, str):
        return f"{result:>20}"
    times, queries, _ = result
    return f"{statistics.median(times):>8.0f} /{p95(times):>5.0f} ({queries:>3})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--county", default="219901")
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--only", default="", help="pages whose label or URL contains one of these (a,b)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many pages a role")
    parser.add_argument("--roles", default="", help="comma-separated keys of pages.ROLES and helper")
    args = parser.parse_args()
    logging.getLogger("axes").setLevel(logging.WARNING)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 403/404/405 of other roles
    people, village = users(args.county)
    helper = seed(args.county, village)
    people["helper"] = helper
    keys = [k for k, _ in ROLES] + ["helper"]
    if args.roles:
        keys = [k for k in keys if k in args.roles.split(",")]
    household = Household.objects.filter(village=village).order_by("id").first()
    name = Member.objects.filter(household=household, relation="head").values_list("name", flat=True).first()
    helped = (
        HelperAssignment.objects.filter(helper=helper.helper_person)
        .order_by("id")
        .values_list("household_id", flat=True)
        .first()
    )
    households = Household.objects.filter(village__code__startswith=args.county).count()
    print(
        f"county {args.county}: {households:,} households; roles in {village.name} ({village.code}); "
        f"{args.requests} requests a page; load {load()}",
        flush=True,
    )
    apply_web_session(connection)  # measure what the web server runs (config.web_db: JIT off)
    print("PostgreSQL JIT: off, as the web server (config/web_db.py)", flush=True)

    pages: dict[str, Page] = {}
    factory = RequestFactory()
    started_all = time.perf_counter()
    for key in keys:
        user: User = people[key]
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)  # a 500 is a row, not the end
        client.force_login(user)
        request = factory.get("/admin/")
        request.user = user
        found: list[tuple[str, str, str]] = []
        if user.is_staff:
            found += admin_pages(request, name)
        found += [(label, url, "") for label, url in other_pages(name)]
        if key == "helper" and helped:
            found.append(("field:household 农户卡片", reverse("field:household", args=[helped]), ""))
        only = [o for o in args.only.split(",") if o]
        found = [f for f in found if not only or any(o in f[0] or o in f[1] for o in only)]
        if args.limit:
            found = found[: args.limit]
        started = time.perf_counter()
        for label, url, model_key in found:
            page = pages.setdefault(label, Page(label))
            page.urls[key] = url
            result, body = measure(client, url, args.requests)
            page.results[key] = result
            if model_key and body:
                record = first_record(body, url)
                if record:
                    rec = pages.setdefault(
                        f"{label.removesuffix(' 列表')} 记录页", Page(f"{label.removesuffix(' 列表')} 记录页")
                    )
                    rec.urls[key] = record
                    rec.results[key], _ = measure(client, record, args.requests)
        print(
            f"{key}: {len(found)} pages in {time.perf_counter() - started:.0f} s; load {load()}", flush=True
        )

    def worst(page: Page) -> float:
        return max((p95(r[0]) for r in page.results.values() if not isinstance(r, str)), default=-1.0)

    timed = sorted((p for p in pages.values() if worst(p) >= 0), key=worst, reverse=True)
    print(
        f"\nserver time in ms, p50 / p95 (queries), slowest first{'':4}" + "".join(f"{k:>20}" for k in keys)
    )
    for page in timed:
        print(f"{page.label[:44]:<46}" + "".join(cell(page.results.get(k, "·")) for k in keys))
    untimed = [p for p in pages.values() if worst(p) < 0]
    for note, meaning in (("POST", "POST-only (405 on GET)"), ("下载", "downloads (not timed)")):
        named = sorted({p.label for p in untimed if note in p.results.values()})
        if named:
            print(f"\n{meaning}: " + ", ".join(named))
    other = sorted({f"{p.label} ({r})" for p in untimed for r in p.results.values() if r.startswith("HTTP")})
    if other:
        print("\nanswered neither 200 nor 302/403/404/405: " + ", ".join(other))
    writers = sorted(
        {
            f"{p.label}: {', '.join(r[2])}"
            for p in timed
            for r in p.results.values()
            if not isinstance(r, str) and r[2]
        }
    )
    if writers:
        print(
            "\nwriting statements on GET (rolled back here; a record page's step probes roll theirs back "
            "themselves, core/workflow/actions.py): " + "; ".join(writers)
        )
    print(f"\n{len(timed)} pages timed in {time.perf_counter() - started_all:.0f} s; load after: {load()}")
    over = [
        f"{p.label} [{k}] {p95(r[0]):.0f} ms  {p.urls[k]}"
        for p in timed
        for k, r in p.results.items()
        if not isinstance(r, str) and p95(r[0]) > TARGET_MS
    ]
    print(f"\npages over {TARGET_MS} ms p95: {len(over)}")
    for line in over:
        print("  " + line)
    for key in keys:
        values = [
            (p95(p.results[key][0]), p.label) for p in timed if not isinstance(p.results.get(key, "·"), str)
        ]
        if values:
            value, label = max(values)
            figure(
                f"every page p95, slowest page of the {key} ({label}; {len(values)} pages)",
                value,
                "ms",
                target=f"≤ {TARGET_MS} ms at 1,000,000",
            )


if __name__ == "__main__":
    main()

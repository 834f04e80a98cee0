"""Load test (issue 28 item 4): 20 users of four roles clicking without pause through the 工作台, the
household list, a name search, the member list and two API lists, against gunicorn (gunicorn.conf.py,
3 workers, production settings) on the loopback, for a bounded time.

    .venv/bin/python bench/load.py fupin_bench [--seconds 60] [--users 20] [--workers 3]
        [--county 219901] [--port 8791]

The first argument is the database: a name on the local server (postgres@127.0.0.1:5432, or the
server of DATABASE_URL when set) or a whole postgres:// URL; without it DATABASE_URL is used. The
database must hold the synthetic county (bench/generate.py --households 1000000). The script creates
its users in that county (five of each role: clerks of five villages, reviewers of their townships,
county admins, city supervisors; password login through the admin's login page), builds the
工作台's statistics summary when it was never built (the nightly task), starts gunicorn bound to
127.0.0.1 only, runs every user as a thread for --seconds, stops gunicorn and prints requests/s,
p50/p95 per page, errors, the load average and FIGURE lines. Nothing leaves the machine.

Baseline (issue 28): 8.0 requests/s, p95 4.3 s, 0 errors on 2 cores; target ≥ 25 requests/s, 0 errors.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "Bench-load-28!"  # bench users only, on a bench database


def database_url(arg: str | None) -> str:
    if not arg:
        return os.environ["DATABASE_URL"]
    if "://" in arg:
        return arg
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return urlunsplit(urlsplit(base)._replace(path="/" + arg))


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "bench-load-only-not-a-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "DEBUG": "false",
    "SECURE_COOKIES": "false",  # plain HTTP on the loopback: no TLS proxy in front
    "SECURE_SSL_REDIRECT": "false",
    "PROXY_COUNT": "0",
    "API_THROTTLE_USER": "100000000/min",  # 20 users at full speed are not what the throttle is for
    "LOG_LEVEL": "WARNING",
}

# (page, path template): {q} is the user's search term (a name in their scope).
PAGES = [
    ("工作台", "/admin/reports/workbench/"),
    ("户列表", "/admin/households/household/"),
    ("姓名查找", "/households/search/?q={q}"),
    ("成员列表", "/admin/households/member/"),
    ("接口：户列表", "/api/v1/households/"),
    ("接口：成员列表", "/api/v1/members/"),
]


def setup(county_code: str, users_per_role: int) -> list[tuple[str, str]]:
    """The bench users (created once, password reset each run) and a name each finds in scope."""
    from django.contrib.auth.hashers import make_password

    from core.choices import RegionLevel, Role
    from core.models import Region, User
    from households.models import Member
    from reports import refresh
    from reports.summary_models import SummaryRefresh

    county = Region.objects.get(code=county_code.ljust(12, "0"))
    city = county.parent
    villages = list(
        Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=county_code)
        .order_by("code")
        .select_related("parent")[: users_per_role * 400 : 400]  # spread over the county
    )
    places = {
        Role.VILLAGE_CLERK: villages,
        Role.TOWNSHIP_REVIEWER: [v.parent for v in villages],
        Role.COUNTY_ADMIN: [county] * users_per_role,
        Role.CITY_SUPERVISOR: [city] * users_per_role,
    }
    password = make_password(PASSWORD)
    out = []
    for role, regions in places.items():
        for i, region in enumerate(regions[:users_per_role]):
            user, _ = User.objects.update_or_create(
                username=f"load_{role}_{i}",
                defaults={
                    "role": role,
                    "region": region,
                    "is_staff": True,
                    "is_active": True,
                    "password": password,
                },
            )
            village = villages[i % len(villages)]
            name = (
                Member.objects.filter(household__village=village, member_status="normal")
                .values_list("name", flat=True)
                .first()
            )
            out.append((user.username, name or "王"))
    if not SummaryRefresh.objects.filter(county=county).exists():
        started = time.monotonic()
        refresh.refresh_county(county.code)
        print(f"工作台 statistics summary built: {time.monotonic() - started:.1f} s")
    return out


def start_gunicorn(port: int, workers: int, env: dict) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--log-level", "warning", "config.wsgi:application"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/admin/login/")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


class Browser:
    """One signed-in user: a keep-alive connection and its cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/admin/login/"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            raise
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        _, page = self.request("GET", "/admin/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
        status, _ = self.request("POST", "/admin/login/?next=/admin/", body)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed ({status})")


ROLE_NAMES = {
    "village_clerk": "村",
    "township_reviewer": "乡镇",
    "county_admin": "县",
    "city_supervisor": "市",
}


def role_of_username(username: str) -> str:
    return ROLE_NAMES[username.removeprefix("load_").rsplit("_", 1)[0]]


def run_user(port: int, username: str, term: str, stop: float, results: dict, errors: list, lock) -> None:
    browser = Browser(port)
    browser.login(username)
    role = role_of_username(username)
    mine: dict[str, list[float]] = {name: [] for name, _ in PAGES}
    failed: list[str] = []
    while time.monotonic() < stop:
        for name, template in PAGES:
            if time.monotonic() >= stop:
                break
            path = template.format(q=quote(term))
            started = time.perf_counter()
            try:
                status, _ = browser.request("GET", path)
            except (OSError, http.client.HTTPException) as exc:
                failed.append(f"{name}: {type(exc).__name__}")
                continue
            if status != 200:
                failed.append(f"{name}: HTTP {status}")
                continue
            mine[name].append((time.perf_counter() - started) * 1000)
    with lock:
        for name, values in mine.items():
            results[name].extend(values)
            results.setdefault((name, role), []).extend(values)
        errors.extend(failed)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", nargs="?", help="database name on the local server, or a postgres:// URL")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=20, help="a multiple of 4: the four roles alike")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--county", default="219901")
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    url = database_url(args.database)
    env = {**os.environ, **PRODUCTION, "DATABASE_URL": url}
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from figures import figure

    people = setup(args.county, max(1, args.users // 4))
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM households_household WHERE village_id LIKE %s", [args.county + "%"])
        households = cur.fetchone()[0]
    connection.close()
    print(
        f"# bench/load.py — {platform.node()} ({os.cpu_count()} CPUs), database {urlsplit(url).path[1:]}, "
        f"county {args.county}: {households:,} households; {len(people)} users, {args.workers} gunicorn "
        f"workers, {args.seconds:.0f} s"
    )
    # Production serves static files from collectstatic's manifest (nginx in front sends the files).
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)
    process = start_gunicorn(args.port, args.workers, env)
    try:
        for username, _term in people:  # warm every worker's imports and the first queries
            browser = Browser(args.port)
            browser.login(username)
        load_before = os.getloadavg()
        results: dict[str, list[float]] = {name: [] for name, _ in PAGES}
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds
        started = time.monotonic()
        threads = [
            threading.Thread(target=run_user, args=(args.port, u, t, stop, results, errors, lock))
            for u, t in people
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        load_after = os.getloadavg()
    finally:
        process.terminate()
        process.wait(timeout=30)
    by_role = {key: results.pop(key) for key in [k for k in results if isinstance(k, tuple)]}
    everything = [v for values in results.values() for v in values]
    rate = len(everything) / elapsed
    print(f"load average (1, 5 min) before {load_before[0]:.2f} {load_before[1]:.2f}, ", end="")
    print(f"after {load_after[0]:.2f} {load_after[1]:.2f}")
    print(f"{'page':<12}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name, values in results.items():
        if values:
            p50, p95 = statistics.median(values), pct(values, 95)
            print(f"{name:<12}{len(values):>7}{p50:>10.0f}{p95:>10.0f}{max(values):>10.0f}")
    roles = list(ROLE_NAMES.values())
    print("p95 ms by role: " + "".join(f"{r:>8}" for r in roles))
    for name, _ in PAGES:
        cells = "".join(f"{pct(by_role.get((name, r), []), 95):>8.0f}" for r in roles)
        print(f"{name:<14}{cells}")
    print(
        f"all pages: {len(everything)} requests in {elapsed:.1f} s = {rate:.1f} requests/s; "
        f"p50 {statistics.median(everything):.0f} ms, p95 {pct(everything, 95):.0f} ms; errors {len(errors)}"
    )
    if errors:
        print("errors:", "; ".join(sorted(set(errors))[:10]))
    figure(
        f"load mix, {len(people)} users of four roles",
        rate,
        "requests/s",
        target="≥ 25 requests/s on 2 cores",
    )
    figure("load mix p95, all pages", pct(everything, 95), "ms")
    figure("load mix errors", len(errors), "", target="0")
    for name, values in results.items():
        figure(f"load mix p95, {name}", pct(values, 95), "ms")


if __name__ == "__main__":
    main()

"""`make bench`: the registered bench scripts at one size, on a database of their own; the table of
current figures at the top of docs/benchmarks.md is rewritten (only between its markers).

    make bench [HOUSEHOLDS=10000] [ONLY=roll,crosscheck]
    python bench/suite.py [--households 10000] [--only roll,crosscheck] [--list] [--no-write]

**Adding a bench script**: one line in BENCHES below (in alphabetical order after `generate`, which
runs first and builds the county the others read), and `figure(...)` calls in the script for the
figures a reader should see (bench/figures.py). Its arguments may use the size placeholders of
`sizes()`. A bench that needs something the machine may lack names the environment variable in
`needs` and is skipped (its rows kept) without it.

The database: BENCH_DATABASE_URL, else DATABASE_URL's database with `_bench` appended, else the
embedded cluster's `fupin_bench` — created and migrated when missing, kept between runs (what a
script builds, such as the what-if county, is reused). Each script's whole output is written to
`.data/bench/<name>.log`; the journal of earlier runs in docs/benchmarks.md stays as it was.
At the default size (10,000 households) a full run takes a few minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from figures import read

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
LOGS = ROOT / ".data" / "bench"
BEGIN = "<!-- bench:figures:begin (written by `make bench`, bench/suite.py: do not edit by hand) -->"
END = "<!-- bench:figures:end -->"
COUNTY = "219901"
DEFAULT_HOUSEHOLDS = 10_000
HEADER = (
    "| bench | figure | value | target | command | date (UTC) | machine | load (1 min, start → end) |\n"
    "|---|---|---|---|---|---|---|---|"
)


@dataclass(frozen=True)
class Bench:
    name: str  # the script is bench/<name>.py
    args: str  # with the placeholders of sizes()
    title: str  # what it measures
    needs: tuple[str, ...] = ()  # environment variables it cannot run without


# One line per script. `generate` first: it (re)builds county 219901 at the chosen size.
BENCHES: list[Bench] = [
    Bench("generate", "--households {households} --county {county}", "合成县生成（COPY）"),
    Bench("api_list", "--county {county} --seconds 10 --port {port}", "户列表接口"),
    Bench("load", "--county {county} --seconds 60 --port {port}", "四类角色 20 人混合负载"),
    Bench("bank_return", "--county {county} --lines {cases}", "银行回盘"),
    Bench("backup", "--seed-county {county} --jobs 2", "备份与恢复"),
    Bench(
        "crosscheck",
        "--households {households} --county {county} --rows {list_rows} --matched {matched} "
        "--naive-sample {sample}",
        "信息比对",
    ),
    Bench("dashboard", "--county {county} --requests 20 --refresh", "工作台"),
    Bench("excel_export", "--county {county} --ie-rows 0", "人口明细导出"),
    Bench("excel_import", "--households {small} --ie-rows 1000 --skip-big", "村级 Excel 导入"),
    Bench("field", "--households {households} --county {county} --helpers 20 --requests 10", "手机走访"),
    Bench(
        "monitoring",
        "--households {households} --county {county} --rows {monitor_rows} --matched {matched} "
        "--episodes {episodes}",
        "防返贫监测线索",
    ),
    Bench("naive", "--households {naive} --county 219904", "重新核算 vs 逐户 ORM"),
    Bench(
        "projects", "--households {households} --county {county} --projects 2000 --links 200000", "扶贫项目库"
    ),
    Bench("pages", "--households {households} --county {county} --requests 20", "每个页面（各角色）"),
    Bench("every_page", "--county {county} --requests 5", "每个能打开的页面（各角色，自动发现）"),
    Bench("recalc", "--households {households} --county {county}", "重新核算（单进程）"),
    Bench("roll", "--county {county} --households {households} --cases {cases}", "低保月发放表"),
    Bench("search", "--households {households} --county {county} --requests 10", "查找与疑似同一人"),
    Bench("whatif", "--households {medium}", "政策情景模拟"),
    Bench(
        "workers",
        # 2021-10-20: all eleven programs in force (the 防返贫监测 line starts in 2021), as the
        # 1,000,000-household target was measured; full runs first, so the nightly runs find nothing new
        "--households {households} --county {county} --chunk-size {chunk} --modes full,nightly "
        "--processes 1,2 --as-of 2021-10-20",
        "重新核算（Celery 进程）",
        needs=("REDIS_URL",),
    ),
    Bench("workflow", "--households 300", "审核流转"),
]


def sizes(households: int) -> dict[str, object]:
    """The placeholders a bench's arguments may use, all derived from the one chosen size."""
    return {
        "households": households,
        "county": COUNTY,
        # per-file or per-record benches (a village's import, the naive loop) stay small
        "small": min(households, 10_000),
        "medium": min(households, 50_000),
        # the naive per-household loop costs ~0.05–0.3 s a household: a sample keeps the run bounded
        "naive": min(households, 500),
        "cases": max(households // 5, 1),  # ≈ the share of households with a 低保 case
        "list_rows": max(households * 15 // 100, 100),  # an agency list: 150,000 rows at 1,000,000
        "matched": max(households // 20, 10),
        "monitor_rows": max(households // 10, 100),  # an agency warning list: 100,000 rows at 1,000,000
        "episodes": max(households * 3 // 100, 10),
        "sample": min(1000, max(households * 15 // 100, 100)),
        "chunk": max(1000, households // 50),
        "port": _free_port(),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------- the database


def bench_database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.path.insert(0, str(ROOT))
        from config import embedded_pg

        base = embedded_pg.database_url()
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "fupin"
    return urlunsplit(parts._replace(path=f"/{name}_bench"))


def ensure_database(url: str) -> str:
    """Create the bench database when missing; return the server's version."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)
        return conn.execute("SHOW server_version").fetchone()[0].split()[0]


def county_households(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        sql = "SELECT count(*) FROM households_household WHERE village_id LIKE %s"
        return conn.execute(sql, [COUNTY + "%"]).fetchone()[0]


def machine(pg_version: str) -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, PostgreSQL {pg_version}, "
        f"Python {platform.python_version()}"
    )


# ---------------------------------------------------------------------------------- running


@dataclass
class Result:
    bench: Bench
    command: str
    started: dt.datetime
    load: tuple[float, float]
    figures: list[dict]
    returncode: int
    seconds: float


def run(bench: Bench, size: dict, env: dict) -> Result:
    args = bench.args.format(**size)
    command = f"python bench/{bench.name}.py {args}"
    print(f"\n== {command}", flush=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    started, load_before, t0 = dt.datetime.now(dt.UTC), os.getloadavg()[0], time.perf_counter()
    figures = []
    with (LOGS / f"{bench.name}.log").open("w", encoding="utf-8") as log:
        log.write(f"# {command}  ({started:%Y-%m-%d %H:%M} UTC)\n")
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / f"{bench.name}.py"), *args.split()],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in process.stdout:
            log.write(line)
            found = read(line)
            if found:
                figures.append(found)
            else:
                print("   ", line, end="", flush=True)
        returncode = process.wait()
    seconds = time.perf_counter() - t0
    return Result(bench, command, started, (load_before, os.getloadavg()[0]), figures, returncode, seconds)


def _value(found: dict) -> str:
    value = found["value"]
    if isinstance(value, float):
        value = f"{value:,.{3 if abs(value) < 1 else 2 if abs(value) < 10 else 1}f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    unit = found["unit"]
    return f"{value}{unit}" if unit in ("×", "%") else f"{value} {unit}".strip()


def rows(result: Result, machine_text: str) -> list[str]:
    b = result.bench
    context = [
        f"`{result.command}`",
        f"{result.started:%Y-%m-%d %H:%M}",
        machine_text,
        f"{result.load[0]:.1f} → {result.load[1]:.1f}",
    ]
    figures = [(f["name"], _value(f), f["target"]) for f in result.figures]
    if result.returncode:
        figures.append(("**failed**", f"exit {result.returncode}", f"see .data/bench/{b.name}.log"))
    if not figures:
        figures.append(("(no figure printed)", "", ""))
    out = []
    for i, (name, value, target) in enumerate(figures):
        first = i == 0
        cells = [
            f"{b.name} · {b.title}" if first else "",
            name,
            value,
            target,
            *(context if first else [""] * 4),
        ]
        out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return out


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# ---------------------------------------------------------------------------------- the table


def current_rows(text: str) -> dict[str, list[str]]:
    """The table's rows by bench, as they stand (a bench's rows follow its first row)."""
    if BEGIN not in text:
        return {}
    table = text.split(BEGIN, 1)[1].split(END, 1)[0]
    by_bench: dict[str, list[str]] = {}
    name = None
    for line in table.splitlines():
        if not line.startswith("| ") or line.startswith("| bench |"):
            continue
        first = line[2:].split(" | ", 1)[0].split(" · ", 1)[0].strip()
        if first:
            name = first
        if name:
            by_bench.setdefault(name, []).append(line)
    return by_bench


def write_table(new: dict[str, list[str]], summary: str, doc: Path = DOC) -> None:
    """Replace the rows of the benches in `new`, keep the other registered benches' rows, and
    leave everything outside the markers as it is."""
    text = doc.read_text(encoding="utf-8")
    kept = current_rows(text)
    kept.update(new)
    lines = [line for b in BENCHES for line in kept.get(b.name, [])]
    block = f"{BEGIN}\n{summary}\n\n{HEADER}\n" + "\n".join(lines) + f"\n{END}"
    if BEGIN in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    else:
        raise SystemExit(f"{doc} has no table markers ({BEGIN!r} … {END!r})")
    doc.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=DEFAULT_HOUSEHOLDS)
    parser.add_argument(
        "--only",
        default="",
        help="comma list of bench names (generate runs first if the county is not at size)",
    )
    parser.add_argument("--list", action="store_true", help="print the registered benches and exit")
    parser.add_argument("--no-write", action="store_true", help="run, but leave docs/benchmarks.md alone")
    args = parser.parse_args()
    if args.list:
        for b in BENCHES:
            print(f"{b.name:<14} {b.title}  bench/{b.name}.py {b.args}")
        return
    names = {b.name for b in BENCHES}
    only = [n for n in re.split(r"[,\s]+", args.only) if n]
    unknown = set(only) - names
    if unknown:
        raise SystemExit(f"unknown bench: {', '.join(sorted(unknown))} (see --list)")
    chosen = [b for b in BENCHES if not only or b.name in only]

    url = bench_database_url()
    pg_version = ensure_database(url)
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    print(f"bench database {urlsplit(url).path.lstrip('/')}: migrating …", flush=True)
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)

    if only and "generate" not in only and county_households(url) != args.households:
        chosen.insert(0, BENCHES[0])  # the county the others read is not at this size yet
    size = sizes(args.households)
    machine_text = machine(pg_version)
    started = time.perf_counter()
    results, new = [], {}
    for bench in chosen:
        missing = [v for v in bench.needs if not os.environ.get(v)]
        if missing:
            print(f"\n== {bench.name}: skipped ({', '.join(missing)} not set); its rows are kept", flush=True)
            continue
        result = run(bench, size, env)
        results.append(result)
        new[bench.name] = rows(result, machine_text)
        print(f"   ({result.seconds:.0f} s, {len(result.figures)} figures)", flush=True)
    total = time.perf_counter() - started
    summary = (
        f"Last run: `make bench HOUSEHOLDS={args.households}"
        + (f" ONLY={','.join(only)}" if only else "")
        + f"` — {len(results)} benches in {total / 60:.0f} min, "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Each row's command gives the size it ran at."
    )
    if not args.no_write:
        write_table(new, summary)
        print(f"\n{DOC.relative_to(ROOT)}: table rewritten ({sum(map(len, new.values()))} rows)")
    failed = [r.bench.name for r in results if r.returncode]
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)} (logs in .data/bench/)")


if __name__ == "__main__":
    main()

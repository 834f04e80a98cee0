"""Benchmark of `manage.py generate_households`: time to COPY N synthetic households (~3 members each).

Usage:  .venv/bin/python bench/generate.py [--households 1000000] [--seed 1] [--county 219901]
Always runs with --replace into the given synthetic county; prints the figures for docs/benchmarks.md.
"""

import argparse
import io
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from figures import figure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--county", default="219901")
    args = parser.parse_args()
    out = io.StringIO()
    started = time.monotonic()
    call_command(
        "generate_households",
        households=args.households,
        seed=args.seed,
        county=args.county,
        replace=True,
        stdout=out,
    )
    elapsed = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM households_member m JOIN households_household h ON h.id = m.household_id "
            "WHERE h.village_id LIKE %s",
            [f"{args.county}%"],
        )
        members = cursor.fetchone()[0]
    print(out.getvalue().strip().splitlines()[-1])
    print(
        f"generate_households --households {args.households} --seed {args.seed}: "
        f"{elapsed:.1f} s wall, {members} members, {args.households / elapsed:,.0f} households/s, "
        f"{(args.households + members) / elapsed:,.0f} rows/s "
        f"(PostgreSQL {version}, {os.cpu_count()} CPUs, Python {platform.python_version()})"
    )
    figure(
        f"generate {args.households:,} households, {members:,} members",
        elapsed,
        "s",
        target="< 600 s at 1,000,000",
    )
    figure("rows written", (args.households * 2 + members) / elapsed, "rows/s")


if __name__ == "__main__":
    main()

"""Backup and restore of a county's database: dump size, backup time, restore time.

    DATABASE_URL=… python bench/backup.py [--seed-county 219901] [--key KEY] [--jobs 1 2]

Runs the production code path (households.backup.create_backup, then restore_backup into a fresh
database `<name>_benchrestore` on the same server, dropped afterwards) and prints the figures for
docs/benchmarks.md. The restore compares every table's row count with the backup's manifest.

--seed-county C (once, on generated data): writes what a real county's database also holds for the
households `bench/generate.py` made by COPY: their insert history (household, member and income-year
events, as an import writes them) and 低保 cases for about a fifth of them (bench/assistance_common).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from assistance_common import seed_cases
from django.db import connection, transaction
from figures import figure

from core import backup
from core.history import record_events
from households.models import Household, IncomeYear, Member


def seed_history(county: str) -> None:
    with connection.cursor() as cur:
        sql = "SELECT id FROM households_household WHERE village_id LIKE %s ORDER BY id"
        cur.execute(sql, [county + "%"])
        ids = [r[0] for r in cur.fetchall()]
    with transaction.atomic():
        for model, where in ((Household, "id"), (Member, "household_id"), (IncomeYear, "household_id")):
            event = model.pgh_event_model._meta.db_table
            with connection.cursor() as cur:
                cur.execute(
                    f"DELETE FROM {event} WHERE pgh_obj_id IN (SELECT id FROM {model._meta.db_table} "
                    f"WHERE {where} = ANY(%s))",
                    [ids],
                )
            n = record_events(model, label="insert", where=where, values=ids)
            print(f"  {event}: {n:,} events", flush=True)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed-county", help="seed history and 低保 cases for this generated county first")
    parser.add_argument("--key", default="", help="encrypt with this key (gpg AES-256)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="pg_restore jobs to try")
    parser.add_argument("--dir", help="backup directory (default: a temporary one, removed after)")
    args = parser.parse_args()

    if args.seed_county:
        started = time.perf_counter()
        seed_history(args.seed_county)
        print(f"  低保 cases: {seed_cases(args.seed_county):,}", flush=True)
        print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)

    source = backup.Database.from_settings()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database()), version()")
        size, version = cur.fetchone()
        cur.execute("SELECT count(*) FROM households_household")
        households = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM households_member")
        members = cur.fetchone()[0]
        cur.execute(
            "SELECT sum(n_live_tup) FROM pg_stat_user_tables WHERE relname LIKE '%%event' "
            "OR relname = 'pghistory_context'"
        )
        events = cur.fetchone()[0] or 0
    print(
        f"database {source.name}: {households:,} households, {members:,} members, ~{events:,} history rows, "
        f"{size / 2**20:,.0f} MiB on disk; {version.split(',')[0]}; {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        flush=True,
    )

    with tempfile.TemporaryDirectory(prefix="fupin-bench-backup-") as tmp:
        backup_dir = Path(args.dir or tmp)
        print(f"load average before backup: {load()}", flush=True)
        started = time.perf_counter()
        run = backup.create_backup(backup_dir=backup_dir, media_root=Path(tmp) / "no-media", key=args.key)
        took = time.perf_counter() - started
        found = backup.find_set(run.name, backup_dir)
        print(
            f"backup {run.name}: {took:.1f} s, dump {run.database_bytes / 2**20:,.1f} MiB"
            f" ({'encrypted' if args.key else 'plain'}), load average {load()}",
            flush=True,
        )
        figure(f"backup, {households:,} households, {size / 2**20:,.0f} MiB database", took, "s")
        figure("dump size", run.database_bytes / 2**20, "MiB")
        phases = ", ".join(f"{k} {v} s" for k, v in found.manifest["seconds"].items())
        print(f"  of which: {phases}", flush=True)
        for jobs in args.jobs:
            target = source.named(f"{source.name}_benchrestore")
            with source.connect(dbname="postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{target.name}" TEMPLATE template0')
            try:
                started = time.perf_counter()
                report = backup.restore_backup(
                    found, db=target, media_root=Path(tmp) / f"media-{jobs}", key=args.key, jobs=jobs
                )
                took = time.perf_counter() - started
            finally:
                with source.connect(dbname="postgres", autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{target.name}" WITH (FORCE)')
            rows = sum(report.tables.values())
            figure(f"restore (pg_restore --jobs {jobs}, ANALYZE, row counts checked)", took, "s")
            print(
                f"restore --jobs {jobs}: {took:.1f} s (pg_restore, ANALYZE, row counts of "
                f"{len(report.tables)} tables = manifest, {rows:,} rows), load average {load()}",
                flush=True,
            )
        if not args.dir:
            run.delete()  # the bench's own run, not a backup anyone can use


if __name__ == "__main__":
    main()

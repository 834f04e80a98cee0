"""Benchmark of the village import: our path (calamine read + full validation + COPY) beside the
floor (calamine read + COPY, no validation) and a plain django-import-export ModelResource import.

Usage:
  .venv/bin/python bench/excel_import.py   # 10,000 households / 30,000 members, then a 100,000-row file
  .venv/bin/python bench/excel_import.py --households 2000 --skip-big

Every measurement runs in its own child process (peak RSS = that process's ru_maxrss) and inside a
transaction that is rolled back, so the database is left as it was. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from figures import figure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

COUNTY = "219950"  # synthetic county code (2199xx) used only by this benchmark
FILES = Path("/tmp/fupin-bench")


def setup_django():
    import django

    django.setup()


def regions():
    from tests.factories import region_chain

    villages = []
    for t in range(2):
        for v in range(5):
            code = f"{COUNTY}{100 + t:03d}{v + 1:03d}"
            villages.append(
                region_chain(code, ("合成省", "合成市", "基准县", f"基准镇{t}", f"基准村{t}{v}")).code
            )
    return villages


def build_file(path: Path, households: int) -> None:
    """One row per member, household columns repeated on every row (the worst case to validate)."""
    import xlsxwriter

    from core.idcard import make_id
    from households.excel.columns import COLUMNS

    villages = regions()
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("户成员信息")
    sheet.merge_range(0, 0, 0, len(COLUMNS) - 1, "基准县建档立卡户导入")
    for c, column in enumerate(COLUMNS):
        sheet.write_string(1, c, column.header)
    row = 1
    base = dt.date(1950, 1, 1)
    relations = ["户主", "配偶", "之子"]
    for h in range(households):
        village = villages[h % len(villages)]
        for m in range(3):
            row += 1
            n = h * 3 + m
            values = {c.key: c.example for c in COLUMNS}
            values.update(
                village_id=village,
                household_no=f"B{h:07d}",
                name=f"成员{n}",
                id_no=make_id(COUNTY, base + dt.timedelta(days=n // 100), n % 100, male=m != 1),
                relation=relations[m],
                sex="女" if m == 1 else "男",
                bank_account=f"62170{h:014d}",
            )
            for c, column in enumerate(COLUMNS):
                value = values[column.key]
                if value == "" or value is None:
                    continue
                if isinstance(value, int | float):
                    sheet.write_number(row, c, value)
                else:
                    sheet.write_string(row, c, str(value))
    book.close()


def superuser():
    from core.models import User

    user, _ = User.objects.get_or_create(
        username="bench-importer", defaults={"is_superuser": True, "is_staff": True, "role": "system_admin"}
    )
    return user


class Rollback(Exception):
    pass


def run_ours(path: Path) -> dict:
    from django.db import transaction

    from households.excel.services import import_file

    user = superuser()
    data = path.read_bytes()
    started = time.perf_counter()
    try:
        with transaction.atomic():
            counts = import_file(data=data, filename=path.name, user=user)
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return {"rows": counts["members"], "households": counts["households"], "seconds": elapsed}


def run_floor(path: Path) -> dict:
    """calamine read + COPY of the rows as they come, no validation (model defaults for the rest)."""
    import pgtrigger
    from django.db import transaction
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from core.history import record_events, trigger_uri
    from households.excel.columns import COLUMNS
    from households.excel.loading import (
        HISTORY_MODELS,
        copy_rows,
        reserve_ids,
    )
    from households.models import Household, Member

    idx = {c.key: i for i, c in enumerate(COLUMNS)}
    started = time.perf_counter()
    try:
        with transaction.atomic(), pgtrigger.ignore(*(trigger_uri(m, "insert") for m in HISTORY_MODELS)):
            # The same write path as ours (triggers off, events in bulk), so the gap is validation.
            rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[2:]
            numbers = list(dict.fromkeys(r[idx["household_no"]] for r in rows))
            ids = dict(zip(numbers, reserve_ids(Household, len(numbers)), strict=True))
            firsts = {}
            for r in rows:
                firsts.setdefault(r[idx["household_no"]], r)
            now = timezone.now()
            copy_rows(
                Household,
                (
                    {
                        "id": ids[no],
                        "household_no": no,
                        "village_id": str(r[idx["village_id"]]),
                        "main_cause": "illness",
                    }
                    for no, r in firsts.items()
                ),
                now=now,
                with_pk=True,
            )
            copy_rows(
                Member,
                (
                    {
                        "household_id": ids[r[idx["household_no"]]],
                        "name": r[idx["name"]],
                        "id_no": r[idx["id_no"]],
                        "sex": "male",
                        "birth_date": dt.date(1950, 1, 1),
                        "relation": "head" if r[idx["relation"]] == "户主" else "son",
                    }
                    for r in rows
                ),
                now=now,
            )
            household_ids = list(ids.values())
            record_events(Household, label="insert", where="id", values=household_ids)
            record_events(Member, label="insert", where="household_id", values=household_ids)
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return {"rows": len(rows), "households": len(numbers), "seconds": elapsed}


def run_import_export(path: Path, limit: int) -> dict:
    """A plain ModelResource (django-import-export 4.4) importing the member rows of the same file
    into households created beforehand (not timed): its per-row path, without our validation."""
    import tablib
    from django.db import transaction
    from import_export import fields, resources, widgets
    from python_calamine import CalamineWorkbook

    from households.models import Household, Member

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    headers, body = rows[1], rows[2 : 2 + limit]

    class MemberResource(resources.ModelResource):
        household = fields.Field(
            attribute="household",
            column_name="户编号",
            widget=widgets.ForeignKeyWidget(Household, "household_no"),
        )
        name = fields.Field(attribute="name", column_name="姓名")
        id_no = fields.Field(attribute="id_no", column_name="身份证号")
        sex = fields.Field(attribute="sex", column_name="性别")
        relation = fields.Field(attribute="relation", column_name="与户主关系")

        class Meta:
            model = Member
            fields = ("household", "name", "id_no", "sex", "relation")
            import_id_fields = ("id_no",)

        def before_import_row(self, row, **kwargs):
            row["性别"] = "female" if row["性别"] == "女" else "male"
            row["与户主关系"] = "head" if row["与户主关系"] == "户主" else "son"

    dataset = tablib.Dataset(*[tuple(r) for r in body], headers=headers)
    try:
        with transaction.atomic():
            seen = {}
            village_idx, no_idx = headers.index("村代码"), headers.index("户编号")
            for r in body:
                seen.setdefault(r[no_idx], str(r[village_idx]))
            Household.objects.bulk_create(
                [Household(household_no=no, village_id=v, main_cause="illness") for no, v in seen.items()]
            )
            started = time.perf_counter()
            result = MemberResource().import_data(
                dataset, dry_run=False, use_transactions=False, raise_errors=True
            )
            elapsed = time.perf_counter() - started
            assert not result.has_errors()
            raise Rollback
    except Rollback:
        pass
    return {"rows": len(body), "seconds": elapsed}


def child(kind: str, path: str, limit: int) -> None:
    setup_django()
    if kind == "build":
        build_file(Path(path), limit)
        result = {}
    elif kind == "ours":
        result = run_ours(Path(path))
    elif kind == "floor":
        result = run_floor(Path(path))
    else:
        result = run_import_export(Path(path), limit)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def spawn(kind: str, path: Path, limit: int = 0) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--path", str(path), "--limit", str(limit)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--big-households", type=int, default=33_334)
    parser.add_argument("--ie-rows", type=int, default=3_000, help="rows for the import-export run")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--path")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.path, args.limit)
        return
    FILES.mkdir(exist_ok=True)
    small = FILES / f"import-{args.households}.xlsx"
    if not small.exists():
        spawn("build", small, args.households)
    table = []
    ours = spawn("ours", small)
    table.append(("本项目（calamine 读取 + 全部校验 + COPY）", ours))
    floor = spawn("floor", small)
    table.append(("下限：calamine 读取 + COPY，不校验", floor))
    ie = spawn("ie", small, args.ie_rows)
    table.append((f"django-import-export ModelResource（前 {args.ie_rows} 行）", ie))
    if not args.skip_big:
        big = FILES / f"import-{args.big_households}.xlsx"
        if not big.exists():
            spawn("build", big, args.big_households)
        table.append(("本项目，100,000 行文件", spawn("ours", big)))
    print(f"\nmachine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"file: {small.name} ({small.stat().st_size / 1e6:.1f} MB)\n")
    print("| 方式 | 行数 | 秒 | 行/秒 | 峰值内存 MB |")
    print("|---|---|---|---|---|")
    for label, r in table:
        rate = r["rows"] / r["seconds"]
        print(f"| {label} | {r['rows']} | {r['seconds']:.2f} | {rate:,.0f} | {r['peak_mb']:.0f} |")
    rows = ours["rows"]
    rate = rows / ours["seconds"]
    figure(f"import, {rows:,} rows validated and written", rate, "rows/s", target="≥ 5,000 rows/s")
    figure("import vs the floor (read + COPY, no checks)", ours["seconds"] / floor["seconds"], "×")
    figure("import, peak memory", ours["peak_mb"], "MB", target="< 300 MB for a 100,000-row file")


if __name__ == "__main__":
    main()

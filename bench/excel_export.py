"""Benchmark of the 人口明细 export: our streamed ledger beside bare xlsxwriter constant_memory writing
the same number of cells (the floor) and django-import-export's export.

Needs a synthetic county with data:  manage.py generate_households --households 100000 --county 219903
Usage:  .venv/bin/python bench/excel_export.py [--county 219903] [--ie-rows 100000]

Each run is its own child process; peak memory is that process's ru_maxrss. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
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
OUT = Path("/tmp/fupin-bench")


def superuser():
    from core.models import User

    user, _ = User.objects.get_or_create(
        username="bench-exporter", defaults={"is_superuser": True, "is_staff": True, "role": "system_admin"}
    )
    return user


def run_ours(region_code: str) -> dict:
    from reports.exporting import export_context, write_workbook

    ctx = export_context(user=superuser(), region_code=region_code)
    started = time.perf_counter()
    counts = write_workbook(str(OUT / f"ours-{region_code}.xlsx"), key="population", ctx=ctx)
    elapsed = time.perf_counter() - started
    rows = counts["人口明细"]
    return {"rows": rows, "cells": rows * 19, "seconds": elapsed}


def run_workbook(region_code: str) -> dict:
    """The whole 14-sheet county workbook (print setup, notes and signature lines included)."""
    from reports.exporting import export_context, write_workbook

    ctx = export_context(user=superuser(), region_code=region_code)
    started = time.perf_counter()
    counts = write_workbook(str(OUT / f"workbook-{region_code}.xlsx"), key="county_workbook", ctx=ctx)
    elapsed = time.perf_counter() - started
    return {"rows": sum(counts.values()), "cells": 0, "seconds": elapsed}


def run_floor(rows: int) -> dict:
    """Bare xlsxwriter, constant_memory, write_row of rows shaped like 人口明细 (19 cells)."""
    import xlsxwriter

    templates = [
        (f"B{i:07d}", f"成员{i}", f"219903********{i:04d}", "户主", "男", 40 + i % 40, "汉族", "初中",
         "非在校生", "健康", "", "普通劳动力", "未务工", i % 12, "是", "是", "否", "否", "否")
        for i in range(1000)
    ]  # fmt: skip
    started = time.perf_counter()
    book = xlsxwriter.Workbook(str(OUT / "floor.xlsx"), {"constant_memory": True})
    sheet = book.add_worksheet("人口明细")
    for r in range(rows):
        sheet.write_row(r, 0, templates[r % 1000])
    book.close()
    elapsed = time.perf_counter() - started
    return {"rows": rows, "cells": rows * 19, "seconds": elapsed}


def run_import_export(region_code: str, limit: int) -> dict:
    from import_export import resources

    from households.models import Member

    class MemberResource(resources.ModelResource):
        class Meta:
            model = Member
            fields = ("household__household_no", "name", "id_no", "relation", "sex", "birth_date",
                      "ethnicity", "education")  # fmt: skip

    pks = list(
        Member.objects.filter(household__village__code__startswith=region_code[:6])
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    queryset = (
        Member.objects.filter(id__gte=pks[0], id__lte=pks[-1]).select_related("household").order_by("id")
    )
    started = time.perf_counter()
    dataset = MemberResource().export(queryset)
    data = dataset.export("xlsx")
    elapsed = time.perf_counter() - started
    (OUT / "import-export.xlsx").write_bytes(data)
    return {"rows": len(dataset), "cells": len(dataset) * 8, "seconds": elapsed}


def child(kind: str, arg: str, limit: int) -> None:
    import django

    django.setup()
    if kind == "ours":
        result = run_ours(arg)
    elif kind == "workbook":
        result = run_workbook(arg)
    elif kind == "floor":
        result = run_floor(limit)
    else:
        result = run_import_export(arg, limit)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def spawn(kind: str, arg: str = "", limit: int = 0) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--arg", arg, "--limit", str(limit)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--county", default="219903")
    parser.add_argument("--township", default="", help="a smaller region for the flatness check")
    parser.add_argument("--ie-rows", type=int, default=100_000, help="0: skip django-import-export")
    parser.add_argument("--workbook", action="store_true", help="also the whole county workbook")
    parser.add_argument("--child")
    parser.add_argument("--arg", default="")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.arg, args.limit)
        return
    OUT.mkdir(exist_ok=True)
    county = args.county.ljust(12, "0")
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}\n")
    print("| 方式 | 行数 | 单元格 | 秒 | 单元格/秒 | 峰值内存 MB |")
    print("|---|---|---|---|---|---|", flush=True)

    def show(label: str, r: dict) -> dict:
        rate = r["cells"] / r["seconds"]
        cells, peak = r["cells"], r["peak_mb"]
        print(
            f"| {label} | {r['rows']} | {cells} | {r['seconds']:.1f} | {rate:,.0f} | {peak:.0f} |", flush=True
        )
        return r

    if args.township:
        show("本项目 人口明细（一个乡镇）", spawn("ours", args.township.ljust(12, "0")))
    ours = show("本项目 人口明细（全县）", spawn("ours", county))
    floor = show("下限：裸 xlsxwriter constant_memory，同样行列", spawn("floor", limit=ours["rows"]))
    if args.ie_rows:
        show(f"django-import-export 导出（{args.ie_rows} 行 × 8 列）", spawn("ie", county, args.ie_rows))
    print(f"\nours / floor time: {ours['seconds'] / floor['seconds']:.2f}×")
    figure(f"人口明细 export, {ours['rows']:,} rows", ours["seconds"], "s")
    figure("export vs bare xlsxwriter", ours["seconds"] / floor["seconds"], "×", target="≤ 1.2×")
    figure("export, peak memory", ours["peak_mb"], "MB", target="flat in the rows")
    if args.workbook:
        book = spawn("workbook", county)
        print(
            f"县级台账全部14张表（全县）: {book['rows']} 行, {book['seconds']:.1f} 秒, "
            f"峰值内存 {book['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()

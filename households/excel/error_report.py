"""The error report of a rejected import: the uploaded rows as they were, each problem cell
highlighted, and a 错误说明 column (plus the original row number) — what the village clerk fixes
and uploads again.

The stored upload is read twice, both times streamed: once to validate (only the errors are kept),
once to copy the rows into an xlsxwriter constant_memory workbook. Text from the file is written
with write_string and neutralised (= + - @), so the report never carries a live formula.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.excel.cells import neutralise
from core.excel.parsing import read_upload
from households.excel.columns import REGISTRY_HEADERS, column_letter
from households.excel.services import check_may_import
from households.excel.validation import validate_sheet
from households.models import ImportBatch

ERROR_COLUMN = "错误说明"
ROW_COLUMN = "原行号"
REPORT_NOT_YOURS = "只能下载自己上传的批次的错误报告"
REPORT_ONLY_REJECTED = "只有校验未通过的批次才有错误报告"
REPORT_TITLE = "{name} 错误报告：共 {n} 处问题，标黄的单元格需要修改（校验时间 {at}）"


def write_error_report(path: str, *, batch: ImportBatch, user) -> int:
    """Write the report of a rejected batch to `path`; returns the number of problems."""
    check_may_import(user)
    if batch.created_by_id != user.pk:
        raise PermissionDenied(REPORT_NOT_YOURS)
    if batch.status != ImportBatch.Status.REJECTED:
        raise ValidationError(REPORT_ONLY_REJECTED)
    with batch.file.open("rb") as handle:
        data = handle.read()
    plan = validate_sheet(read_upload(data, batch.original_name, REGISTRY_HEADERS), user=user)
    by_row: dict[int, list] = defaultdict(list)
    for error in plan.errors:
        by_row[error.row].append(error)

    sheet = read_upload(data, batch.original_name, REGISTRY_HEADERS)  # the second stream: rows as uploaded
    width = max(len(sheet.header_cells), max(sheet.columns) + 1)
    letters = {column_letter(i): i for i in range(width)}
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    try:
        out = book.add_worksheet("错误报告")
        plain = book.add_format({"num_format": "@"})
        marked = book.add_format({"num_format": "@", "bg_color": "#FFEB9C", "font_color": "#9C0006"})
        date_plain = book.add_format({"num_format": "yyyy-mm-dd"})
        date_marked = book.add_format({"num_format": "yyyy-mm-dd", "bg_color": "#FFEB9C"})
        note = book.add_format({"font_color": "#9C0006", "text_wrap": True})
        header = book.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7"})
        at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        title = REPORT_TITLE.format(name=batch.original_name, n=len(plan.errors), at=at)
        out.write_string(0, 0, neutralise(title))
        headers = [str(v) if v not in (None, "") else "" for v in sheet.header_cells]
        headers += [""] * (width - len(headers))
        for c, text in enumerate([*headers, ERROR_COLUMN, ROW_COLUMN]):
            out.write_string(1, c, neutralise(text), header)
        out.set_column(width, width, 60)
        out.freeze_panes(2, 0)
        r = 1
        for row_no, cells in sheet.rows:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                continue
            r += 1
            errors = by_row.get(row_no, ())
            bad = {letters[e.letter] for e in errors if e.letter in letters}
            for c, value in enumerate(cells[:width]):
                _write(out, r, c, value, c in bad, (plain, marked, date_plain, date_marked))
            for c in bad:
                if c >= len(cells):
                    out.write_blank(r, c, None, marked)
            if errors:
                text = "；".join(f"{e.column}：{e.message}" if e.column else e.message for e in errors)
                out.write_string(r, width, neutralise(text), note)
            out.write_number(r, width + 1, row_no)
    finally:
        book.close()
    return len(plan.errors)


def _write(out, r: int, c: int, value, bad: bool, formats) -> None:
    plain, marked, date_plain, date_marked = formats
    if value is None or value == "":
        if bad:
            out.write_blank(r, c, None, marked)
        return
    if isinstance(value, bool):
        out.write_string(r, c, "是" if value else "否", marked if bad else plain)
    elif isinstance(value, int | float):
        out.write_number(r, c, value, marked if bad else None)
    elif isinstance(value, dt.datetime | dt.date):
        out.write_datetime(r, c, value, date_marked if bad else date_plain)
    else:
        out.write_string(r, c, neutralise(str(value)), marked if bad else plain)

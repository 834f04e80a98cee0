"""Build import workbooks in memory for tests (xlsxwriter, the same writer the template uses)."""

from __future__ import annotations

import io

import xlsxwriter

from households.excel.columns import COLUMNS

HEADERS = [c.header for c in COLUMNS]


def member_row(village: str, household_no: str, name: str, id_no, relation: str = "户主", **extra) -> dict:
    row = {
        "村代码": village,
        "户编号": household_no,
        "主要致贫原因": "因病",
        "姓名": name,
        "身份证号": id_no,
        "与户主关系": relation,
    }
    row.update(extra)
    return row


def workbook_bytes(
    rows: list[dict], *, headers: list[str] | None = None, title: str | None = "导入"
) -> bytes:
    """A .xlsx with an optional merged title row, the header row, then the rows (dicts by header)."""
    headers = headers or HEADERS
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("户成员信息")
    r = 0
    if title:
        sheet.merge_range(0, 0, 0, len(headers) - 1, title)
        r = 1
    for c, header in enumerate(headers):
        sheet.write_string(r, c, header)
    for row in rows:
        r += 1
        for c, header in enumerate(headers):
            value = row.get(header, "")
            if isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def csv_bytes(rows: list[dict], *, encoding: str = "utf-8", headers: list[str] | None = None) -> bytes:
    import csv

    headers = headers or HEADERS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)

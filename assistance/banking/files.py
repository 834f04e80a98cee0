"""The 代发 file of a batch, written from the layout the batch kept: Excel (text cells, so a 19-digit
account stays a string), CSV or text (GBK — written as GB18030, its superset, so a rare character in
a name does not stop the file — or UTF-8, CRLF line ends), fixed width in bytes or with a separator,
with the totals row the layout asks for. Rows are streamed from the database in line order."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

import xlsxwriter
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone

from assistance.banking.layouts import Column
from assistance.choices import (
    BankEncoding,
    BankFileFormat,
    LayoutField,
    LayoutSection,
    LineKind,
    Program,
    TotalsRow,
)

F = LayoutField
TOO_WIDE = "第{line}笔的“{field}”（{value}）超过格式规定的宽度 {width} 字节，请修改代发文件格式"
TOTALS_TOO_WIDE = "汇总行的“{field}”超过格式规定的宽度 {width} 字节，请修改代发文件格式"
# Values that must never be cut to fit: cutting them would pay another account or another sum.
UNCUT = frozenset({F.LINE_NO, F.BATCH_NO, F.ACCOUNT, F.ID_NO, F.AMOUNT, F.AMOUNT_FEN, F.COUNT,
                   F.PROJECT_CODE})  # fmt: skip
EXTENSIONS = {BankFileFormat.XLSX: "xlsx", BankFileFormat.CSV: "csv"}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


def codec(spec: dict) -> str:
    return "gb18030" if spec["encoding"] == BankEncoding.GBK else "utf-8"


def fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


@dataclass
class BatchFile:
    filename: str
    content: bytes
    rows: int


def _lines(batch) -> Iterator[dict]:
    """The sent lines of the batch, in line order, with what a layout may print about them."""
    from assistance.models import BankLine
    from core.models import Region

    names = dict(Region.objects.filter(code__startswith=batch.roll.county_id[:6]).values_list("code", "name"))
    roll = batch.roll
    spec = batch.layout_spec
    project = spec.get("project") or {}
    program_title = project.get("name") or Program(roll.program).label
    rows = (
        BankLine.objects.filter(batch=batch, line_no__isnull=False)
        .order_by("line_no")
        .values_list(
            "line_no",
            "bank_account",
            "payee_name",
            "payee_id_no",
            "amount",
            "bank_name",
            "household__village_id",
            "household__household_no",
            "payment_line__kind",
            "payment_line__rates",
        )  # fmt: skip
    )
    for line_no, account, name, id_no, amount, bank, village, household_no, kind, rates in rows.iterator(
        chunk_size=5000
    ):
        if kind == LineKind.REISSUE:
            note = f"补发{(rates or {}).get('for_month', '')[:7].replace('-', '年')}月{program_title}"
        else:
            note = f"{roll.month:%Y年%m月}{program_title}"
        yield {
            F.LINE_NO: line_no, F.BATCH_NO: batch.batch_no, F.ACCOUNT: account, F.PAYEE_NAME: name,
            F.ID_NO: id_no, F.AMOUNT: amount, F.AMOUNT_FEN: fen(amount),
            F.PROJECT_CODE: project.get("code", ""), F.PROJECT_NAME: project.get("name", ""),
            F.MONTH: f"{roll.month:%Y%m}", F.BANK_NAME: bank,
            F.COUNTY: names.get(village[:6] + "000000", ""), F.TOWNSHIP: names.get(village[:9] + "000", ""),
            F.VILLAGE: names.get(village, ""), F.HOUSEHOLD_NO: household_no, F.NOTE: note,
        }  # fmt: skip


def _totals(batch) -> dict:
    spec = batch.layout_spec
    project = spec.get("project") or {}
    return {
        F.BATCH_NO: batch.batch_no, F.COUNT: batch.line_count, F.AMOUNT: batch.total_amount,
        F.AMOUNT_FEN: fen(batch.total_amount), F.PROJECT_CODE: project.get("code", ""),
        F.PROJECT_NAME: project.get("name", ""), F.MONTH: f"{batch.roll.month:%Y%m}",
        F.SENT_DATE: f"{timezone.localtime(batch.sent_at):%Y%m%d}",
    }  # fmt: skip


def _value(column: Column, values: dict):
    if column.field == F.LABEL:
        return column.header
    if column.field == F.FILLER:
        return ""
    return values.get(column.field, "")


def _text(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def _fixed_field(column: Column, value, encoding: str, where: str) -> bytes:
    raw = _text(value).encode(encoding)
    width = column.width or 0
    if len(raw) > width:
        if column.field in UNCUT:
            raise ValidationError(
                where.format(field=LayoutField(column.field).label, value=_text(value), width=width)
            )
        cut = raw[:width]
        while cut:  # never split a character
            try:
                cut.decode(encoding)
                break
            except UnicodeDecodeError:
                cut = cut[:-1]
        raw = cut
    pad = (b"0" if column.zero else b" ") * (width - len(raw))
    return pad + raw if column.right else raw + pad


def _clean(text: str, separator: str) -> str:
    return text.replace(separator, " ").replace("\r", " ").replace("\n", " ")


def _text_file(batch, spec: dict) -> bytes:
    encoding = codec(spec)
    detail = [Column.from_dict(c) for c in spec["sections"][LayoutSection.DETAIL]]
    total = [Column.from_dict(c) for c in spec["sections"][LayoutSection.TOTAL]]
    fixed = spec["file_format"] == BankFileFormat.FIXED
    sep = spec.get("separator") or "|"

    def line(columns: list[Column], values: dict, where: str) -> bytes:
        if fixed:
            return b"".join(_fixed_field(c, _value(c, values), encoding, where) for c in columns) + b"\r\n"
        return (sep.join(_clean(_text(_value(c, values)), sep) for c in columns) + "\r\n").encode(encoding)

    out = io.BytesIO()
    totals_at = spec["totals_row"]
    if totals_at == TotalsRow.TOP:
        out.write(line(total, _totals(batch), TOTALS_TOO_WIDE))
    for values in _lines(batch):
        out.write(line(detail, values, TOO_WIDE.replace("{line}", str(values[F.LINE_NO]))))
    if totals_at == TotalsRow.BOTTOM:
        out.write(line(total, _totals(batch), TOTALS_TOO_WIDE))
    return out.getvalue()


def _csv_file(batch, spec: dict) -> bytes:
    detail = [Column.from_dict(c) for c in spec["sections"][LayoutSection.DETAIL]]
    total = [Column.from_dict(c) for c in spec["sections"][LayoutSection.TOTAL]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in detail])
    for values in _lines(batch):
        writer.writerow([_text(_value(c, values)) for c in detail])
    if spec["totals_row"] == TotalsRow.BOTTOM:
        values = _totals(batch)
        writer.writerow([_text(_value(c, values)) for c in total])
    encoding = codec(spec)
    return out.getvalue().encode("utf-8-sig" if encoding == "utf-8" else encoding)


def _xlsx_file(batch, spec: dict) -> bytes:
    detail = [Column.from_dict(c) for c in spec["sections"][LayoutSection.DETAIL]]
    total = [Column.from_dict(c) for c in spec["sections"][LayoutSection.TOTAL]]
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        book = xlsxwriter.Workbook(
            path,
            {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
             "strings_to_urls": False},
        )  # fmt: skip
        sheet = book.add_worksheet("代发明细")
        text = book.add_format({"num_format": "@"})
        money = book.add_format({"num_format": "0.00"})
        numbers = {F.AMOUNT: money, F.AMOUNT_FEN: None, F.COUNT: None}
        for c, column in enumerate(detail):
            sheet.set_column(c, c, 24 if column.field in (F.ACCOUNT, F.ID_NO) else 14)
            sheet.write_string(0, c, column.header)

        def write(row: int, columns: list[Column], values: dict) -> None:
            for c, column in enumerate(columns):
                value = _value(column, values)
                if column.field in numbers:
                    sheet.write_number(row, c, value, numbers[column.field])
                else:
                    sheet.write_string(row, c, _text(value), text)

        row = 0
        for values in _lines(batch):
            row += 1
            write(row, detail, values)
        if spec["totals_row"] == TotalsRow.BOTTOM:
            write(row + 1, total, _totals(batch))
        book.close()
        with open(path, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(path)


def render(batch) -> BatchFile:
    """The 代发 file of the batch as the bank gets it; ValidationError when a value does not fit."""
    spec = batch.layout_spec
    fmt = spec["file_format"]
    if fmt == BankFileFormat.XLSX:
        content = _xlsx_file(batch, spec)
    elif fmt == BankFileFormat.CSV:
        content = _csv_file(batch, spec)
    else:
        content = _text_file(batch, spec)
    extension = EXTENSIONS.get(fmt, "txt")
    return BatchFile(filename=f"代发{batch.batch_no}.{extension}", content=content, rows=batch.line_count)


def http_response(file: BatchFile) -> HttpResponse:
    """The file as a download that no cache keeps (it carries full account numbers)."""
    extension = file.filename.rsplit(".", 1)[-1]
    response = HttpResponse(file.content, content_type=CONTENT_TYPES.get(extension, "text/plain"))
    # An ASCII name first, then the Chinese one (RFC 6266).
    response["Content-Disposition"] = (
        f"attachment; filename=\"bank.{extension}\"; filename*=UTF-8''{quote(file.filename)}"
    )
    response["Cache-Control"] = "no-store"
    return response

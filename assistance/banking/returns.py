"""Reading the bank's 回盘 with the layout the batch was sent with.

Excel and CSV go through the registry import's reader (households.excel.parsing: .xlsx/.xls/CSV,
GBK, size and zip-bomb limits), with the layout's 回盘 column headers; fixed-width and delimited
text are read here, line by line (fixed widths are bytes of the file's encoding). Every row is
checked on its own (line number, amount, result); whether it belongs to the batch is decided by
assistance.services.bank, set-based. Nothing here touches the database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from assistance.banking.files import codec
from assistance.banking.layouts import Column
from assistance.choices import (
    TEXT_FORMATS,
    BankFileFormat,
    FailureReason,
    LayoutField,
    LayoutSection,
    LineResult,
)
from assistance.choices import TotalsRow as T
from core.excel.parsing import FileRejected, HeaderSpec, read_upload

F = LayoutField

ROW_LINE_NO = "第{row}行：序号“{value}”不是正整数"
ROW_AMOUNT = "第{row}行：金额“{value}”不是有效金额"
ROW_RESULT = "第{row}行：处理结果“{value}”无法识别（成功：{paid}；失败：{failed}；处理中：{pending}）"
ROW_SHORT = "第{row}行：长度只有 {length} 字节，本格式的回盘明细应为 {width} 字节"
ROW_FIELDS = "第{row}行：有 {found} 项，本格式的回盘明细应有 {want} 项"
ROW_UNREADABLE = "第{row}行：“{field}”的文字无法按 {encoding} 编码读取"
TOTALS_MISSING = "回盘文件没有汇总行（本格式的汇总行在{where}）"
TOTALS_VALUE = "第{row}行（汇总行）：“{field}”的值“{value}”无法识别"
NO_RETURN_HEADER = (
    "未找到回盘表头：前 {n} 行中没有本格式的“序号”“处理结果”等列名，请检查上传的是否为银行回盘文件"
)
FILE_TOO_LARGE = "回盘文件大小 {size} 超过上限 {limit}"
TOO_MANY_ROWS = "回盘文件超过 {limit} 行"
NOT_TEXT = "回盘文件不是文本文件（本格式为{fmt}），请检查上传的文件"
EMPTY = "回盘文件没有任何明细行"
_SPACE = re.compile(r"\s+")
_OPTIONAL_TAIL = frozenset({F.REASON_CODE, F.REASON_TEXT, F.FILLER, F.PAYEE_NAME})


class ReturnRow(NamedTuple):  # immutable; a tuple builds ~3× faster than a frozen dataclass
    row_no: int
    line_no: int
    amount: Decimal
    result: str  # LineResult
    reason: str  # FailureReason slug for a failed line, else ""
    batch_no: str | None = None
    account: str | None = None
    bank_code: str = ""
    bank_message: str = ""


@dataclass
class Totals:
    row_no: int
    count: int | None = None
    amount: Decimal | None = None
    batch_no: str | None = None


@dataclass
class ReturnFile:
    rows: list[ReturnRow] = field(default_factory=list)
    totals: Totals | None = None
    errors: list[dict] = field(default_factory=list)  # {"row": n, "message": "第n行：…"}

    def error(self, row: int, message: str) -> None:
        self.errors.append({"row": row, "message": message})


def _cell_text(value) -> str:
    if type(value) is str:  # text files: every field (the common case, 200,000 lines a 回盘)
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def _money(value) -> Decimal | None:
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


def _fen(value) -> Decimal | None:
    text = _cell_text(value)
    if not text.isdigit():
        return None
    return (Decimal(int(text)) / 100).quantize(Decimal("0.01"))


class _Reader:
    """Turns one row's field texts into a ReturnRow (or row errors) by the batch's layout."""

    def __init__(self, spec: dict, out: ReturnFile) -> None:
        self.out = out
        values = spec["values"]
        self.results = {v.casefold(): LineResult.PAID for v in values["paid"]}
        self.results |= {v.casefold(): LineResult.FAILED for v in values["failed"]}
        self.results |= {v.casefold(): LineResult.PENDING for v in values["pending"]}
        self.listed = {k: "、".join(values[k]) or "无" for k in ("paid", "failed", "pending")}
        self.codes = {k.casefold(): v for k, v in spec.get("reason_codes", {}).items()}

    def amount(self, fields: dict, row: int, label: str = "") -> Decimal | None:
        if F.AMOUNT in fields:
            raw, amount = fields[F.AMOUNT], _money(fields[F.AMOUNT])
        else:
            raw, amount = fields.get(F.AMOUNT_FEN, ""), _fen(fields.get(F.AMOUNT_FEN, ""))
        if amount is None:
            message = ROW_AMOUNT.format(row=row, value=_cell_text(raw))
            if label:
                message = TOTALS_VALUE.format(row=row, field=label, value=_cell_text(raw))
            self.out.error(row, message)
        return amount

    def reason(self, code: str, text: str) -> str:
        for key in (code, text):
            found = self.codes.get(key.casefold()) if key else None
            if found:
                return found
        return FailureReason.OTHER

    def row(self, row: int, fields: dict) -> None:
        errors_before = len(self.out.errors)
        raw_no = _cell_text(fields.get(F.LINE_NO, ""))
        line_no = int(raw_no) if raw_no.isdigit() and int(raw_no) > 0 else None
        if line_no is None:
            self.out.error(row, ROW_LINE_NO.format(row=row, value=raw_no))
        amount = self.amount(fields, row)
        raw_result = _cell_text(fields.get(F.RESULT, ""))
        result = self.results.get(raw_result.casefold())
        if result is None:
            self.out.error(row, ROW_RESULT.format(row=row, value=raw_result, **self.listed))
        if len(self.out.errors) > errors_before:
            return
        code = _cell_text(fields.get(F.REASON_CODE, ""))[:40]
        message = _cell_text(fields.get(F.REASON_TEXT, ""))[:200]
        self.out.rows.append(
            ReturnRow(
                row_no=row, line_no=line_no, amount=amount, result=result,
                reason=self.reason(code, message) if result == LineResult.FAILED else "",
                batch_no=_cell_text(fields[F.BATCH_NO]) if F.BATCH_NO in fields else None,
                account=_SPACE.sub("", _cell_text(fields[F.ACCOUNT])) if F.ACCOUNT in fields else None,
                bank_code=code if result == LineResult.FAILED else "",
                bank_message=message if result == LineResult.FAILED else "",
            )
        )  # fmt: skip

    def totals(self, row: int, fields: dict) -> None:
        totals = Totals(row_no=row)
        if F.COUNT in fields:
            raw = _cell_text(fields[F.COUNT])
            if raw.isdigit():
                totals.count = int(raw)
            else:
                self.out.error(row, TOTALS_VALUE.format(row=row, field=F.COUNT.label, value=raw))
        if F.AMOUNT in fields or F.AMOUNT_FEN in fields:
            label = (F.AMOUNT if F.AMOUNT in fields else F.AMOUNT_FEN).label
            totals.amount = self.amount(fields, row, label)
        if F.BATCH_NO in fields:
            totals.batch_no = _cell_text(fields[F.BATCH_NO])
        self.out.totals = totals


def _sections(spec: dict) -> tuple[list[Column], list[Column]]:
    return (
        [Column.from_dict(c) for c in spec["sections"][LayoutSection.RESULT]],
        [Column.from_dict(c) for c in spec["sections"][LayoutSection.RESULT_TOTAL]],
    )


def _fields(columns: list[Column], values: list) -> dict:
    return {c.field: v for c, v in zip(columns, values, strict=False) if c.field not in (F.FILLER, F.LABEL)}


# ------------------------------------------------------------------ Excel and CSV


def _header_spec(columns: list[Column]) -> HeaderSpec:
    by_header = {_SPACE.sub("", c.header): c.field for c in columns if c.header and c.field != F.FILLER}
    required = {c.field for c in columns} & {F.LINE_NO, F.RESULT, F.AMOUNT, F.AMOUNT_FEN}
    labels = {c.field: c.header for c in columns}
    return HeaderSpec(
        key_of=lambda value: by_header.get(_SPACE.sub("", str(value or "")).replace("*", "")),
        required=frozenset(required),
        header_of=labels.__getitem__,
        no_header=NO_RETURN_HEADER,
        min_found=len(required),
        max_rows=settings.BANK_RETURN_MAX_ROWS,
        max_bytes=settings.BANK_RETURN_MAX_BYTES,
    )


def _read_sheet(data: bytes, filename: str, spec: dict, out: ReturnFile) -> None:
    detail, total = _sections(spec)
    sheet = read_upload(data, filename, spec=_header_spec(detail))
    reader = _Reader(spec, out)
    label = total[0].header if total and total[0].field == F.LABEL else None
    want_totals = spec["totals_row"] == T.BOTTOM
    index_of = {key: index for index, key in sheet.columns.items()}
    for row_no, cells in sheet.rows:
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        if want_totals and label and next((t for t in texts if t), "") == label:
            reader.totals(row_no, _fields(total, cells))
            continue
        reader.row(row_no, {key: cells[i] if i < len(cells) else "" for key, i in index_of.items()})
    if want_totals and out.totals is None:
        out.error(0, TOTALS_MISSING.format(where="末行"))


# ------------------------------------------------------------------ text files


def _text_lines(data: bytes, spec: dict) -> list[tuple[int, bytes]]:
    if b"\x00" in data[:4096] or data.startswith(b"PK\x03\x04"):
        raise FileRejected(NOT_TEXT.format(fmt=BankFileFormat(spec["file_format"]).label), code="not_text")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if len(lines) > settings.BANK_RETURN_MAX_ROWS + 2:
        raise FileRejected(TOO_MANY_ROWS.format(limit=settings.BANK_RETURN_MAX_ROWS), code="too_many_rows")
    return [(n, line.rstrip(b"\r")) for n, line in enumerate(lines, 1) if line.strip()]


class _FixedPlan:
    """Where each kept field of a fixed-width line lies, computed once per section (not per line):
    a 回盘 has up to 200,000 lines."""

    def __init__(self, columns: list[Column], encoding: str) -> None:
        self.encoding = encoding
        self.width = sum(c.width or 0 for c in columns)
        # A blank tail (the reason fields of a paid line, trimmed by the bank's system) is allowed.
        self.minimum = self.width
        for column in reversed(columns):
            if column.field not in _OPTIONAL_TAIL:
                break
            self.minimum -= column.width or 0
        self.slices: list[tuple[str, int, int, bool]] = []  # field, start, end, text may be damaged
        start = 0
        for column in columns:
            end = start + (column.width or 0)
            if column.field not in (F.FILLER, F.LABEL):
                lenient = column.field in (F.PAYEE_NAME, F.REASON_TEXT)
                self.slices.append((column.field, start, end, lenient))
            start = end

    def split(self, line: bytes, row: int, out: ReturnFile) -> dict | None:
        """The line's kept fields by name, or None after a row error."""
        if len(line) < self.minimum:
            out.error(row, ROW_SHORT.format(row=row, length=len(line), width=self.width))
            return None
        fields = {}
        for name, start, end, lenient in self.slices:
            chunk = line[start:end]
            if chunk.isascii():  # both encodings are ASCII supersets; ASCII decodes ~5× faster
                fields[name] = chunk.decode("ascii").strip()
                continue
            try:
                fields[name] = chunk.decode(self.encoding).strip()
            except UnicodeDecodeError:
                if not lenient:
                    out.error(row, ROW_UNREADABLE.format(row=row, field=LayoutField(name).label,
                                                         encoding=self.encoding.upper()))  # fmt: skip
                    return None
                fields[name] = chunk.decode(self.encoding, errors="replace").strip()
        return fields


def _split_delimited(
    line: bytes, columns: list[Column], spec: dict, row: int, out: ReturnFile
) -> list | None:
    try:
        text = line.decode(codec(spec))
    except UnicodeDecodeError:
        out.error(row, ROW_UNREADABLE.format(row=row, field="整行", encoding=codec(spec).upper()))
        return None
    values = [v.strip() for v in text.split(spec.get("separator") or "|")]
    if len(values) < len(columns):
        out.error(row, ROW_FIELDS.format(row=row, found=len(values), want=len(columns)))
        return None
    return values


def _read_text(data: bytes, spec: dict, out: ReturnFile) -> None:
    detail, total = _sections(spec)
    lines = _text_lines(data, spec)
    reader = _Reader(spec, out)
    totals_line = None
    if lines and spec["totals_row"] == T.TOP:
        totals_line, lines = lines[0], lines[1:]
    elif lines and spec["totals_row"] == T.BOTTOM:
        totals_line, lines = lines[-1], lines[:-1]
    fixed = spec["file_format"] == BankFileFormat.FIXED
    encoding = codec(spec)

    def split(row: int, line: bytes, columns: list[Column], plan: _FixedPlan | None) -> dict | None:
        if plan is not None:
            return plan.split(line, row, out)
        values = _split_delimited(line, columns, spec, row, out)
        return None if values is None else _fields(columns, values)

    if totals_line is not None:
        fields = split(totals_line[0], totals_line[1], total, _FixedPlan(total, encoding) if fixed else None)
        if fields is not None:
            reader.totals(totals_line[0], fields)
    elif spec["totals_row"] != T.NONE:
        out.error(0, TOTALS_MISSING.format(where="首行" if spec["totals_row"] == T.TOP else "末行"))
    detail_plan = _FixedPlan(detail, encoding) if fixed else None  # once per file, not per line
    for row_no, line in lines:
        fields = split(row_no, line, detail, detail_plan)
        if fields is not None:
            reader.row(row_no, fields)


def read_return(data: bytes, filename: str, spec: dict) -> ReturnFile:
    """Rows, totals and row errors of a 回盘; FileRejected when the file as a whole cannot be read."""
    limit = settings.BANK_RETURN_MAX_BYTES
    if len(data) > limit:
        raise FileRejected(
            FILE_TOO_LARGE.format(size=filesizeformat(len(data)), limit=filesizeformat(limit)),
            code="too_large",
        )
    out = ReturnFile()
    if spec["file_format"] in TEXT_FORMATS:
        _read_text(data, spec, out)
    else:
        _read_sheet(data, filename, spec, out)
    if not out.rows and not out.errors:
        raise FileRejected(EMPTY, code="empty")
    return out

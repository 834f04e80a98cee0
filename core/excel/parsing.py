"""Read an uploaded workbook as offices make them: .xlsx, .xls or CSV (UTF-8 with or without BOM,
GB18030/GBK), a merged title above the header, blank and trailing rows. Every upload reads through
here (the village import, the re-survey, 信息比对 lists, the bank's 回盘 …), each naming its columns
with a HeaderSpec.

Everything that can make a server fall over is refused before parsing: the byte limit, the row
limit, and for .xlsx the declared *and* the actual inflated size of every zip entry (zip bombs).
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

FILE_EMPTY = "上传的文件是空的"
FILE_TOO_LARGE = "文件大小 {size} 超过上限 {limit}，请按村拆分后分批导入"
FILE_NOT_SPREADSHEET = "文件不是 Excel（.xlsx/.xls）或 CSV 表格，无法读取"
FILE_CORRUPT = "文件已损坏或不是有效的 Excel 文件，无法读取：{detail}"
FILE_ENCRYPTED = "文件设置了打开密码，请取消密码后再上传"
ZIP_BOMB = "文件解压后大小异常（{size}，上限 {limit}），可能是恶意构造的压缩文件，已拒绝"
ZIP_RATIO = "文件中“{name}”的压缩比异常（{ratio} 倍），可能是恶意构造的压缩文件，已拒绝"
ZIP_TOO_MANY_ENTRIES = "文件内部条目过多（{n} 个），不是正常的 Excel 文件，已拒绝"
TOO_MANY_ROWS = "表格有 {rows} 行，超过单次导入上限 {limit} 行，请按村拆分后分批导入"
NO_HEADER = "未找到表头：前 {n} 行中没有可识别的列名，请使用导入模板"
MISSING_COLUMNS = "表头缺少必填列：{columns}"
DUPLICATE_COLUMN = "表头中“{header}”出现了两次（第 {first} 列和第 {second} 列）"
NO_DATA_ROWS = "表格中没有数据行（表头在第 {row} 行，其下没有任何内容）"
CSV_ENCODING = "CSV 文件的编码无法识别，请另存为 UTF-8 或 GBK 编码"

HEADER_SCAN_ROWS = 15
MAX_ZIP_ENTRIES = 2000
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


class FileRejected(ValidationError):
    """The file as a whole cannot be read; nothing is written."""


@dataclass(frozen=True)
class HeaderSpec:
    """How a kind of upload names its columns: header text → column key, the keys it must have,
    and the Chinese header of a key (for the missing-columns message)."""

    key_of: Callable[[object], str | None]
    required: frozenset[str]
    header_of: Callable[[str], str]
    no_header: str = NO_HEADER
    min_found: int = 3
    max_rows: int | None = None  # None: settings.EXCEL_IMPORT_MAX_ROWS (a bank's 回盘 may be longer)
    max_bytes: int | None = None  # None: settings.EXCEL_IMPORT_MAX_BYTES


@dataclass
class SheetData:
    """The data rows of one sheet, header located. Rows are (Excel row number, cells)."""

    sheet_name: str
    header_row: int  # 1-based
    columns: dict[int, str]  # cell index → column key
    headers: dict[int, str]  # cell index → header text as written
    rows: Iterator[tuple[int, list]]
    total_rows: int
    header_cells: list = field(default_factory=list)  # the header row as written (error report)


def read_upload(data: bytes, filename: str, spec: HeaderSpec) -> SheetData:
    """Sniff the format by content (never trust the extension) and return the located sheet."""
    size = len(data)
    if size == 0:
        raise FileRejected(FILE_EMPTY, code="empty")
    limit = spec.max_bytes or settings.EXCEL_IMPORT_MAX_BYTES
    if size > limit:
        raise FileRejected(
            FILE_TOO_LARGE.format(size=filesizeformat(size), limit=filesizeformat(limit)), code="too_large"
        )
    if data.startswith(_ZIP_MAGIC):
        _check_zip(data)
        return _read_calamine(data, spec)
    if data.startswith(_XLS_MAGIC):
        return _read_xls(data, spec)
    return _read_csv(data, filename, spec)


def _check_zip(data: bytes) -> None:
    max_total = settings.EXCEL_IMPORT_MAX_UNZIPPED_BYTES
    max_ratio = settings.EXCEL_IMPORT_MAX_ZIP_RATIO
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FileRejected(FILE_CORRUPT.format(detail=exc), code="corrupt") from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise FileRejected(ZIP_TOO_MANY_ENTRIES.format(n=len(infos)), code="zip_bomb")
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        raise FileRejected(FILE_NOT_SPREADSHEET, code="not_spreadsheet")
    if any(info.flag_bits & 0x1 for info in infos):
        raise FileRejected(FILE_ENCRYPTED, code="encrypted")
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > max_ratio and info.file_size > 2**20:
            ratio = round(info.file_size / info.compress_size)
            raise FileRejected(ZIP_RATIO.format(name=info.filename, ratio=ratio), code="zip_bomb")
    declared = sum(info.file_size for info in infos)
    if declared > max_total:
        raise FileRejected(
            ZIP_BOMB.format(size=filesizeformat(declared), limit=filesizeformat(max_total)), code="zip_bomb"
        )
    # Headers can lie: inflate the raw streams for real, in bounded steps, and stop as soon as an
    # entry gives more than it declared or the whole budget is spent.
    budget = max_total
    for info in infos:
        actual = _inflated_size(data, info, limit=min(budget, info.file_size) + 1)
        if actual > info.file_size or actual > budget:
            raise FileRejected(
                ZIP_BOMB.format(size=f"> {filesizeformat(info.file_size)}", limit=filesizeformat(max_total)),
                code="zip_bomb",
            )
        budget -= actual


def _inflated_size(data: bytes, info: zipfile.ZipInfo, *, limit: int) -> int:
    """How many bytes an entry really inflates to, never producing more than `limit` bytes."""
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise FileRejected(
            FILE_CORRUPT.format(detail=f"unsupported compression {info.compress_type}"), code="corrupt"
        )
    offset = info.header_offset
    if data[offset : offset + 4] != _ZIP_MAGIC:
        raise FileRejected(FILE_CORRUPT.format(detail="bad local header"), code="corrupt")
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    raw = memoryview(data)[start : start + info.compress_size]
    inflater = zlib.decompressobj(-15)
    produced = 0
    step = 1 << 20
    pending = bytes(raw[:step])
    position = step
    try:
        while True:
            out = inflater.decompress(pending, step)
            produced += len(out)
            if produced >= limit:
                return produced
            if inflater.unconsumed_tail:
                pending = inflater.unconsumed_tail
            elif position < len(raw):
                pending = bytes(raw[position : position + step])
                position += step
            else:
                return produced + len(inflater.flush())
    except zlib.error as exc:
        raise FileRejected(FILE_CORRUPT.format(detail=exc), code="corrupt") from None


def _locate(sheet_name: str, rows: Iterator[list], total_rows: int, spec: HeaderSpec) -> SheetData:
    """Find the header within the first rows (a merged title may sit above it)."""
    limit = spec.max_rows or settings.EXCEL_IMPORT_MAX_ROWS
    if total_rows > limit + HEADER_SCAN_ROWS:
        raise FileRejected(TOO_MANY_ROWS.format(rows=total_rows, limit=limit), code="too_many_rows")
    for row_no, cells in enumerate(rows, start=1):
        if row_no > HEADER_SCAN_ROWS:
            break
        keys = {i: spec.key_of(v) for i, v in enumerate(cells)}
        found = {k for k in keys.values() if k}
        if len(found & spec.required) < min(spec.min_found, len(spec.required)):
            continue
        columns: dict[int, str] = {}
        seen: dict[str, int] = {}
        for index, key in keys.items():
            if not key:
                continue
            if key in seen:
                raise FileRejected(
                    DUPLICATE_COLUMN.format(header=cells[index], first=seen[key] + 1, second=index + 1),
                    code="duplicate_column",
                )
            seen[key] = index
            columns[index] = key
        missing = spec.required - found
        if missing:
            names = "、".join(spec.header_of(k) for k in sorted(missing))
            raise FileRejected(MISSING_COLUMNS.format(columns=names), code="missing_columns")
        headers = {i: str(cells[i]).strip() for i in columns}
        return SheetData(
            sheet_name=sheet_name,
            header_row=row_no,
            columns=columns,
            headers=headers,
            rows=_limited(_numbered(rows, start=row_no + 1), limit),
            total_rows=total_rows,
            header_cells=list(cells),
        )
    raise FileRejected(spec.no_header.format(n=HEADER_SCAN_ROWS), code="no_header")


def _numbered(rows: Iterator[list], *, start: int) -> Iterator[tuple[int, list]]:
    yield from enumerate(rows, start=start)


def _limited(rows: Iterator[tuple[int, list]], limit: int) -> Iterator[tuple[int, list]]:
    """Stop with a clear message when a file (CSV has no row count up front) passes the limit."""
    for count, (row_no, cells) in enumerate(rows, start=1):
        if count > limit:
            raise FileRejected(TOO_MANY_ROWS.format(rows=f"{count} 以上", limit=limit), code="too_many_rows")
        yield row_no, cells


def _read_calamine(data: bytes, spec: HeaderSpec) -> SheetData:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise FileRejected(FILE_ENCRYPTED, code="encrypted") from None
    except (CalamineError, ValueError, OSError) as exc:
        raise FileRejected(FILE_CORRUPT.format(detail=exc), code="corrupt") from None
    last_error: FileRejected | None = None
    parts = _sheet_parts(data)
    for meta in book.sheets_metadata:
        if meta.visible != SheetVisibleEnum.Visible:
            continue
        part = parts.get(meta.name)
        if part is not None:
            rows, total = _piecewise_rows(data, meta.name, part)
        else:  # a layout we do not split (no row numbers): calamine reads the sheet whole
            try:
                sheet = book.get_sheet_by_name(meta.name)
            except Exception as exc:  # noqa: BLE001 - calamine raises several kinds for a broken sheet
                raise FileRejected(FILE_CORRUPT.format(detail=exc), code="corrupt") from None
            rows, total = iter(sheet.iter_rows()), sheet.height
        try:
            return _locate(meta.name, rows, total, spec)
        except FileRejected as exc:
            if exc.code != "no_header":
                raise
            last_error = exc
    raise last_error or FileRejected(spec.no_header.format(n=HEADER_SCAN_ROWS), code="no_header")


# --- .xlsx in pieces -------------------------------------------------------------------------
# python-calamine holds a whole sheet in memory (~60 bytes a cell: 330 MB for 100,000 rows × 54
# columns, and as much again while parsing). A worksheet's XML is a flat list of <row r="n">
# elements, so the sheet is streamed out of the zip and cut at </row> boundaries into small
# workbooks of PIECE_ROWS rows (same styles and shared strings), each read by calamine in turn.
# Rows keep their r= numbers and cells their A1 references, so numbering and columns are those of
# the whole sheet. Memory stays that of one piece whatever the row count.

PIECE_ROWS = 1000
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
_SHEET_DATA = re.compile(rb"<(?:(\w+):)?sheetData\b[^>]*?(/?)>")
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_ROW_START = re.compile(rb"<(?:\w+:)?row\b")
_READ_STEP = 1 << 20


def _sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name → zip entry of its XML (from workbook.xml and its relationships)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        # Two small entries, size-bounded by the zip checks; expat limits entity amplification.
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        targets[rel.get("Id")] = target
    names = set(archive.namelist())
    parts = {}
    for sheet in workbook.iter():
        if sheet.tag.rsplit("}", 1)[-1] == "sheet":
            target = targets.get(sheet.get(_REL_NS + "id"))
            if target in names:
                parts[sheet.get("name")] = target
    return parts


def _piecewise_rows(data: bytes, name: str, part: str) -> tuple[Iterator[list], int]:
    """Rows of one sheet, read PIECE_ROWS at a time; the row count from its <dimension>."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    handle = archive.open(part)  # the zip-bomb checks already bounded every entry
    buffer = b""
    while (match := _SHEET_DATA.search(buffer)) is None:
        chunk = handle.read(_READ_STEP)
        if not chunk or len(buffer) > 16 * _READ_STEP:
            handle.close()
            raise FileRejected(FILE_CORRUPT.format(detail=f"{part}: no sheetData"), code="corrupt")
        buffer += chunk
    head = _DIMENSION.sub(b"", buffer[: match.end()])
    dimension = _DIMENSION_REF.search(buffer[: match.start()])
    total = int(dimension.group(1)) if dimension else 0
    if match.group(2):  # <sheetData/>: no rows at all
        handle.close()
        return iter(()), 0
    prefix = match.group(1) or b""
    close = b"</" + (prefix + b":" if prefix else b"") + b"sheetData></" + _root_tag(head) + b">"
    return _pieces(archive, name, part, handle, head, buffer[match.end() :], close), total


def _root_tag(head: bytes) -> bytes:
    found = re.search(rb"<((?:\w+:)?worksheet)\b", head)
    return found.group(1) if found else b"worksheet"


def _xml_pieces(handle, rest: bytes) -> Iterator[bytes]:
    """The <row> elements of the rest of a sheet, PIECE_ROWS at a time, cut after a </row>."""
    buffer = bytearray(rest)
    eof = False
    while True:
        count = cut = position = 0
        while count < PIECE_ROWS:
            found = buffer.find(b"</row>", position)
            if found >= 0:
                count += 1
                position = cut = found + 6
            elif eof:
                break
            else:
                chunk = handle.read(_READ_STEP)
                if chunk:
                    position = max(len(buffer) - 5, position)
                    buffer += chunk
                else:
                    eof = True
        if count == 0:
            return
        yield bytes(buffer[:cut])
        del buffer[:cut]


def _pieces(archive, name: str, part: str, handle, head: bytes, rest: bytes, close: bytes):
    from python_calamine import CalamineWorkbook

    others = {}
    for info in archive.infolist():
        if info.filename == part:
            continue
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            others[info.filename] = _EMPTY_SHEET  # other sheets are never read: leave them empty
        else:
            others[info.filename] = archive.read(info)
    next_row = None  # the 0-based sheet row the next yielded list stands for
    try:
        for body in _xml_pieces(handle, rest):
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as piece:
                for entry, content in others.items():
                    piece.writestr(entry, content)
                piece.writestr(part, head + body + close)
            try:
                buffer.seek(0)
                sheet = CalamineWorkbook.from_filelike(buffer).get_sheet_by_name(name)
            except Exception as exc:  # noqa: BLE001 - calamine raises several kinds for a broken sheet
                raise FileRejected(FILE_CORRUPT.format(detail=exc), code="corrupt") from None
            del buffer, body
            start = sheet.start
            if start is None:
                continue
            first_row, first_col = start
            if next_row is None:
                next_row = first_row  # as calamine on the whole sheet: from the first used row
            while next_row < first_row:
                yield []
                next_row += 1
            pad = [""] * first_col
            # to_python skips the empty area above the piece (iter_rows would start at row 1).
            for cells in sheet.to_python(skip_empty_area=True):
                yield pad + cells if first_col else cells
                next_row += 1
    finally:
        handle.close()


_EMPTY_SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
)
_DIMENSION_REF = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')


def _read_xls(data: bytes, spec: HeaderSpec) -> SheetData:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except xlrd.biffh.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise FileRejected(FILE_ENCRYPTED, code="encrypted") from None
        raise FileRejected(FILE_CORRUPT.format(detail=exc), code="corrupt") from None
    except Exception as exc:  # noqa: BLE001 - xlrd raises bare struct/assertion errors on junk
        raise FileRejected(FILE_CORRUPT.format(detail=exc), code="corrupt") from None
    last_error: FileRejected | None = None
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        if sheet.visibility != 0:
            continue
        rows = (_xls_row(sheet.row(r), book.datemode) for r in range(sheet.nrows))
        try:
            return _locate(sheet.name, rows, sheet.nrows, spec)
        except FileRejected as exc:
            if exc.code != "no_header":
                raise
            last_error = exc
    raise last_error or FileRejected(spec.no_header.format(n=HEADER_SCAN_ROWS), code="no_header")


def _xls_row(cells, datemode: int) -> list:
    import xlrd

    values = []
    for cell in cells:
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                values.append(xlrd.xldate_as_datetime(cell.value, datemode).date())
            except (ValueError, OverflowError):
                values.append(cell.value)
        elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            values.append("")
        elif cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer() and abs(cell.value) < 1e15:
            values.append(int(cell.value))
        else:
            values.append(cell.value)
    return values


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        # UTF-16 CSVs exist (Excel's "Unicode text"); anything else with NULs is binary.
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:  # an odd byte count, a lone surrogate: not readable text
                raise FileRejected(CSV_ENCODING, code="encoding") from None
        raise FileRejected(FILE_NOT_SPREADSHEET, code="not_spreadsheet")
    head = data[:4096]
    if sum(b < 9 or 13 < b < 32 or b == 127 for b in head) > len(head) // 100:
        raise FileRejected(FILE_NOT_SPREADSHEET, code="not_spreadsheet")  # control bytes: binary
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(CSV_ENCODING, code="encoding")


def _read_csv(data: bytes, filename: str, spec: HeaderSpec) -> SheetData:
    text = _decode(data)
    if not text.strip():
        raise FileRejected(FILE_EMPTY, code="empty")
    sample = text[:8192]
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in sample)
    if printable < len(sample) * 0.95:
        raise FileRejected(FILE_NOT_SPREADSHEET, code="not_spreadsheet")
    first_line = sample.splitlines()[0] if sample else ""
    delimiter = max(",\t;", key=first_line.count) if any(d in sample for d in ",\t;") else ","
    lines = text.count("\n") + 1
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _locate(filename or "CSV", reader, lines, spec)
    except csv.Error as exc:
        raise FileRejected(FILE_CORRUPT.format(detail=exc), code="corrupt") from None
    except FileRejected as exc:
        if exc.code == "no_header" and not any(d in sample for d in ",\t;"):
            raise FileRejected(FILE_NOT_SPREADSHEET, code="not_spreadsheet") from None
        raise

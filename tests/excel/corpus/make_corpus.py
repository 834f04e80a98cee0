"""Regenerate the bad-file corpus: `python tests/excel/corpus/make_corpus.py`.

One small file per way an upload can fail as a whole. The tests (test_bad_files.py) shrink the
limits with settings overrides so that the size and row-limit files stay a few kilobytes.
"""

from __future__ import annotations

import io
import struct
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from tests.excel.helpers import HEADERS, csv_bytes, member_row, workbook_bytes  # noqa: E402

VILLAGE = "211223100001"


def _valid_rows(n: int) -> list[dict]:
    import datetime as dt

    from core.idcard import make_id

    rows = []
    for i in range(n):
        rows.append(
            member_row(
                VILLAGE,
                f"C{i:05d}",
                f"成员{i}",
                make_id("211223", dt.date(1970, 1, 1) + dt.timedelta(days=i), i % 100, male=True),
            )
        )
    return rows


def _zip(entries: dict[str, bytes], *, level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _lying_sizes(data: bytes) -> bytes:
    """Rewrite every declared uncompressed size to 1 KiB (local headers and central directory)."""
    out = bytearray(data)
    i = 0
    while (i := out.find(b"PK\x03\x04", i)) != -1:
        struct.pack_into("<I", out, i + 22, 1024)
        i += 4
    i = 0
    while (i := out.find(b"PK\x01\x02", i)) != -1:
        struct.pack_into("<I", out, i + 24, 1024)
        i += 4
    return bytes(out)


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def build() -> dict[str, bytes]:
    valid = workbook_bytes(_valid_rows(3))
    files = {
        "empty.xlsx": b"",
        "not_a_spreadsheet.pdf.xlsx": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n"
        + bytes(range(256)) * 4,
        "image.png.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        "random_zip.xlsx": _zip({"readme.txt": b"hello"}),
        "truncated.xlsx": valid[: len(valid) // 2],
        "corrupt.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + bytes(range(256)) * 4,
        "header_only.xlsx": workbook_bytes([]),
        "no_header.xlsx": workbook_bytes(
            [{"甲": 1, "乙": 2}], headers=["甲", "乙", "丙"], title="随便一张表"
        ),
        "missing_id_column.xlsx": workbook_bytes(
            _valid_rows(2), headers=[h for h in HEADERS if h != "身份证号"], title=None
        ),
        "duplicate_column.xlsx": workbook_bytes(_valid_rows(2), headers=[*HEADERS, "姓名"], title=None),
        # Limits: the tests set EXCEL_IMPORT_MAX_ROWS = 50 and EXCEL_IMPORT_MAX_BYTES = 64 KiB.
        "too_many_rows.csv": csv_bytes(_valid_rows(80)),
        "too_large.csv": csv_bytes(_valid_rows(3)) + b"," * 70_000,
        # Zip bombs: one entry of 50 MB of zeros (ratio ~1000), many 900 KB entries (declared total
        # above the test limit of 20 MB), and sizes that lie in the headers.
        "zip_bomb_ratio.xlsx": _zip(
            {"[Content_Types].xml": CONTENT_TYPES, "xl/worksheets/sheet1.xml": b"\0" * 50_000_000}
        ),
        "zip_bomb_total.xlsx": _zip(
            {
                "[Content_Types].xml": CONTENT_TYPES,
                **{f"xl/media/p{i}.bin": b"\0" * 900_000 for i in range(30)},
            }
        ),
        "zip_lying_sizes.xlsx": _lying_sizes(
            _zip({"[Content_Types].xml": CONTENT_TYPES, "xl/worksheets/sheet1.xml": b"<a/>" * 2_000_000})
        ),
        "binary_garbage.csv": bytes(range(1, 256)) * 40,
    }
    return files


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    for name, data in build().items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")

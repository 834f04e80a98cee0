"""COPY … FROM STDIN with rows formatted here: psycopg's per-row write_row() adapts every value in
Python and costs more than the work of a chunk; one text buffer per chunk is several times faster."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal


def _field(value) -> str:
    kind = type(value)  # exact types first: this runs once per cell of up to millions of rows
    if kind is str:
        text = value
    elif value is None:
        return "\\N"
    elif kind is bool:
        return "t" if value else "f"
    elif isinstance(value, int | Decimal):
        return str(value)
    elif isinstance(value, list | tuple):  # a bigint[] literal
        return "{" + ",".join(str(v) for v in value) + "}"
    else:
        text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_rows(cursor, table: str, columns: Sequence[str] | None, rows: Iterable[Sequence]) -> None:
    """COPY rows into table (text format, in one buffer)."""
    buffer = "".join("\t".join(map(_field, row)) + "\n" for row in rows)
    cols = f" ({', '.join(columns)})" if columns else ""
    with cursor.copy(f"COPY {table}{cols} FROM STDIN") as copy:
        copy.write(buffer)

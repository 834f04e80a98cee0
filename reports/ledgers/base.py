"""The ledger writer: one sheet per ledger, rows streamed from server-side cursors into xlsxwriter's
constant_memory mode. A title row names region, period and export time; the header is frozen;
widths and number formats per column; a totals row where sums make sense.

Only the approved register (已入库) is counted: every registry ledger starts from
ExportContext.approved(); work in progress has its own sheet (待审核户清单). A sheet without rows
says why in a note row. Every sheet prints as offices print it: landscape (A3 when wide), one page
wide, title and header repeated, 第 N 页 共 M 页, and lines to sign and stamp under the table.

Safety: only the user's scope (every ledger starts from scoping.scoped()), ID numbers and bank
accounts masked (households.privacy) unless the county asked for an export 含完整身份信息 (recorded
in the access log by reports.exporting), and text that starts with
= + - @ (or tab/CR) gets a leading apostrophe so no spreadsheet program evaluates it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from core import privacy, scoping
from core.choices import RegionLevel
from core.excel.cells import FORMULA_FIRST_CHARS
from core.models import Region
from households import selectors

TEXT, INT, MONEY, DECIMAL, DATE, PERCENT = "text", "int", "money", "decimal", "date", "percent"


@dataclass(frozen=True)
class Col:
    """A ledger column. `personal` names the policy's kind of a column holding a household's
    identifying data: write_ledger masks it for the exporting user (full only in an export
    含完整身份信息); row sources yield stored values and never mask by hand."""

    header: str
    width: int = 12
    kind: str = TEXT
    total: bool = False
    personal: privacy.Kind | None = None


@dataclass
class ExportContext:
    """Who exports what: the user, the region to export (inside the user's scope) and the period."""

    user: object
    region: Region | None  # None: the user's whole scope (system admin: everything)
    year: int | None = None
    month: dt.date | None = None  # payment ledgers: the roll month (first of the month)
    now: dt.datetime = field(default_factory=timezone.now)
    full_identity: bool = False
    chunk_size: int = 0

    def __post_init__(self) -> None:
        # Full values only in an export asked for 含完整身份信息 by a user who may reveal (recorded by
        # reports.exporting); every other export masks, whatever the user's permissions.
        self.full_identity = bool(self.full_identity) and privacy.may_reveal(self.user)
        self.chunk_size = self.chunk_size or settings.EXCEL_EXPORT_CHUNK_SIZE
        self._names: dict[str, str] | None = None
        self.cache: dict = {}  # per-export memo (e.g. the roll month both the title and rows need)

    @property
    def prefix(self) -> str:
        return self.region.prefix if self.region is not None else ""

    @property
    def as_of(self) -> dt.date:
        if self.year:
            return dt.date(self.year, 12, 31)
        return timezone.localtime(self.now).date()

    def approved(self, queryset: QuerySet, household_path: str = "") -> QuerySet:
        """Rows of the approved register (selectors.approved_q) in the user's scope and region."""
        return self.scoped(queryset.filter(selectors.approved_q(household_path)))

    def scoped(self, queryset: QuerySet) -> QuerySet:
        """The user's scope, narrowed to the chosen region (never widened: scoped() comes first)."""
        qs = scoping.scoped(queryset, self.user)
        if self.prefix:
            qs = qs.filter(scoping.scope_q(qs.model, self.prefix))
        return qs

    def region_names(self) -> dict[str, str]:
        """Code → name of the counties, townships and villages in scope (a few hundred rows)."""
        if self._names is None:
            qs = self.scoped(Region.objects.filter(level__gte=RegionLevel.COUNTY))
            self._names = dict(qs.values_list("code", "name"))
            if self.region is not None:
                for code, name in Region.objects.filter(
                    code__in=[self.region.code[:6].ljust(12, "0"), self.region.code[:9].ljust(12, "0")]
                ).values_list("code", "name"):
                    self._names.setdefault(code, name)
        return self._names

    def county_name(self, village_code: str) -> str:
        return self.region_names().get(village_code[:6] + "000000", "")

    def township_name(self, village_code: str) -> str:
        return self.region_names().get(village_code[:9] + "000", "")

    def village_name(self, village_code: str) -> str:
        return self.region_names().get(village_code, "")

    def region_title(self) -> str:
        if self.region is None:
            return "全部地区"
        return self.region.full_name() or self.region.name

    def period_title(self) -> str:
        return f"{self.year}年度" if self.year else f"截至{self.as_of:%Y年%m月%d日}"

    def shows(self, kind: privacy.Kind) -> Callable[[str], str]:
        """How a column of this personal kind is written for the exporting user."""
        return privacy.shower(self.user, kind, full=self.full_identity)


def id_col(header: str = "身份证号", width: int = 21) -> Col:
    return Col(header, width, personal=privacy.Kind.ID_NO)


def card_col(header: str = "残疾人证号", width: int = 23) -> Col:
    return Col(header, width, personal=privacy.Kind.DISABILITY_CARD)


def account_col(header: str = "银行账号", width: int = 22) -> Col:
    return Col(header, width, personal=privacy.Kind.BANK_ACCOUNT)


# Print setup: paper sizes of xlsxwriter's set_paper(), and the column width (in characters)
# above which a sheet goes on A3 rather than A4 (A4 landscape holds ~150 at 100 %).
PAPER_A4, PAPER_A3 = 9, 8
A3_ABOVE_WIDTH = 150
PAGE_FOOTER = "&C第 &P 页 共 &N 页"
SIGNATURES = ("制表人：", "审核人：", "单位（盖章）：", "日期：      年    月    日")


class Ledger:
    """A ledger: a sheet name, a title, columns and a row source. Subclasses set the three and
    implement `rows()` (tuples in column order, streamed) and `queryset()` (the scoped rows it
    counts), or override `count()` when a row is not one record of the queryset. `empty_note`
    says why a sheet can have no rows (本期无数据：…)."""

    key: str = ""
    sheet_name: str = ""
    title: str = ""
    columns: tuple[Col, ...] = ()
    empty_note: str = "所选区划和期间没有已入库的记录"

    @property
    def paper(self) -> int:
        return PAPER_A3 if sum(c.width for c in self.columns) > A3_ABOVE_WIDTH else PAPER_A4

    def empty_reason(self, ctx: ExportContext) -> str:
        return self.empty_note

    def queryset(self, ctx: ExportContext):
        raise NotImplementedError

    def count(self, ctx: ExportContext) -> int:
        return self.queryset(ctx).count()

    def period_title(self, ctx: ExportContext) -> str:
        return ctx.period_title()

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        return iter(())


@dataclass
class _Formats:
    title: object
    header: object
    by_kind: dict
    total_label: object
    total_by_kind: dict
    note: object
    signature: object


def _formats(book) -> _Formats:
    base = {"font_size": 10}
    by_kind = {
        TEXT: book.add_format({**base, "num_format": "@"}),
        INT: book.add_format({**base, "num_format": "0"}),
        MONEY: book.add_format({**base, "num_format": "#,##0.00"}),
        DECIMAL: book.add_format({**base, "num_format": "0.00"}),
        DATE: book.add_format({**base, "num_format": "yyyy-mm-dd"}),
        PERCENT: book.add_format({**base, "num_format": "0.00%"}),
    }
    total = {"bold": True, "top": 1, "font_size": 10}
    return _Formats(
        title=book.add_format({"bold": True, "font_size": 14, "valign": "vcenter"}),
        header=book.add_format(
            {
                "bold": True,
                "border": 1,
                "bg_color": "#DDEBF7",
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        ),
        by_kind=by_kind,
        total_label=book.add_format(total),
        total_by_kind={
            kind: book.add_format({**total, "num_format": fmt})
            for kind, fmt in ((INT, "0"), (MONEY, "#,##0.00"), (DECIMAL, "0.00"))
        },
        note=book.add_format({"font_size": 10, "italic": True, "font_color": "#595959"}),
        signature=book.add_format({"font_size": 11}),
    )


def _print_setup(sheet, ledger: Ledger) -> None:
    """Landscape, A3 for wide ledgers, one page wide (as many pages tall as it takes), title and
    header rows on every page, page numbers in the footer."""
    sheet.set_landscape()
    sheet.set_paper(ledger.paper)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, 1)
    sheet.set_footer(PAGE_FOOTER)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.center_horizontally()


def _signature_row(sheet, row: int, n_columns: int, fmt) -> None:
    """制表人 / 审核人 / 单位（盖章）/ 日期, spread under the table (one row, left to right)."""
    step = max(n_columns // len(SIGNATURES), 1)
    for i, label in enumerate(SIGNATURES):
        sheet.write_string(row, min(i * step, n_columns - 1) if n_columns > 1 else 0, label, fmt)


def write_ledger(
    book, ledger: Ledger, ctx: ExportContext, *, progress: Callable[[int], None] | None = None
) -> int:
    """Write one ledger as one sheet; returns the number of data rows written."""
    formats = getattr(book, "_fupin_formats", None)
    if formats is None:
        formats = book._fupin_formats = _formats(book)
    sheet = book.add_worksheet(ledger.sheet_name)
    _print_setup(sheet, ledger)
    columns = ledger.columns
    last_col = len(columns) - 1
    exported = timezone.localtime(ctx.now).strftime("%Y-%m-%d %H:%M")
    title = f"{ctx.region_title()} {ledger.title}（{ledger.period_title(ctx)}）  导出时间：{exported}"
    if last_col > 0:
        sheet.merge_range(0, 0, 0, last_col, title, formats.title)
    else:
        sheet.write_string(0, 0, title, formats.title)
    sheet.set_row(0, 26)
    for c, column in enumerate(columns):
        sheet.set_column(c, c, column.width)
        sheet.write_string(1, c, column.header, formats.header)
    sheet.freeze_panes(2, 0)

    # One bound writer and format per column, computed once: no per-cell type dispatch or format
    # lookup on 6 million cells. The undecorated _write_* methods (xlsxwriter's own fast path
    # behind write_string & co., pinned version) skip the A1-notation argument wrapper per cell.
    plan = []
    for column in columns:
        fmt = formats.by_kind[column.kind]
        shows = ctx.shows(column.personal) if column.personal else None
        if column.kind == TEXT:
            plan.append((True, sheet._write_string, fmt, shows))
        elif column.kind == DATE:
            plan.append((False, sheet._write_datetime, fmt, None))
        else:
            plan.append((False, sheet._write_number, fmt, None))
    totals = [Decimal(0) if column.total else None for column in columns]
    total_cols = [c for c, column in enumerate(columns) if column.total]
    row = 1
    written = 0
    step = ctx.chunk_size
    for values in ledger.rows(ctx):
        row += 1
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            is_text, write, fmt, shows = plan[c]
            if is_text:
                text = value if isinstance(value, str) else str(value)
                if shows is not None:
                    text = shows(text)
                    if not text:
                        continue
                if text[0] in FORMULA_FIRST_CHARS:
                    text = "'" + text
                write(row, c, text, fmt)
            else:
                write(row, c, value, fmt)
        for c in total_cols:
            value = values[c]
            if value is not None and value != "":
                totals[c] += value
        written += 1
        if progress is not None and written % step == 0:
            progress(written)
    if not written:
        # No lone 合计 under an empty table: a note says why there is nothing.
        row += 1
        note = f"本期无数据：{ledger.empty_reason(ctx)}"
        if last_col > 0:
            sheet.merge_range(row, 0, row, last_col, note, formats.note)
        else:
            sheet.write_string(row, 0, note, formats.note)
    elif total_cols:
        row += 1
        sheet.write_string(row, 0, "合计", formats.total_label)
        for c in total_cols:
            kind = columns[c].kind
            sheet.write_number(row, c, totals[c], formats.total_by_kind.get(kind, formats.total_label))
    _signature_row(sheet, row + 2, len(columns), formats.signature)
    if written and last_col > 0:
        sheet.autofilter(1, 0, 1 + written, last_col)
    if progress is not None:
        progress(written)
    return written


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return "是" if value else "否"


def label_map(choices) -> dict:
    return dict(choices.choices) if hasattr(choices, "choices") else dict(choices)

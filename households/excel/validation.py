"""Validate every row of a village workbook and collect every problem by row and column.

Nothing here writes. The checks reuse households.idcard (R17) and households.validators (R18); what
needs the database (village scope, 户编号 taken, ID active elsewhere) is one query per check for the
whole file, never one per row.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from core import scoping
from core.choices import RegionLevel
from core.excel.parsing import FILE_CORRUPT, NO_DATA_ROWS, FileRejected, SheetData
from core.idcard import check_sex_matches, normalize_id, parse_id
from households.choices import MemberStatus, Relation
from households.excel.columns import (
    ACCOUNT,
    BOOL,
    CHOICE,
    COLUMN_BY_KEY,
    DATE,
    DECIMAL,
    IDNO,
    INCOME,
    INT,
    KEY,
    MEMBER,
    MULTI,
    REGION,
    TEXT,
    YEAR,
    Column,
    column_letter,
    fold,
)
from households.models.household import ASSETS_DATE_REQUIRED, ASSETS_SOURCE_REQUIRED
from households.models.member import DISABILITY_GRADE_REQUIRED
from households.validators import check_causes

REQUIRED = "必填项未填写"
TOO_LONG = "内容过长（{n} 个字符，最多 {max} 个）"
NOT_IN_CODES = "“{value}”不在“{column}”代码表中（可选：{options}）"
NOT_IN_CODES_LONG = "“{value}”不在“{column}”代码表中，请从模板的下拉列表中选择"
NOT_A_NUMBER = "“{value}”不是数字"
NEGATIVE = "不能为负数"
NUMBER_TOO_LARGE = "数值 {value} 过大"
NOT_AN_INTEGER = "“{value}”不是整数"
OUT_OF_RANGE = "应在 {low} 到 {high} 之间"
NOT_A_YEAR = "“{value}”不是有效年份（应为四位年份，如 2019）"
NOT_A_BOOL = "“{value}”应填写“是”或“否”"
NOT_A_DATE = "“{value}”不是有效日期（应如 2019-09-30）"
REGION_FORMAT = "村代码“{value}”应为12位数字"
REGION_UNKNOWN = "村代码 {code} 不存在"
REGION_NOT_VILLAGE = "区划代码 {code}（{name}）不是村级区划"
REGION_OUT_OF_SCOPE = "村代码 {code}（{name}）不在您的管辖范围内"
ID_AS_NUMBER = (
    "身份证号以数字格式保存，Excel 只保留15位有效数字，后几位已丢失（读到 {value}）；"
    "请把该列设为文本格式后重新填写"
)
ACCOUNT_AS_NUMBER = "银行账号以数字格式保存，后几位已丢失（读到 {value}）；请把该列设为文本格式后重新填写"
ACCOUNT_FORMAT = "银行账号只能包含数字"
ID_TWICE_IN_FILE = "身份证号在本文件中重复出现（第 {first} 行已填写）"
ID_ACTIVE_IN_SCOPE = "该身份证号已是户编号 {household_no}（{village}）的在册成员"
ID_ACTIVE_ELSEWHERE = "该身份证号已是其他地区某户的在册成员，请先由原地区办理迁出"
HOUSEHOLD_CONFLICT = (
    "同一户（户编号 {household_no}）各行的“{column}”不一致：第 {first} 行为“{a}”，本行为“{b}”"
)
NO_HEAD = "户编号 {household_no} 没有户主：每户必须有且只有一名“户主”"
MANY_HEADS = "户编号 {household_no} 有 {n} 名户主（第 {rows} 行）：每户只能有一名户主"
HOUSEHOLD_NO_TAKEN = "本县已有户编号为 {household_no} 的户"
HOUSEHOLD_NO_TWICE = "户编号 {household_no} 在本县被两个村使用（第 {first} 行为 {village}）"
INCOME_DATES_REQUIRED = "填写了收入金额时必须填写收入年度起止日期"
INCOME_PERIOD_ORDER = "收入年度止日期应晚于起始日期"

_SPLIT = re.compile(r"[、,，;；/\s]+")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S")
_TRUE = frozenset({"是", "Y", "YES", "TRUE", "1", "√", "有", "T"})
_FALSE = frozenset({"否", "N", "NO", "FALSE", "0", "×", "X", "无", "F"})
_CENT = Decimal("0.01")
_MAX_DECIMAL = Decimal("100000000")
_INT_RANGES = {"work_months": (0, 12)}
INCOME_KEYS = frozenset(c.key for c in COLUMN_BY_KEY.values() if c.level == INCOME)


MISSING = object()  # a value the file does not give (the model default applies)


class CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    letter: str
    message: str
    value: str = ""

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "letter": self.letter, "message": self.message}


@dataclass(slots=True)
class HouseholdDraft:
    row: int
    village_id: str
    household_no: str
    values: list  # converted household values in keys order; MISSING where the file gives none
    keys: tuple  # the file's household column keys (one tuple shared by all drafts)
    raw: dict  # cell index → (first row, raw value) of household/income cells
    income: dict
    members: list[tuple] = field(default_factory=list)  # values in ImportPlan.member_keys order
    bad: frozenset[str] | set[str] = frozenset()  # household columns whose cell could not be read
    first_values: list = field(default_factory=list, repr=False)

    @property
    def fields(self) -> dict:
        """Household field → converted value (only what the file gives)."""
        return {k: v for k, v in zip(self.keys, self.values, strict=True) if v is not MISSING}


@dataclass
class ImportPlan:
    households: list[HouseholdDraft]
    errors: list[RowError]
    data_rows: int
    skipped_rows: int
    sheet_name: str
    header_row: int
    member_keys: tuple[str, ...] = ()  # "_row" first; a value MISSING means "not in the file"

    def member_dicts(self, draft: HouseholdDraft):
        """A draft's members as field → value (without "_row" and the missing ones)."""
        keys = self.member_keys[1:]
        for member in draft.members:
            yield {k: v for k, v in zip(keys, member[1:], strict=True) if v is not MISSING}

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def member_count(self) -> int:
        return sum(len(h.members) for h in self.households)


def display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def clean_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        if text and not text.isascii():
            text = unicodedata.normalize("NFKC", text).strip()
        return text
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


# Converters: raw cell → stored value. They raise CellError with the Chinese message.


def _text(column: Column) -> Callable:
    limit = column.max_length

    def convert(value):
        text = clean_text(value)
        if limit and len(text) > limit:
            raise CellError(TOO_LONG.format(n=len(text), max=limit))
        return text

    return convert


def _choice(column: Column) -> Callable:
    lookup = column.lookup
    is_int = column.key == "disability_grade"
    labels = column.labels
    options = "、".join(labels) if len(labels) <= 16 else ""
    cache: dict = {}

    def one(text: str):
        slug = lookup.get(fold(text))
        if slug is None:
            message = NOT_IN_CODES if options else NOT_IN_CODES_LONG
            raise CellError(message.format(value=text, column=column.header, options=options))
        return int(slug) if is_int else slug

    def convert(value):
        try:
            return cache[value]
        except (KeyError, TypeError):
            pass
        result = one(clean_text(value))
        if isinstance(value, str | int):
            cache[value] = result
        return result

    def convert_many(value):
        parts = [p for p in _SPLIT.split(clean_text(value)) if p]
        return [one(p) for p in parts]

    return convert_many if column.kind == MULTI else convert


def _decimal(column: Column) -> Callable:
    def convert(value):
        if isinstance(value, bool):
            raise CellError(NOT_A_NUMBER.format(value=display(value)))
        if isinstance(value, int | float):
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        else:
            text = clean_text(value).replace(",", "").replace("元", "").replace("亩", "")
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise CellError(NOT_A_NUMBER.format(value=display(value))) from None
            if not number.is_finite():
                raise CellError(NOT_A_NUMBER.format(value=display(value)))
        if number < 0:
            raise CellError(NEGATIVE)
        if number >= _MAX_DECIMAL:
            raise CellError(NUMBER_TOO_LARGE.format(value=display(value)))
        return number.quantize(_CENT, rounding=ROUND_HALF_UP)

    return convert


def _integer(column: Column) -> Callable:
    low, high = _INT_RANGES.get(column.key, (0, 32767))
    if column.kind == YEAR:
        low, high = 1980, 2100

    def convert(value):
        if isinstance(value, bool):
            raise CellError(NOT_AN_INTEGER.format(value=display(value)))
        if isinstance(value, float):
            if not value.is_integer():
                raise CellError(NOT_AN_INTEGER.format(value=display(value)))
            number = int(value)
        elif isinstance(value, int):
            number = value
        else:
            text = clean_text(value).removesuffix("年").removesuffix("个月").removesuffix("月")
            if not re.fullmatch(r"-?\d+", text):
                message = NOT_A_YEAR if column.kind == YEAR else NOT_AN_INTEGER
                raise CellError(message.format(value=display(value)))
            number = int(text)
        if not low <= number <= high:
            if column.kind == YEAR:
                raise CellError(NOT_A_YEAR.format(value=display(value)))
            raise CellError(OUT_OF_RANGE.format(low=low, high=high))
        return number

    return convert


def _bool(column: Column) -> Callable:
    def convert(value):
        if isinstance(value, bool):
            return value
        text = fold(clean_text(value))
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CellError(NOT_A_BOOL.format(value=display(value)))

    return convert


def _date(column: Column) -> Callable:
    def convert(value):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = clean_text(value)
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
            except ValueError:
                continue
        raise CellError(NOT_A_DATE.format(value=display(value)))

    return convert


def _region(column: Column) -> Callable:
    def convert(value):
        text = clean_text(value).lstrip("'")
        if not re.fullmatch(r"\d{12}", text):
            raise CellError(REGION_FORMAT.format(value=display(value)))
        return text

    return convert


def _account(column: Column) -> Callable:
    def convert(value):
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e15:
            raise CellError(ACCOUNT_AS_NUMBER.format(value=display(value)))
        text = "".join(clean_text(value).lstrip("'").split()).replace("-", "")
        if _SCIENTIFIC.match(text):
            raise CellError(ACCOUNT_AS_NUMBER.format(value=text))
        if not text.isdigit():
            raise CellError(ACCOUNT_FORMAT)
        if len(text) > column.max_length:
            raise CellError(TOO_LONG.format(n=len(text), max=column.max_length))
        return text

    return convert


def id_from_cell(value: object, *, today: dt.date):
    """An ID number from a cell: numbers (precision lost) and 1.23E+17 strings are refused outright,
    never guessed. Returns (normalized id, IdFacts)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(ID_AS_NUMBER.format(value=display(value)))
    text = clean_text(value).lstrip("'").strip()
    if _SCIENTIFIC.match(text.replace(" ", "")):
        raise CellError(ID_AS_NUMBER.format(value=text))
    number = normalize_id(text)
    try:
        facts = parse_id(number, today=today)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None
    return number, facts


# Kinds whose values repeat down a sheet (codes, 是/否, amounts, dates): convert each once.
_REPEATING = frozenset({CHOICE, MULTI, DECIMAL, INT, YEAR, BOOL, DATE})


def _memo(convert: Callable) -> Callable:
    """Cache a converter by raw cell value, errors included (a bad code is bad on every row)."""
    cache: dict = {}

    def cached(value):
        key = (type(value), value)
        try:
            hit = cache[key]
        except KeyError:
            try:
                hit = cache[key] = (True, convert(value))
            except CellError as exc:
                hit = cache[key] = (False, exc.message)
        except TypeError:
            return convert(value)
        if hit[0]:
            result = hit[1]
            return list(result) if isinstance(result, list) else result
        raise CellError(hit[1])

    return cached


_FACTORIES = {
    TEXT: _text,
    CHOICE: _choice,
    MULTI: _choice,
    DECIMAL: _decimal,
    INT: _integer,
    YEAR: _integer,
    BOOL: _bool,
    DATE: _date,
    REGION: _region,
    ACCOUNT: _account,
}


class _Sink:
    """Collects errors with the header text the file actually uses."""

    def __init__(self, sheet: SheetData):
        self.errors: list[RowError] = []
        self.headers = sheet.headers
        self.index_of = {key: idx for idx, key in sheet.columns.items()}
        self.shared: dict[str, str] = {}  # one object per distinct household cell text
        self.household_keys: tuple[str, ...] = ()
        self.slot: dict[str, int] = {}

    def add(self, row: int, key: str, message: str, value: object = "") -> None:
        idx = self.index_of.get(key)
        header = self.headers.get(idx, COLUMN_BY_KEY[key].header) if idx is not None else ""
        header = header or COLUMN_BY_KEY[key].header
        letter = column_letter(idx) if idx is not None else ""
        self.errors.append(RowError(row, header.rstrip("*"), letter, message, display(value)))


def validate_sheet(sheet: SheetData, *, user, today: dt.date | None = None) -> ImportPlan:
    """Every problem of every row, then the whole-file checks against the database."""
    today = today or timezone.localdate()
    sink = _Sink(sheet)
    household_cols: list[tuple[int, Column, Callable]] = []
    member_cols: list[tuple[int, Column, Callable]] = []
    id_idx = None
    for idx, key in sheet.columns.items():
        column = COLUMN_BY_KEY[key]
        if column.kind == IDNO:
            id_idx = idx
            continue
        if column.level == KEY or column.key in ("member_status", "status_date"):
            continue  # re-survey columns: new households enter as 正常 members
        convert = _FACTORIES[column.kind](column)
        if column.kind in _REPEATING:
            convert = _memo(convert)
        target = member_cols if column.level == MEMBER else household_cols
        target.append((idx, column, convert))
    sink.household_keys = tuple(c.key for _, c, _ in household_cols if c.level != INCOME)
    sink.slot = {key: i for i, key in enumerate(sink.household_keys)}
    index_of = sink.index_of
    village_idx, no_idx, name_idx = index_of["village_id"], index_of["household_no"], index_of["name"]
    width = max(sheet.columns) + 1
    member_keys = ("_row", *(c.key for _, c, _ in member_cols))
    member_keys += tuple(k for k in ("id_no", "birth_date", "sex") if k not in member_keys)
    relation_at = member_keys.index("relation") if "relation" in member_keys else None

    drafts: dict[tuple[str, str], HouseholdDraft] = {}
    seen_ids: dict[str, int] = {}
    data_rows = skipped = 0
    try:
        for row_no, cells in sheet.rows:
            if len(cells) < width:
                cells = list(cells) + [""] * (width - len(cells))
            # Notes under the table (填表人、合计、说明) carry no household, name or ID: not data.
            if _blank(cells[no_idx]) and _blank(cells[id_idx]) and _blank(cells[name_idx]):
                if not all(_blank(v) for v in cells):
                    skipped += 1
                continue
            data_rows += 1
            draft = _household_for_row(row_no, cells, drafts, household_cols, village_idx, no_idx, sink)
            member = {"_row": row_no}
            for idx, column, convert in member_cols:  # the hot loop: _blank() inlined
                value = cells[idx]
                if value == "" or value is None or (value.__class__ is str and value.isspace()):
                    if column.required:
                        sink.add(row_no, column.key, REQUIRED)
                    continue
                try:
                    member[column.key] = convert(value)
                except CellError as exc:
                    sink.add(row_no, column.key, exc.message, value)
            _member_identity(row_no, cells[id_idx], member, seen_ids, sink, today)
            if member.get("disability_type") and not member.get("disability_grade"):
                sink.add(row_no, "disability_grade", DISABILITY_GRADE_REQUIRED)
            draft.members.append(tuple([member.get(k, MISSING) for k in member_keys]))
    except csv.Error as exc:
        raise FileRejected(FILE_CORRUPT.format(detail=exc), code="corrupt") from None

    if data_rows == 0:
        raise FileRejected(NO_DATA_ROWS.format(row=sheet.header_row), code="no_data")
    households = list(drafts.values())
    for draft in households:
        _check_household(draft, sink, relation_at)
        draft.raw, draft.first_values = {}, []  # only the conflict check needed them
    _check_villages(households, user, sink)
    _check_household_numbers(households, sink)
    _check_active_ids(seen_ids, user, sink)
    sink.errors.sort(key=lambda e: (e.row, e.letter.rjust(3)))
    return ImportPlan(
        households=households,
        errors=sink.errors,
        data_rows=data_rows,
        skipped_rows=skipped,
        sheet_name=sheet.sheet_name,
        header_row=sheet.header_row,
        member_keys=member_keys,
    )


def _household_for_row(row_no, cells, drafts, household_cols, village_idx, no_idx, sink) -> HouseholdDraft:
    village_raw, no_raw = cells[village_idx], cells[no_idx]
    village = clean_text(village_raw).lstrip("'")
    number = clean_text(no_raw).lstrip("'")
    if not number:
        sink.add(row_no, "household_no", REQUIRED)
        number = f"#第{row_no}行"
    key = (village, number)
    draft = drafts.get(key)
    if draft is None:
        draft = drafts[key] = HouseholdDraft(
            row_no, "", number, [MISSING] * len(sink.household_keys), sink.household_keys, {}, {}
        )
        fresh = True
    else:
        fresh = False
    # Household columns repeated on every member row: one list comparison skips the lot.
    values = [cells[idx] for idx, _, _ in household_cols]
    if not fresh and values == draft.first_values:
        return draft
    if fresh:
        # Kept until the file ends: equal strings share one object (a repeated code or 是/否 is
        # stored once, not once per household: ~60 MB at 100,000 rows).
        shared = sink.shared
        draft.first_values = [shared.setdefault(v, v) if v.__class__ is str else v for v in values]
    first_values = draft.first_values
    for k, (idx, column, convert) in enumerate(household_cols):
        value = values[k]
        if value == "" or value is None or (isinstance(value, str) and not value.strip()):
            continue
        # The first row's cells live in first_values; raw holds only cells first filled later.
        previous = None if fresh else draft.raw.get(idx)
        if previous is None and not fresh and not _blank(first_values[k]):
            previous = (draft.row, first_values[k])
        if previous is not None:
            first_row, first_value = previous
            if first_value != value and clean_text(first_value) != clean_text(value):
                sink.add(
                    row_no,
                    column.key,
                    HOUSEHOLD_CONFLICT.format(
                        household_no=number,
                        column=column.header,
                        first=first_row,
                        a=display(first_value),
                        b=display(value),
                    ),
                    value,
                )
            continue
        if not fresh:
            draft.raw[idx] = (row_no, value)
        try:
            converted = convert(value)
        except CellError as exc:
            sink.add(row_no, column.key, exc.message, value)
            draft.bad = {*draft.bad, column.key}
            continue
        if column.level == INCOME:
            draft.income[column.key] = converted
        else:
            draft.values[sink.slot[column.key]] = converted
    if fresh and not village:
        sink.add(row_no, "village_id", REQUIRED)
    village_id = draft.values[sink.slot["village_id"]]
    draft.village_id = "" if village_id is MISSING else village_id
    return draft


def _member_identity(row_no, value, member, seen_ids, sink, today) -> None:
    if _blank(value):
        sink.add(row_no, "id_no", REQUIRED)
        return
    try:
        number, facts = id_from_cell(value, today=today)
    except CellError as exc:
        sink.add(row_no, "id_no", exc.message, value)
        return
    member["id_no"] = number
    member["birth_date"] = facts.birth_date
    first = seen_ids.get(number)
    if first is not None:
        sink.add(row_no, "id_no", ID_TWICE_IN_FILE.format(first=first), value)
    else:
        seen_ids[number] = row_no
    sex = member.get("sex")
    if sex is None:
        member["sex"] = facts.sex
    elif sex != facts.sex:
        try:
            check_sex_matches(number, sex)
        except ValidationError as exc:
            sink.add(row_no, "sex", exc.messages[0], sex)


def _check_household(draft: HouseholdDraft, sink: _Sink, relation_at: int | None) -> None:
    if relation_at is None:
        heads, relation_known = [], False
    else:
        heads = [m[0] for m in draft.members if m[relation_at] == Relation.HEAD]
        relation_known = all(m[relation_at] is not MISSING for m in draft.members)
    if not heads and relation_known:
        sink.add(draft.row, "relation", NO_HEAD.format(household_no=draft.household_no))
    elif len(heads) > 1:
        rows = "、".join(str(r) for r in heads)
        for row in heads[1:]:
            sink.add(
                row, "relation", MANY_HEADS.format(household_no=draft.household_no, n=len(heads), rows=rows)
            )
    fields = draft.fields
    main = fields.get("main_cause")
    if main is None:
        if "main_cause" not in draft.bad:
            sink.add(draft.row, "main_cause", REQUIRED)
    else:
        try:
            check_causes([main], fields.get("other_causes", []))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    sink.add(draft.row, key, message)
    income = draft.income
    if income or draft.bad & INCOME_KEYS:
        start, end = income.get("period_start"), income.get("period_end")
        for key, value in (("period_start", start), ("period_end", end)):
            if value is None and key not in draft.bad:
                sink.add(draft.row, key, INCOME_DATES_REQUIRED)
        if start and end and end <= start:
            sink.add(draft.row, "period_end", INCOME_PERIOD_ORDER, end)
        if income.get("financial_assets") is not None:
            for key, message in (
                ("assets_source", ASSETS_SOURCE_REQUIRED),
                ("assets_checked_on", ASSETS_DATE_REQUIRED),
            ):
                if income.get(key) in (None, "") and key not in draft.bad:
                    sink.add(draft.row, key, message)


def _check_villages(households: list[HouseholdDraft], user, sink: _Sink) -> None:
    from core.models import Region

    codes = {h.village_id for h in households if h.village_id}
    found = {
        code: (level, name)
        for code, level, name in Region.objects.filter(code__in=codes).values_list("code", "level", "name")
    }
    prefix = scoping.region_prefix_for(user)
    for draft in households:
        code = draft.village_id
        if not code:
            continue
        if code not in found:
            sink.add(draft.row, "village_id", REGION_UNKNOWN.format(code=code), code)
            continue
        level, name = found[code]
        if level != RegionLevel.VILLAGE:
            sink.add(draft.row, "village_id", REGION_NOT_VILLAGE.format(code=code, name=name), code)
        elif prefix is None or not code.startswith(prefix):
            sink.add(draft.row, "village_id", REGION_OUT_OF_SCOPE.format(code=code, name=name), code)


def _check_household_numbers(households: list[HouseholdDraft], sink: _Sink) -> None:
    from households.models import Household

    by_county: dict[tuple[str, str], HouseholdDraft] = {}
    for draft in households:
        if not draft.village_id or draft.household_no.startswith("#"):
            continue
        key = (draft.village_id[:6], draft.household_no)
        other = by_county.get(key)
        if other is not None:
            sink.add(
                draft.row,
                "household_no",
                HOUSEHOLD_NO_TWICE.format(
                    household_no=draft.household_no, first=other.row, village=other.village_id
                ),
            )
        else:
            by_county[key] = draft
    # One query with array parameters (an IN list of 30,000 literals costs seconds to build);
    # the same expression as the unique index (county digits, 户编号), so the index answers it.
    table = Household._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT SUBSTRING("village_id", 1, 6), "household_no" FROM "{table}" '
            'WHERE SUBSTRING("village_id", 1, 6) = ANY(%s) AND "household_no" = ANY(%s)',
            [sorted({county for county, _ in by_county}), sorted({no for _, no in by_county})],
        )
        taken = set(cursor.fetchall())
    for key in sorted(taken & by_county.keys()):
        draft = by_county[key]
        sink.add(draft.row, "household_no", HOUSEHOLD_NO_TAKEN.format(household_no=draft.household_no))


def _check_active_ids(seen_ids: dict[str, int], user, sink: _Sink) -> None:
    from households.models import Member

    prefix = scoping.region_prefix_for(user) or ""
    member, household = Member._meta.db_table, Member._meta.get_field("household").related_model._meta
    region = household.get_field("village").related_model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT m."id_no", h."household_no", h."village_id", r."name" FROM "{member}" m '
            f'JOIN "{household.db_table}" h ON h."id" = m."household_id" '
            f'JOIN "{region.db_table}" r ON r."{region.pk.column}" = h."village_id" '
            'WHERE m."id_no" = ANY(%s) AND m."member_status" = %s',
            [list(seen_ids), MemberStatus.NORMAL],
        )
        rows = cursor.fetchall()
    for id_no, household_no, village_id, village_name in rows:
        if prefix is not None and village_id.startswith(prefix):
            message = ID_ACTIVE_IN_SCOPE.format(household_no=household_no, village=village_name)
        else:
            message = ID_ACTIVE_ELSEWHERE
        sink.add(seen_ids[id_no], "id_no", message, id_no)

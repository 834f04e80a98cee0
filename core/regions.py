"""Loading a region tree (统计用区划代码) from a CSV or .xlsx file: parse, validate every row, upsert.

All-or-nothing: any bad row aborts the load and every error names its row (row 1 is the header).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from core.choices import PREFIX_LENGTH, RegionLevel, UrbanRuralCode
from core.models import Region

REQUIRED_COLUMNS = ("code", "name", "level", "parent_code")
OPTIONAL_COLUMNS = ("urban_rural_code",)

FILE_TYPE_WRONG = "只支持 .csv 或 .xlsx 文件：{name}"
FILE_EMPTY = "文件没有数据行"
COLUMNS_MISSING = "缺少列：{columns}（应有列 code,name,level,parent_code,urban_rural_code）"
ROW_ERROR = "第{row}行：{message}"
CODE_WRONG = "区划代码“{code}”应为12位数字"
CODE_DUPLICATE = "区划代码 {code} 与第{other}行重复"
CODE_LEVEL_MISMATCH = "区划代码 {code} 与级别“{level}”不符（该级代码第{start}位起应全为0）"
CODE_SEGMENT_ZERO = "区划代码 {code} 的{level}级代码段（第{start}-{end}位）不能全为0"
NAME_EMPTY = "名称不能为空"
LEVEL_WRONG = "级别“{level}”无效，应为 省/市/县/乡镇/村（或 province/city/county/township/village）"
PARENT_CODE_WRONG = "上级区划代码“{code}”应为12位数字"
PARENT_MISSING = "上级区划代码 {code} 在文件和数据库中都不存在"
PARENT_REQUIRED = "{level}级区划必须填写上级区划代码"
PARENT_PREFIX_WRONG = "区划代码 {code} 不以上级 {parent} 的前缀 {prefix} 开头"
PARENT_LEVEL_WRONG = "上级区划 {parent} 的级别（{parent_level}）应高于本级（{level}）"
URBAN_RURAL_WRONG = "城乡分类代码“{value}”无效，应为 111/112/121/122/123/210/220 之一"
URBAN_RURAL_NOT_VILLAGE = "只有村级区划才有城乡分类代码"

_LEVEL_WORDS = {
    "province": RegionLevel.PROVINCE,
    "省": RegionLevel.PROVINCE,
    "city": RegionLevel.CITY,
    "市": RegionLevel.CITY,
    "county": RegionLevel.COUNTY,
    "县": RegionLevel.COUNTY,
    "township": RegionLevel.TOWNSHIP,
    "乡镇": RegionLevel.TOWNSHIP,
    "乡": RegionLevel.TOWNSHIP,
    "镇": RegionLevel.TOWNSHIP,
    "village": RegionLevel.VILLAGE,
    "村": RegionLevel.VILLAGE,
}
_LEVEL_WORDS.update({str(int(level)): level for level in RegionLevel})
_URBAN_RURAL = {choice.value for choice in UrbanRuralCode}


@dataclass(frozen=True)
class RegionRow:
    row: int
    code: str
    name: str
    level: RegionLevel
    parent_code: str
    urban_rural_code: str


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int


def _cell(value) -> str:
    """Spreadsheets hand codes back as floats (211223000000.0); make every cell plain text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(path: str | Path) -> list[dict[str, str]]:
    """Rows of the first sheet (xlsx) or the CSV (UTF-8, BOM tolerated), keyed by lower-case header."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            raw = list(csv.reader(handle))
    elif suffix in {".xlsx", ".xlsm", ".xls"}:
        from python_calamine import CalamineWorkbook

        raw = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    else:
        raise ValidationError(FILE_TYPE_WRONG.format(name=path.name))
    if not raw:
        raise ValidationError(FILE_EMPTY)
    header = [_cell(h).lower() for h in raw[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(COLUMNS_MISSING.format(columns=",".join(missing)))
    rows = []
    for values in raw[1:]:
        cells = [_cell(v) for v in values]
        rows.append({name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)})
    return rows


def parse_rows(table: list[dict[str, str]]) -> list[RegionRow]:
    """Validate every row against the file itself and the regions already stored."""
    errors: list[str] = []
    parsed: list[RegionRow] = []
    first_row_of: dict[str, int] = {}
    for index, record in enumerate(table, start=2):
        if not any(record.values()):
            continue  # blank line
        problems: list[str] = []
        code = record.get("code", "")
        name = record.get("name", "")
        level_text = record.get("level", "")
        parent_code = record.get("parent_code", "")
        urban_rural = record.get("urban_rural_code", "")
        level = _LEVEL_WORDS.get(level_text.lower())
        if not (len(code) == 12 and code.isdigit()):
            problems.append(CODE_WRONG.format(code=code))
        elif code in first_row_of:
            problems.append(CODE_DUPLICATE.format(code=code, other=first_row_of[code]))
        else:
            first_row_of[code] = index
        if not name:
            problems.append(NAME_EMPTY)
        if level is None:
            problems.append(LEVEL_WRONG.format(level=level_text))
        elif len(code) == 12 and code.isdigit() and code[PREFIX_LENGTH[level] :].strip("0"):
            problems.append(
                CODE_LEVEL_MISMATCH.format(code=code, level=level.label, start=PREFIX_LENGTH[level] + 1)
            )
        elif len(code) == 12 and code.isdigit() and level > RegionLevel.PROVINCE:
            start, end = PREFIX_LENGTH[RegionLevel(level - 1)], PREFIX_LENGTH[level]
            if not code[start:end].strip("0"):
                problems.append(
                    CODE_SEGMENT_ZERO.format(code=code, level=level.label, start=start + 1, end=end)
                )
        if parent_code and not (len(parent_code) == 12 and parent_code.isdigit()):
            problems.append(PARENT_CODE_WRONG.format(code=parent_code))
        if not parent_code and level is not None and level > RegionLevel.CITY:
            problems.append(PARENT_REQUIRED.format(level=level.label))
        if urban_rural:
            if urban_rural not in _URBAN_RURAL:
                problems.append(URBAN_RURAL_WRONG.format(value=urban_rural))
            elif level is not None and level != RegionLevel.VILLAGE:
                problems.append(URBAN_RURAL_NOT_VILLAGE)
        if problems:
            errors.extend(ROW_ERROR.format(row=index, message=p) for p in problems)
            continue
        parsed.append(RegionRow(index, code, name, level, parent_code, urban_rural))

    # Parents: in the file or already stored; the child's code must start with the parent's prefix.
    in_file = {r.code: r.level for r in parsed}
    wanted = {r.parent_code for r in parsed if r.parent_code and r.parent_code not in in_file}
    stored = dict(Region.objects.filter(code__in=wanted).values_list("code", "level"))
    for r in parsed:
        if not r.parent_code:
            continue
        parent_level = in_file.get(r.parent_code) or stored.get(r.parent_code)
        if parent_level is None:
            if r.parent_code not in first_row_of:  # a bad parent row is already reported
                errors.append(ROW_ERROR.format(row=r.row, message=PARENT_MISSING.format(code=r.parent_code)))
            continue
        parent_level = RegionLevel(parent_level)
        if parent_level >= r.level:
            errors.append(
                ROW_ERROR.format(
                    row=r.row,
                    message=PARENT_LEVEL_WRONG.format(
                        parent=r.parent_code, parent_level=parent_level.label, level=r.level.label
                    ),
                )
            )
            continue
        prefix = r.parent_code[: PREFIX_LENGTH[parent_level]]
        if not r.code.startswith(prefix):
            errors.append(
                ROW_ERROR.format(
                    row=r.row,
                    message=PARENT_PREFIX_WRONG.format(code=r.code, parent=r.parent_code, prefix=prefix),
                )
            )
    if errors:
        raise ValidationError(errors)
    if not parsed:
        raise ValidationError(FILE_EMPTY)
    return parsed


@transaction.atomic
def load_regions(*, path: str | Path, synthetic: bool = False) -> LoadResult:
    """Upsert the regions of a file. Names, levels, parents and 城乡分类代码 follow the file; the
    poverty flags and exit class set in the system are kept. Nothing is written if any row is bad."""
    rows = parse_rows(read_table(path))
    existing = set(Region.objects.filter(code__in=[r.code for r in rows]).values_list("code", flat=True))
    objects = [
        Region(
            code=r.code,
            name=r.name,
            level=r.level,
            parent_id=r.parent_code or None,
            urban_rural_code=r.urban_rural_code,
            is_synthetic=synthetic,
        )
        for r in sorted(rows, key=lambda r: (r.level, r.code))
    ]
    # Foreign keys are deferred on PostgreSQL, so parent order within the batch does not matter.
    Region.objects.bulk_create(
        objects,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "level", "parent", "urban_rural_code", "is_synthetic"],
    )
    return LoadResult(created=len(rows) - len(existing), updated=len(existing))

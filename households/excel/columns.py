"""The village import layout: one row per member, household columns repeated on each row.

Rows that share a 户编号 (within one 村代码) form one household. Household columns may be filled on
every row or only on the first row of the household; where two rows of the same household disagree
the import reports it. This is what village clerks already keep (one line per person), and it needs
no second sheet to join.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models

from core.excel.parsing import HeaderSpec
from households.choices import (
    ETHNICITY_CHOICES,
    AssetSource,
    DangerLevel,
    DisabilityGrade,
    DisabilityType,
    Education,
    Health,
    HouseStructure,
    IdentifyStandard,
    Labor,
    MemberStatus,
    PovertyAttribute,
    PovertyCause,
    PovertyStatus,
    Relation,
    RoadType,
    SchoolStatus,
    Sex,
    WorkStatus,
)

HOUSEHOLD = "household"
MEMBER = "member"
INCOME = "income"

TEXT, CHOICE, MULTI, INT, YEAR, DECIMAL, BOOL, DATE, IDNO, REGION, ACCOUNT = (
    "text",
    "choice",
    "multi",
    "int",
    "year",
    "decimal",
    "bool",
    "date",
    "idno",
    "region",
    "account",
)

BOOL_LABELS = ("是", "否")


@dataclass(frozen=True)
class Column:
    key: str  # model field name (attname for the level's model)
    header: str  # Chinese header in the template
    level: str
    kind: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    example: object = ""
    width: int = 12
    aliases: tuple[str, ...] = ()
    max_length: int = 0
    note: str = ""
    lookup: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def labels(self) -> list[str]:
        if self.kind == BOOL:
            return list(BOOL_LABELS)
        return [label for _, label in self.choices]


def _choices(enum: type[models.Choices] | list) -> tuple[tuple[str, str], ...]:
    pairs = enum.choices if hasattr(enum, "choices") else enum
    return tuple((str(value), str(label)) for value, label in pairs)


def fold(text: str) -> str:
    """What two spellings of the same word share: NFKC (full-width → ASCII), no spaces, upper."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).upper()


def _lookup(column: Column) -> dict[str, str]:
    """Label, slug and a few local spellings → slug."""
    table: dict[str, str] = {}
    for value, label in column.choices:
        table[fold(label)] = value
        table[fold(value)] = value
        short = label.split("（")[0]
        table.setdefault(fold(short), value)
    if column.key == "ethnicity":
        for value, label in column.choices:
            table.setdefault(fold(label.removesuffix("族")), value)
            table.setdefault(fold(str(int(value))), value)
    if column.key == "danger_level":
        for value in ("A", "B", "C", "D"):
            table[fold(f"{value}级危房")] = value
        table[fold("非危房")] = DangerLevel.NONE
    if column.key == "disability_grade":
        for value, _ in column.choices:
            table[fold(f"{value}级")] = value
    if column.key == "sex":
        table["男性"], table["女性"] = Sex.MALE, Sex.FEMALE
    return table


def _col(key, header, level, kind, **kwargs) -> Column:
    column = Column(key, header, level, kind, **kwargs)
    if column.choices:
        column.lookup.update(_lookup(column))
    return column


COLUMNS: tuple[Column, ...] = (
    # Household (户) columns
    _col(
        "village_id",
        "村代码",
        HOUSEHOLD,
        REGION,
        required=True,
        example="211223100001",
        width=15,
        aliases=("村区划代码", "区划代码", "行政区划代码"),
        note="12位统计用区划代码",
    ),
    _col("group_name", "村民小组", HOUSEHOLD, TEXT, example="一组", max_length=50, aliases=("组",)),
    _col(
        "household_no",
        "户编号",
        HOUSEHOLD,
        TEXT,
        required=True,
        example="XF0001",
        width=12,
        max_length=30,
        aliases=("户号",),
        note="同户各成员填写相同户编号",
    ),
    _col("phone", "联系电话", HOUSEHOLD, TEXT, example="13800000000", width=14, max_length=20),
    _col("bank_name", "开户银行", HOUSEHOLD, TEXT, example="西丰县农村信用社", width=16, max_length=60),
    _col(
        "bank_account",
        "银行账号",
        HOUSEHOLD,
        ACCOUNT,
        example="6217000000000000000",
        width=22,
        max_length=40,
        aliases=("银行卡号", "账号"),
    ),
    _col(
        "identify_standard",
        "识别标准",
        HOUSEHOLD,
        CHOICE,
        choices=_choices(IdentifyStandard),
        example="国家标准",
    ),
    _col(
        "attribute",
        "贫困户属性",
        HOUSEHOLD,
        CHOICE,
        choices=_choices(PovertyAttribute),
        example="一般贫困户",
        width=16,
    ),
    _col(
        "main_cause",
        "主要致贫原因",
        HOUSEHOLD,
        CHOICE,
        required=True,
        choices=_choices(PovertyCause),
        example="因病",
        width=14,
    ),
    _col(
        "other_causes",
        "其他致贫原因",
        HOUSEHOLD,
        MULTI,
        choices=_choices(PovertyCause),
        example="缺技术、缺资金",
        width=16,
        note="最多两项，用顿号或逗号分隔",
    ),
    _col(
        "poverty_status",
        "脱贫状态",
        HOUSEHOLD,
        CHOICE,
        choices=_choices(PovertyStatus),
        example="未脱贫",
        width=14,
    ),
    _col("identify_year", "识别年度", HOUSEHOLD, YEAR, example=2016),
    _col("plan_exit_year", "计划脱贫年度", HOUSEHOLD, YEAR, example=2019),
    _col("exit_year", "脱贫年度", HOUSEHOLD, YEAR, example=""),
    _col("is_military_family", "军烈属", HOUSEHOLD, BOOL, example="否"),
    _col("is_relocated", "易地扶贫搬迁户", HOUSEHOLD, BOOL, example="否", width=14),
    _col("land_arable", "耕地面积(亩)", HOUSEHOLD, DECIMAL, example=3.5),
    _col("land_forest", "林地面积(亩)", HOUSEHOLD, DECIMAL, example=0),
    _col("has_safe_water", "饮水安全", HOUSEHOLD, BOOL, example="是"),
    _col("road_type", "入户路类型", HOUSEHOLD, CHOICE, choices=_choices(RoadType), example="水泥/沥青路"),
    _col("house_area", "住房面积(㎡)", HOUSEHOLD, DECIMAL, example=80),
    _col(
        "house_structure",
        "房屋结构",
        HOUSEHOLD,
        CHOICE,
        choices=_choices(HouseStructure),
        example="砖木",
    ),
    _col("danger_level", "危房等级", HOUSEHOLD, CHOICE, choices=_choices(DangerLevel), example="无"),
    # Income (one IncomeYear per household, optional): yuan per year
    _col("period_start", "收入年度起", INCOME, DATE, example="2018-10-01", width=12),
    _col("period_end", "收入年度止", INCOME, DATE, example="2019-09-30", width=12),
    _col("wage", "工资性收入", INCOME, DECIMAL, example=6000),
    _col("business_income", "生产经营性收入", INCOME, DECIMAL, example=2000, width=14),
    _col("business_expense", "生产经营性支出", INCOME, DECIMAL, example=500, width=14),
    _col("property_dividend", "资产收益扶贫分红", INCOME, DECIMAL, example=300, width=16),
    _col("property_other", "其他财产性收入", INCOME, DECIMAL, example=0, width=14),
    _col("transfer_dibao", "低保金", INCOME, DECIMAL, example=0),
    _col("transfer_tekun", "特困供养金", INCOME, DECIMAL, example=0),
    _col("transfer_pension", "养老保险金", INCOME, DECIMAL, example=1200),
    _col("transfer_eco", "生态补偿金", INCOME, DECIMAL, example=0),
    _col("transfer_disability", "两项补贴", INCOME, DECIMAL, example=0),
    _col("transfer_family_planning", "计划生育金", INCOME, DECIMAL, example=0),
    _col("transfer_other", "其他转移性收入", INCOME, DECIMAL, example=0, width=14),
    _col(
        "financial_assets",
        "家庭金融资产",
        INCOME,
        DECIMAL,
        example=12000,
        width=14,
        note="存款、有价证券、商业保险现金价值等合计（元）；未核对的留空",
    ),
    _col(
        "assets_source",
        "资产核对来源",
        INCOME,
        CHOICE,
        choices=_choices(AssetSource),
        example="银行核对",
        width=16,
    ),
    _col("assets_checked_on", "资产核对日期", INCOME, DATE, example="2019-09-30", width=12),
    # Member (成员) columns
    _col("name", "姓名", MEMBER, TEXT, required=True, example="张三", max_length=50, aliases=("成员姓名",)),
    _col(
        "id_no",
        "身份证号",
        MEMBER,
        IDNO,
        required=True,
        example="11010519491231002X",
        width=21,
        aliases=("身份证号码", "证件号码", "公民身份号码"),
        note="请以文本格式填写18位号码",
    ),
    _col("sex", "性别", MEMBER, CHOICE, choices=_choices(Sex), example="女", width=6),
    _col(
        "relation",
        "与户主关系",
        MEMBER,
        CHOICE,
        required=True,
        choices=_choices(Relation),
        example="户主",
    ),
    _col("ethnicity", "民族", MEMBER, CHOICE, choices=_choices(ETHNICITY_CHOICES), example="汉族", width=10),
    _col("education", "文化程度", MEMBER, CHOICE, choices=_choices(Education), example="初中"),
    _col(
        "school_status",
        "在校生状况",
        MEMBER,
        CHOICE,
        choices=_choices(SchoolStatus),
        example="非在校生",
    ),
    _col("health", "健康状况", MEMBER, CHOICE, choices=_choices(Health), example="长期慢性病"),
    _col("disability_type", "残疾类别", MEMBER, CHOICE, choices=_choices(DisabilityType), example=""),
    _col("disability_grade", "残疾等级", MEMBER, CHOICE, choices=_choices(DisabilityGrade), example=""),
    _col("labor", "劳动技能", MEMBER, CHOICE, choices=_choices(Labor), example="普通劳动力"),
    _col("work_status", "务工状况", MEMBER, CHOICE, choices=_choices(WorkStatus), example="未务工", width=16),
    _col("work_months", "务工月数", MEMBER, INT, example=0),
    _col("in_medical_ins", "参加医保", MEMBER, BOOL, example="是", aliases=("医保", "城乡居民医保")),
    _col("in_critical_ins", "参加大病保险", MEMBER, BOOL, example="是", aliases=("大病保险",)),
    _col("in_pension", "参加养老保险", MEMBER, BOOL, example="否", aliases=("养老保险",)),
    _col("is_soldier", "现役军人", MEMBER, BOOL, example="否"),
)

# Re-survey (年度动态调整) workbooks add the record keys and the member status; the import template
# does not carry them and the import ignores them.
KEY = "key"
KEY_COLUMNS: tuple[Column, ...] = (
    _col("household_pk", "系统户号", KEY, INT, width=10, note="系统生成，请勿修改"),
    _col("member_pk", "系统成员号", KEY, INT, width=10, note="系统生成，请勿修改；新增成员留空"),
    _col("income_pk", "系统收入号", KEY, INT, width=10, note="系统生成，请勿修改"),
)
STATUS_COLUMNS: tuple[Column, ...] = (
    _col("member_status", "成员状态", MEMBER, CHOICE, choices=_choices(MemberStatus), example="正常"),
    _col("status_date", "状态变动日期", MEMBER, DATE, width=12, note="成员死亡、迁出等时填写"),
)
RESURVEY_COLUMNS = KEY_COLUMNS + COLUMNS + STATUS_COLUMNS

COLUMN_BY_KEY = {c.key: c for c in RESURVEY_COLUMNS}
REQUIRED_KEYS = frozenset(c.key for c in COLUMNS if c.required)
# Headers as clerks write them (with *, 必填 marks, full-width brackets, spaces) → column key.
HEADER_LOOKUP: dict[str, str] = {}
for _c in RESURVEY_COLUMNS:
    for _name in (_c.header, *_c.aliases):
        HEADER_LOOKUP[fold(_name)] = _c.key


def header_key(raw: object) -> str | None:
    if not isinstance(raw, str):
        return None
    text = fold(raw).replace("*", "").replace("(必填)", "").replace("必填", "")
    return HEADER_LOOKUP.get(text)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


ZERO = Decimal("0.00")


# The registry import's header (core.excel.parsing reads every upload; this is how ours names its columns).
NO_HEADER = "未找到表头：前 {n} 行中没有“村代码”“户编号”“姓名”“身份证号”“与户主关系”等列名，请使用导入模板"
REGISTRY_HEADERS = HeaderSpec(
    header_key, frozenset(REQUIRED_KEYS), lambda key: COLUMN_BY_KEY[key].header, no_header=NO_HEADER
)

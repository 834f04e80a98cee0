"""Bank layouts as configuration data: which fields each part of a layout may hold, the presets a
county starts from (then edits), the checks before a roll is sent, and the snapshot a batch keeps.

A layout has four parts (LayoutSection): the 代发 detail line and totals row the county sends, and
the 回盘 detail line and totals row the bank sends back. Excel/CSV columns are found by their
header; text files by position (fixed width in bytes of the file's encoding, or a separator)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from assistance.choices import (
    TEXT_FORMATS,
    BankChannel,
    BankEncoding,
    BankFileFormat,
    FailureReason,
    LayoutField,
    LayoutSection,
    Program,
    TotalsRow,
)

F, S = LayoutField, LayoutSection

SECTION_FIELDS: dict[str, frozenset[str]] = {
    S.DETAIL: frozenset({
        F.LINE_NO, F.BATCH_NO, F.ACCOUNT, F.PAYEE_NAME, F.ID_NO, F.AMOUNT, F.AMOUNT_FEN, F.PROJECT_CODE,
        F.PROJECT_NAME, F.MONTH, F.BANK_NAME, F.COUNTY, F.TOWNSHIP, F.VILLAGE, F.HOUSEHOLD_NO, F.NOTE,
        F.LABEL, F.FILLER,
    }),
    S.TOTAL: frozenset({
        F.LABEL, F.BATCH_NO, F.COUNT, F.AMOUNT, F.AMOUNT_FEN, F.PROJECT_CODE, F.PROJECT_NAME, F.MONTH,
        F.SENT_DATE, F.FILLER,
    }),
    S.RESULT: frozenset({
        F.LINE_NO, F.BATCH_NO, F.ACCOUNT, F.PAYEE_NAME, F.ID_NO, F.AMOUNT, F.AMOUNT_FEN, F.RESULT,
        F.REASON_CODE, F.REASON_TEXT, F.FILLER,
    }),
    S.RESULT_TOTAL: frozenset({F.LABEL, F.BATCH_NO, F.COUNT, F.AMOUNT, F.AMOUNT_FEN, F.FILLER}),
}  # fmt: skip
# Fields a part must have (a pair means one of the two): the bank pays an account a sum; a 回盘
# line names its line number, its sum and what happened.
SECTION_REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    S.DETAIL: ((F.LINE_NO,), (F.ACCOUNT,), (F.PAYEE_NAME,), (F.AMOUNT, F.AMOUNT_FEN)),
    S.TOTAL: ((F.COUNT,), (F.AMOUNT, F.AMOUNT_FEN)),
    S.RESULT: ((F.LINE_NO,), (F.AMOUNT, F.AMOUNT_FEN), (F.RESULT,)),
    S.RESULT_TOTAL: ((F.COUNT,), (F.AMOUNT, F.AMOUNT_FEN)),
}
# Fields that may repeat in a part (fixed text and blanks).
REPEATABLE = frozenset({F.LABEL, F.FILLER})

NOT_IN_SECTION = "“{section}”不能包含“{field}”"
MISSING_FIELD = "“{section}”缺少“{field}”"
REPEATED_FIELD = "“{section}”中“{field}”出现了两次"
NO_WIDTH = "定长文本的“{section}”第{n}列（{field}）没有填写宽度"
NO_HEADER = "“{section}”第{n}列（{field}）没有填写列名"
TOTALS_TOP_IN_SHEET = "Excel 或 csv 表格的汇总行只能放在末行"
TOTALS_LABEL_REQUIRED = "Excel 或 csv 表格的“{section}”须以“固定文字”列开头（如“合计”），以便识别汇总行"
NO_SEPARATOR = "分隔符文本须填写分隔符"
NO_PAID_VALUES = "请填写回盘“成功”标志"
NO_PROJECT = "该格式没有“{program}”的补贴项目代码，请先在格式中补充"
LAYOUT_INACTIVE = "该代发文件格式已停用"
LAYOUT_OTHER_COUNTY = "该代发文件格式不属于本县"
LAYOUT_PROBLEMS = "代发文件格式“{name}”有误：{problems}"


def split_values(text: str) -> list[str]:
    """'成功, 0000、S' → ['成功', '0000', 'S'] (commas, 顿号, full-width commas or spaces)."""
    return [v for v in re.split(r"[,，、;；\s]+", text or "") if v]


@dataclass(frozen=True)
class Column:
    field: str
    header: str = ""
    width: int | None = None
    right: bool = False
    zero: bool = False

    def as_dict(self) -> dict:
        return {"field": self.field, "header": self.header, "width": self.width, "right": self.right,
                "zero": self.zero}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict) -> Column:
        return cls(data["field"], data.get("header", ""), data.get("width"), bool(data.get("right")),
                   bool(data.get("zero")))  # fmt: skip


def section_problems(*, section: str, columns: list[Column], file_format: str, totals_row: str) -> list[str]:
    label = LayoutSection(section).label
    problems = []
    if section in (S.TOTAL, S.RESULT_TOTAL) and totals_row == TotalsRow.NONE:
        return problems  # no totals row: its columns, if any, are not used
    seen: set[str] = set()
    for n, column in enumerate(columns, 1):
        field_label = LayoutField(column.field).label
        if column.field not in SECTION_FIELDS[section]:
            problems.append(NOT_IN_SECTION.format(section=label, field=field_label))
        if column.field in seen and column.field not in REPEATABLE:
            problems.append(REPEATED_FIELD.format(section=label, field=field_label))
        seen.add(column.field)
        if file_format == BankFileFormat.FIXED and not column.width:
            problems.append(NO_WIDTH.format(section=label, n=n, field=field_label))
        if file_format not in TEXT_FORMATS and not column.header and column.field != F.FILLER:
            problems.append(NO_HEADER.format(section=label, n=n, field=field_label))
    for options in SECTION_REQUIRED[section]:
        if not seen & set(options):
            names = "或".join(LayoutField(o).label for o in options)
            problems.append(MISSING_FIELD.format(section=label, field=names))
    if (
        section in (S.TOTAL, S.RESULT_TOTAL)
        and file_format not in TEXT_FORMATS
        and (not columns or columns[0].field != F.LABEL)
    ):
        problems.append(TOTALS_LABEL_REQUIRED.format(section=label))
    return problems


def layout_problems(spec: dict, program: str | None = None) -> list[str]:
    """Everything that keeps a layout (as a spec) from being used, in Chinese; [] when it is usable."""
    problems = []
    file_format, totals_row = spec["file_format"], spec["totals_row"]
    if file_format not in TEXT_FORMATS and totals_row == TotalsRow.TOP:
        problems.append(TOTALS_TOP_IN_SHEET)
    if file_format == BankFileFormat.DELIMITED and not spec.get("separator"):
        problems.append(NO_SEPARATOR)
    if not spec["values"]["paid"]:
        problems.append(NO_PAID_VALUES)
    for section in LayoutSection:
        columns = [Column.from_dict(c) for c in spec["sections"].get(section, [])]
        problems += section_problems(
            section=section, columns=columns, file_format=file_format, totals_row=totals_row
        )
    uses_project = any(
        c["field"] in (F.PROJECT_CODE, F.PROJECT_NAME)
        for section in (S.DETAIL, S.TOTAL)
        for c in spec["sections"].get(section, [])
    )
    if program is not None and uses_project and not spec.get("project", {}).get("code"):
        problems.append(NO_PROJECT.format(program=Program(program).label))
    return problems


def spec_of(layout, program: str | None = None) -> dict:
    """The layout as plain data (what a batch keeps), with the 补贴项目 of `program`."""
    sections: dict[str, list[dict]] = {s.value: [] for s in LayoutSection}
    for column in layout.columns.order_by("section", "position", "id"):
        sections[column.section].append(
            Column(
                column.field, column.header.strip(), column.width, column.right_align, column.zero_pad
            ).as_dict()
        )
    project = {}
    if program is not None:
        found = layout.projects.filter(program=program).first()
        if found is not None:
            project = {"code": found.code, "name": found.name}
    return {
        "name": layout.name,
        "payer": layout.payer,
        "channel": layout.channel,
        "file_format": layout.file_format,
        "encoding": layout.encoding,
        "separator": layout.separator,
        "totals_row": layout.totals_row,
        "values": {
            "paid": split_values(layout.paid_values),
            "failed": split_values(layout.failed_values),
            "pending": split_values(layout.pending_values),
        },
        "sections": sections,
        "reason_codes": {r.bank_code.strip(): r.reason for r in layout.reason_codes.all()},
        "project": project,
    }


def check_layout(layout, *, county_code: str, program: str) -> dict:
    """The spec of a layout a roll may be sent with, or ValidationError (Chinese)."""
    if layout.county_id != county_code:
        raise ValidationError({"layout": LAYOUT_OTHER_COUNTY})
    if not layout.active:
        raise ValidationError({"layout": LAYOUT_INACTIVE})
    spec = spec_of(layout, program)
    problems = layout_problems(spec, program)
    if problems:
        raise ValidationError(
            {"layout": LAYOUT_PROBLEMS.format(name=layout.name, problems="；".join(problems))}
        )
    return spec


# ------------------------------------------------------------------ presets

# Bank codes seen in 农信社 批量代发 回盘 and on the 一卡通 platform; the county adds its own.
_REASONS = [
    ("E101", FailureReason.ACCOUNT_CLOSED), ("销户", FailureReason.ACCOUNT_CLOSED),
    ("账户已销户", FailureReason.ACCOUNT_CLOSED),
    ("E102", FailureReason.ACCOUNT_FROZEN), ("冻结", FailureReason.ACCOUNT_FROZEN),
    ("止付", FailureReason.ACCOUNT_FROZEN),
    ("E103", FailureReason.NAME_MISMATCH), ("户名不符", FailureReason.NAME_MISMATCH),
    ("E104", FailureReason.ACCOUNT_NOT_FOUND), ("账号不存在", FailureReason.ACCOUNT_NOT_FOUND),
    ("E105", FailureReason.CARD_INACTIVE), ("未激活", FailureReason.CARD_INACTIVE),
    ("E106", FailureReason.DORMANT), ("久悬户", FailureReason.DORMANT),
    ("E107", FailureReason.ID_MISMATCH), ("证件号不符", FailureReason.ID_MISMATCH),
]  # fmt: skip
_PROJECTS = {
    Program.DIBAO: ("2080501", "农村最低生活保障金"),
    Program.TEKUN: ("2080502", "农村特困人员救助供养金"),
    Program.DISABILITY: ("2081107", "残疾人两项补贴"),
    Program.MEDICAL: ("2081301", "城乡医疗救助"),
}


def _c(field, header="", width=None, right=False, zero=False) -> Column:
    return Column(field, header, width, right, zero)


@dataclass(frozen=True)
class Preset:
    title: str
    payer: str
    channel: str
    file_format: str
    encoding: str
    totals_row: str
    paid: str
    failed: str
    pending: str
    sections: dict[str, list[Column]]
    separator: str = "|"


PRESETS: dict[str, Preset] = {
    "rcc_fixed": Preset(
        title="农村信用社批量代发（定长文本）",
        payer="农村信用合作联社",
        channel=BankChannel.BANK,
        file_format=BankFileFormat.FIXED,
        encoding=BankEncoding.GBK,
        totals_row=TotalsRow.TOP,
        paid="S",
        failed="F",
        pending="P",
        sections={
            S.DETAIL: [
                _c(F.BATCH_NO, width=16), _c(F.LINE_NO, width=8, right=True, zero=True),
                _c(F.ACCOUNT, width=32), _c(F.PAYEE_NAME, width=40), _c(F.ID_NO, width=18),
                _c(F.AMOUNT_FEN, width=15, right=True, zero=True), _c(F.PROJECT_CODE, width=10),
                _c(F.NOTE, width=40),
            ],
            S.TOTAL: [
                _c(F.BATCH_NO, width=16), _c(F.COUNT, width=8, right=True, zero=True),
                _c(F.AMOUNT_FEN, width=15, right=True, zero=True), _c(F.SENT_DATE, width=8),
            ],
            S.RESULT: [
                _c(F.BATCH_NO, width=16), _c(F.LINE_NO, width=8), _c(F.ACCOUNT, width=32),
                _c(F.PAYEE_NAME, width=40), _c(F.AMOUNT_FEN, width=15), _c(F.RESULT, width=1),
                _c(F.REASON_CODE, width=6), _c(F.REASON_TEXT, width=60),
            ],
            S.RESULT_TOTAL: [
                _c(F.BATCH_NO, width=16), _c(F.COUNT, width=8), _c(F.AMOUNT_FEN, width=15),
            ],
        },
    ),
    "yikatong_xlsx": Preset(
        title="惠民惠农“一卡通”平台（Excel）",
        payer="惠民惠农财政补贴资金“一卡通”平台",
        channel=BankChannel.YIKATONG,
        file_format=BankFileFormat.XLSX,
        encoding=BankEncoding.UTF8,
        totals_row=TotalsRow.BOTTOM,
        paid="成功",
        failed="失败",
        pending="处理中",
        sections={
            S.DETAIL: [
                _c(F.LINE_NO, "序号"), _c(F.BATCH_NO, "批次号"), _c(F.PROJECT_CODE, "补贴项目代码"),
                _c(F.PROJECT_NAME, "补贴项目名称"), _c(F.MONTH, "发放年月"), _c(F.TOWNSHIP, "乡镇"),
                _c(F.VILLAGE, "村"), _c(F.PAYEE_NAME, "姓名"), _c(F.ID_NO, "身份证号"),
                _c(F.BANK_NAME, "开户银行"), _c(F.ACCOUNT, "社会保障卡号或银行账号"),
                _c(F.AMOUNT, "发放金额（元）"), _c(F.NOTE, "备注"),
            ],
            S.TOTAL: [_c(F.LABEL, "合计"), _c(F.COUNT, "笔数"), _c(F.AMOUNT, "金额")],
            S.RESULT: [
                _c(F.BATCH_NO, "批次号"), _c(F.LINE_NO, "序号"), _c(F.PAYEE_NAME, "姓名"),
                _c(F.ACCOUNT, "社会保障卡号或银行账号"), _c(F.AMOUNT, "发放金额（元）"),
                _c(F.RESULT, "发放结果"), _c(F.REASON_CODE, "失败原因代码"), _c(F.REASON_TEXT, "失败原因"),
            ],
            S.RESULT_TOTAL: [_c(F.LABEL, "合计"), _c(F.COUNT, "笔数"), _c(F.AMOUNT, "金额")],
        },
    ),
}  # fmt: skip


@transaction.atomic
def create_from_preset(*, county, preset: str, name: str = "", payer: str = ""):
    """A county's own layout, filled from a preset; the county edits it afterwards."""
    from assistance.models import BankLayout, BankLayoutColumn, BankLayoutProject, BankReasonCode

    p = PRESETS[preset]
    layout = BankLayout.objects.create(
        county=county, name=name or p.title, payer=payer or p.payer, channel=p.channel,
        file_format=p.file_format, encoding=p.encoding, separator=p.separator, totals_row=p.totals_row,
        paid_values=p.paid, failed_values=p.failed, pending_values=p.pending,
    )  # fmt: skip
    BankLayoutColumn.objects.bulk_create(
        BankLayoutColumn(
            layout=layout,
            section=section,
            position=n,
            field=c.field,
            header=c.header,
            width=c.width,
            right_align=c.right,
            zero_pad=c.zero,
        )  # fmt: skip
        for section, columns in p.sections.items()
        for n, c in enumerate(columns, 1)
    )
    BankLayoutProject.objects.bulk_create(
        BankLayoutProject(layout=layout, program=program, code=code, name=title)
        for program, (code, title) in _PROJECTS.items()
    )
    BankReasonCode.objects.bulk_create(
        BankReasonCode(layout=layout, bank_code=code, reason=reason) for code, reason in _REASONS
    )
    return layout

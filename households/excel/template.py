"""The downloadable village import template: Chinese headers, code lists as drop-downs, one example."""

from __future__ import annotations

import io

import xlsxwriter

from households.excel.columns import BOOL, CHOICE, COLUMNS, IDNO, INCOME, MEMBER, MULTI, column_letter

DATA_SHEET = "户成员信息"
CODES_SHEET = "代码表"
HELP_SHEET = "填写说明"
TITLE = "建档立卡户信息导入模板（每行一名家庭成员；同一户的成员填写相同的村代码和户编号）"
TEMPLATE_ROWS = 5000  # rows that carry the drop-down lists

_LEVEL_COLOURS = {"household": "#DDEBF7", INCOME: "#FFF2CC", MEMBER: "#E2EFDA", "key": "#D9D9D9"}

HELP_LINES = [
    "1. 每行填写一名家庭成员。同一户的各成员填写相同的“村代码”和“户编号”。",
    "2. 户级信息（蓝色列）和收入（黄色列）可只在户主一行填写；若多行都填写，须完全一致。",
    "3. 带 * 的列必须填写。下拉列表中的选项来自“代码表”，也可直接输入代码表中的名称。",
    "4. 身份证号请以文本格式填写18位号码，勿以数字格式保存（Excel 只保留15位有效数字）。",
    "5. 每户必须有且只有一名“户主”。同一身份证号不能出现两次，也不能是其他户的在册成员。",
    "6. 金额单位为元/年，面积单位为亩或平方米，只填数字。日期格式如 2019-09-30。",
    "7. 村代码须在您的管辖范围内。导入的户为“草稿”状态，需提交审核后方能生效。",
    "8. 第一行标题和空行可保留；系统自动识别表头所在行。支持 .xlsx、.xls 和 CSV（UTF-8 或 GBK）。",
]


def write_layout(book, columns, *, title: str, rows: int = TEMPLATE_ROWS):
    """Data sheet (title, header, text columns, notes, drop-downs fed by a code-list sheet)."""
    data = book.add_worksheet(DATA_SHEET)
    codes = book.add_worksheet(CODES_SHEET)
    title_format = book.add_format({"bold": True, "font_size": 14, "align": "left", "valign": "vcenter"})
    text = book.add_format({"num_format": "@"})
    head_formats = {
        level: book.add_format(
            {"bold": True, "border": 1, "bg_color": colour, "align": "center", "text_wrap": True}
        )
        for level, colour in _LEVEL_COLOURS.items()
    }
    data.merge_range(0, 0, 0, len(columns) - 1, title, title_format)
    data.set_row(0, 28)
    data.set_row(1, 32)
    code_col = 0
    for index, column in enumerate(columns):
        header = f"{column.header}*" if column.required else column.header
        data.write_string(1, index, header, head_formats[column.level])
        # Text format for every column, so IDs, account numbers and codes stay text.
        data.set_column(index, index, column.width, text)
        if column.note:
            data.write_comment(1, index, column.note)
        if column.kind not in (CHOICE, BOOL, MULTI):
            continue
        # Code lists on a sheet of their own (a list over 255 characters cannot sit in the rule).
        labels = column.labels
        codes.write_string(0, code_col, column.header, head_formats[column.level])
        for row, label in enumerate(labels, start=1):
            codes.write_string(row, code_col, label)
        codes.set_column(code_col, code_col, max(10, column.width))
        if column.kind != MULTI:
            letter = column_letter(code_col)
            data.data_validation(
                2,
                index,
                rows + 2,
                index,
                {
                    "validate": "list",
                    "source": f"='{CODES_SHEET}'!${letter}$2:${letter}${len(labels) + 1}",
                    "error_title": "输入值不在代码表中",
                    "error_message": f"请从下拉列表中选择“{column.header}”",
                    "error_type": "warning",
                },
            )
        code_col += 1
    data.freeze_panes(2, 0)
    return data, title_format


def write_help(book, lines: list[str], title_format) -> None:
    help_sheet = book.add_worksheet(HELP_SHEET)
    help_sheet.set_column(0, 0, 100)
    help_sheet.write_string(0, 0, "填写说明", title_format)
    for row, line in enumerate(lines, start=1):
        help_sheet.write_string(row, 0, line)


def build_template() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    data, title_format = write_layout(book, COLUMNS, title=TITLE)
    for index, column in enumerate(COLUMNS):
        example = column.example
        if isinstance(example, int | float) and column.kind != IDNO:
            data.write_number(2, index, example)
        elif example != "":
            data.write_string(2, index, str(example))
    write_help(book, HELP_LINES, title_format)
    book.close()
    return buffer.getvalue()

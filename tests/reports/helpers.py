"""Agency lists as offices send them: a merged title row above the header, GBK CSV or .xlsx."""

from __future__ import annotations

import io

import xlsxwriter

HEADER = ["序号", "姓名", "公民身份号码", "死亡日期", "备注"]


def list_rows(people):
    """people: (name, id_no, date_text, note) tuples → table rows with a 序号."""
    return [[i, name, id_no, day, note] for i, (name, id_no, day, note) in enumerate(people, start=1)]


def gbk_csv(people, title="正安县公安局户籍死亡注销人员名单（2019年11月）") -> bytes:
    lines = [title + ",,,,", ",".join(HEADER)]
    lines += [",".join(str(c) for c in row) for row in list_rows(people)]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def xlsx_with_merged_title(people, title="财政供养人员名单") -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("名单")
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, title)
    sheet.write_row(1, 0, HEADER)
    for r, row in enumerate(list_rows(people), start=2):
        sheet.write_row(r, 0, [str(c) for c in row])
    book.close()
    return buffer.getvalue()


def admin_login(client, user):
    """The test client logged in as a staff user of that role."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    return client

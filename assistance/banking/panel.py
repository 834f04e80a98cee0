"""发放记录 on the household page: per month, what was due, sent to the bank and paid."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from assistance.banking.selectors import household_months

HEAD = (
    "<table class='payments-panel'><thead><tr><th>月份</th><th>项目</th><th>应发（元）</th>"
    "<th>已送银行</th><th>已到账</th><th>发放失败</th><th>待回盘</th><th>说明</th></tr></thead>"
)
EMPTY = "尚无已确认的发放表"


def payments_panel(household) -> str:
    rows = household_months(household)
    if not rows:
        return EMPTY
    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (f"{r.month:%Y年%m月}", r.program_label, r.due, r.sent, r.paid, r.failed or "—", r.pending or "—",
             "；".join(r.notes) or "—")
            for r in rows
        ),
    )  # fmt: skip
    return format_html("{}<tbody>{}</tbody></table>", mark_safe(HEAD), body)  # noqa: S308 - a constant

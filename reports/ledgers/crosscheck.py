"""比对疑点台账: every 信息比对 疑点 in scope with its state down the chain (village answer, township
confirmation), one row per 疑点. Not part of the 14-sheet county workbook: exported on its own."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from reports.crosscheck.choices import Answer, HitStatus, ListKind, Rule, Severity
from reports.crosscheck.models import Hit
from reports.ledgers.base import DATE, INT, Col, ExportContext, Ledger, id_col, label_map, yes_no

_RULE = label_map(Rule.choices)
_SEVERITY = label_map(Severity.choices)
_STATUS = label_map(HitStatus.choices)
_ANSWER = label_map(Answer.choices)
_KIND = label_map(ListKind.choices)


def _day(moment):
    """The Beijing calendar day of a stored moment (a UTC timestamp's own date is wrong after 16:00)."""
    return timezone.localdate(moment) if moment else None


class CrossCheckLedger(Ledger):
    key = "crosscheck_hits"
    sheet_name = "比对疑点台账"
    title = "信息比对疑点台账"
    empty_note = "所选区划没有信息比对疑点"
    columns = (
        Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("户编号", 14), Col("姓名", 10),
        id_col("身份证号"), Col("比对规则", 16), Col("比对名单", 16), Col("风险等级", 8),
        Col("涉及发放", 8), Col("疑点说明", 44), Col("发现日期", 11, DATE), Col("核实期限", 11, DATE),
        Col("办理状态", 10), Col("核实结论", 10), Col("核实情况", 30), Col("关联变更/停保", 16),
        Col("乡镇确认日期", 11, DATE), Col("退回原因", 20),
    )  # fmt: skip

    def queryset(self, ctx: ExportContext):
        return ctx.scoped(Hit.objects.all())

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        qs = (
            self.queryset(ctx)
            .order_by("village_id", "household__household_no", "id")
            .values_list(
                "village_id",
                "household__household_no",
                "member__name",
                "id_no",
                "rule",
                "batch__kind",
                "batch__kind_name",
                "severity",
                "on_payee",
                "reason",
                "created_at",
                "deadline",
                "status",
                "answer",
                "answer_reason",
                "change_request_id",
                "stopped_case_id",
                "confirmed_at",
                "return_reason",
            )  # fmt: skip
        )
        for n, row in enumerate(qs.iterator(chunk_size=ctx.chunk_size), 1):
            (village, household_no, name, id_no, rule, kind, kind_name, severity, on_payee, reason) = row[:10]
            created, deadline, status, answer, answer_reason, change_id, case_id, confirmed, returned = row[
                10:
            ]
            link = f"变更申请#{change_id}" if change_id else (f"低保案件#{case_id}停保" if case_id else "")
            yield (
                n, ctx.township_name(village), ctx.village_name(village), household_no, name or "",
                id_no, _RULE.get(rule, rule), kind_name or _KIND.get(kind, ""),
                _SEVERITY.get(severity, ""), yes_no(on_payee), reason, _day(created), deadline,
                _STATUS.get(status, ""), _ANSWER.get(answer, ""), answer_reason, link,
                _day(confirmed), returned,
            )  # fmt: skip

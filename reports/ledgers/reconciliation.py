"""发放对账表 (domain.md#ledger-reconciliation): per confirmed roll, what was due, sent to the bank,
paid, failed and re-issued — the bank's answer next to the roll. Rolls are county data, so the
sheet counts the roll's lines in the user's scope (a township sees its own households' lines), not
only approved households: a roll's figures must add up to the batch the bank received. Not part of
the 14-sheet county workbook."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Q, Sum
from django.utils import timezone

from assistance.choices import (
    LOCKED_ROLL_STATUSES,
    OPEN_FAILURE_STATUSES,
    FailureStatus,
    LineKind,
    LineResult,
    Program,
    RollStatus,
)
from assistance.models import BankBatch, PaymentLine
from reports.ledgers.base import DATE, INT, MONEY, Col, ExportContext, Ledger, label_map

_SENT = Q(bank_line__line_no__isnull=False)


class ReconciliationLedger(Ledger):
    key = "reconciliation"
    sheet_name = "发放对账表"
    title = "发放对账表"
    empty_note = "所选区划和期间没有已确认的发放表"
    columns = (
        Col("序号", 7, INT), Col("发放月份", 10), Col("项目", 14), Col("发放表状态", 10), Col("批次号", 18),
        Col("代发机构", 18), Col("送银行日期", 11, DATE), Col("明细笔数", 9, INT, total=True),
        Col("应发金额", 13, MONEY, total=True), Col("其中补发笔数", 9, INT, total=True),
        Col("送银行笔数", 9, INT, total=True), Col("送银行金额", 13, MONEY, total=True),
        Col("已发放笔数", 9, INT, total=True), Col("已发放金额", 13, MONEY, total=True),
        Col("发放失败笔数", 9, INT, total=True), Col("发放失败金额", 13, MONEY, total=True),
        Col("待回盘笔数", 9, INT, total=True), Col("失败已补发笔数", 9, INT, total=True),
        Col("失败已补发金额", 13, MONEY, total=True), Col("失败待处理笔数", 9, INT, total=True),
    )  # fmt: skip

    def _lines(self, ctx: ExportContext):
        qs = ctx.scoped(PaymentLine.objects.filter(roll__status__in=LOCKED_ROLL_STATUSES))
        if ctx.month:
            return qs.filter(roll__month=ctx.month)
        if ctx.year:
            return qs.filter(roll__month__year=ctx.year)
        return qs

    def queryset(self, ctx: ExportContext):
        return self._lines(ctx)

    def count(self, ctx: ExportContext) -> int:
        return self._lines(ctx).values("roll_id").distinct().count()

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        failure = "bank_line__failure__status"
        figures = (
            self._lines(ctx)
            .order_by()
            .values("roll_id", "roll__month", "roll__program", "roll__status")
            .annotate(
                lines=Count("id"),
                due=Sum("total_amount"),
                reissues=Count("id", filter=Q(kind=LineKind.REISSUE)),
                sent=Count("id", filter=_SENT),
                sent_amount=Sum("bank_line__amount", filter=_SENT),
                paid=Count("id", filter=Q(bank_line__result=LineResult.PAID)),
                paid_amount=Sum("bank_line__amount", filter=Q(bank_line__result=LineResult.PAID)),
                failed=Count("id", filter=Q(bank_line__result=LineResult.FAILED)),
                failed_amount=Sum("bank_line__amount", filter=Q(bank_line__result=LineResult.FAILED)),
                pending=Count("id", filter=Q(bank_line__result=LineResult.PENDING)),
                reissued=Count("id", filter=Q(**{failure: FailureStatus.REISSUED})),
                reissued_amount=Sum("bank_line__amount", filter=Q(**{failure: FailureStatus.REISSUED})),
                open=Count("id", filter=Q(**{f"{failure}__in": OPEN_FAILURE_STATUSES})),
            )
            .order_by("roll__month", "roll__program")
        )
        figures = list(figures)
        batches = {
            b.roll_id: b for b in BankBatch.objects.filter(roll_id__in=[f["roll_id"] for f in figures])
        }
        programs, statuses = label_map(Program), label_map(RollStatus)
        zero = 0
        for n, f in enumerate(figures, 1):
            batch = batches.get(f["roll_id"])
            sent_on = timezone.localtime(batch.sent_at).date() if batch else None
            yield (
                n, f"{f['roll__month']:%Y-%m}", programs.get(f["roll__program"], ""),
                statuses.get(f["roll__status"], ""), batch.batch_no if batch else "",
                batch.layout_spec.get("payer", "") if batch else "", sent_on,
                f["lines"], f["due"] or zero, f["reissues"], f["sent"], f["sent_amount"] or zero, f["paid"],
                f["paid_amount"] or zero, f["failed"], f["failed_amount"] or zero, f["pending"],
                f["reissued"], f["reissued_amount"] or zero, f["open"],
            )  # fmt: skip

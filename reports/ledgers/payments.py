"""Assistance ledgers (domain.md#ledgers, sheets 4–8): 低保月发放表, 低保增减变动表, 渐退台账, 特困供养台账,
残疾人两项补贴台账. Rows come from the assistance app: payment lines keep the figures they were paid
with, so the roll is what the bank got, not today's recomputation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum

from assistance.choices import (
    CaseType,
    LedgerKind,
    LineKind,
    PhaseOutStatus,
    Program,
    SelfCare,
    SimpleStatus,
    SubsidyKind,
    TekunMode,
)
from assistance.models import (
    ChangeLedgerEntry,
    DibaoCase,
    DisabilitySubsidy,
    PaymentLine,
    PhaseOut,
    TekunCase,
)
from households.choices import DisabilityGrade, DisabilityType
from reports.ledgers.base import (
    DATE,
    INT,
    MONEY,
    Col,
    ExportContext,
    Ledger,
    account_col,
    card_col,
    id_col,
    label_map,
)
from reports.ledgers.households import head_of

DIBAO_ROLL_COLUMNS = (
    Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("户主", 10), id_col("身份证"),
    Col("保障人数", 8, INT, total=True), Col("类别", 8), Col("档次", 6), Col("月人均收入", 11, MONEY),
    Col("月低保金", 11, MONEY, total=True), Col("分类施保金", 11, MONEY, total=True),
    Col("合计", 11, MONEY, total=True), Col("开户行", 16), account_col("账号"), Col("纳入时间", 11, DATE),
    Col("是否建档立卡", 10), Col("备注", 20),
)  # fmt: skip
DIBAO_CHANGE_COLUMNS = (
    Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("户主", 10), id_col("身份证"),
    Col("变动类型", 12), Col("变动月", 10), Col("原金额", 11, MONEY, total=True),
    Col("新金额", 11, MONEY, total=True), Col("原因", 30),
)  # fmt: skip
PHASE_OUT_COLUMNS = (
    Col("序号", 7, INT), Col("类别", 12), Col("乡镇", 10), Col("村", 10), Col("户主", 10), id_col("身份证"),
    Col("建档立卡", 8), Col("原金额", 11, MONEY, total=True), Col("渐退起", 11, DATE),
    Col("渐退止", 11, DATE), Col("月数", 6, INT), Col("每月金额", 30), Col("到期提醒", 11, DATE),
    Col("结果", 14), Col("说明", 24),
)  # fmt: skip
TEKUN_COLUMNS = (
    Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("姓名", 10), id_col("身份证号"),
    Col("供养方式", 10), Col("自理能力", 10), Col("基本生活费", 12, MONEY, total=True),
    Col("护理费", 10, MONEY, total=True), Col("纳入月份", 11, DATE),
)  # fmt: skip
SUBSIDY_COLUMNS = (
    Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("姓名", 10), id_col("身份证"),
    card_col("残疾证号"), Col("类别", 8), Col("等级", 6), Col("生活补贴", 11, MONEY, total=True),
    Col("护理补贴", 11, MONEY, total=True),
)  # fmt: skip

_CASE_TYPE = label_map(CaseType)
_LINE_KIND = label_map(LineKind)


def _yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _month(value: dt.date | None) -> str:
    return f"{value:%Y-%m}" if value else ""


class DibaoRollLedger(Ledger):
    """The month's 低保 payment lines (regular and adjustments) of the rolls in scope."""

    key = "dibao_roll"
    sheet_name = "低保月发放表"
    title = "低保对象花名册（月发放表）"
    columns = DIBAO_ROLL_COLUMNS

    def _lines(self, ctx: ExportContext):
        return ctx.approved(PaymentLine.objects.filter(program=Program.DIBAO), "household__")

    def month(self, ctx: ExportContext) -> dt.date | None:
        """The chosen month, else the latest month with a roll in scope (within the year if set)."""
        if ctx.month:
            return ctx.month
        if "dibao_roll_month" not in ctx.cache:
            lines = self._lines(ctx)
            if ctx.year:
                lines = lines.filter(month__year=ctx.year)
            ctx.cache["dibao_roll_month"] = lines.order_by("-month").values_list("month", flat=True).first()
        return ctx.cache["dibao_roll_month"]

    def empty_reason(self, ctx: ExportContext) -> str:
        if ctx.month or ctx.year:
            return "所选期间没有已生成的低保发放名册（或名册中没有已入库户）"
        return "尚未生成低保发放名册（或名册中没有已入库户）"

    def period_title(self, ctx: ExportContext) -> str:
        month = self.month(ctx)
        return f"{month:%Y年%m月}" if month else ctx.period_title()

    def queryset(self, ctx: ExportContext):
        month = self.month(ctx)
        return self._lines(ctx).filter(month=month) if month else self._lines(ctx).none()

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        case = DibaoCase.objects.filter(pk=OuterRef("case_id"))
        qs = (
            self.queryset(ctx)
            .annotate(
                village=F("household__village_id"),
                case_type=Subquery(case.values("case_type")[:1]),
                grade=Subquery(case.values("grade")[:1]),
                start_month=Subquery(case.values("start_month")[:1]),
                registered=Subquery(case.values("is_registered_poor")[:1]),
            )
            .order_by("household__village_id", "household__household_no", "id")
            .values_list(
                "village",
                "payee_name",
                "payee_id_no",
                "covered_persons",
                "case_type",
                "grade",
                "percap_income",
                "topup_amount",
                "classified_amount",
                "total_amount",
                "bank_name",
                "bank_account",
                "start_month",
                "registered",
                "kind",
                "note",
            )  # fmt: skip
        )
        for n, row in enumerate(qs.iterator(chunk_size=ctx.chunk_size), 1):
            (village, payee, id_no, persons, case_type, grade, percap, topup, classified, total, bank) = row[
                :11
            ]
            account, start, registered, kind, note = row[11:]
            remark = note if kind == LineKind.REGULAR else f"{_LINE_KIND[kind]} {note}".strip()
            yield (
                n, ctx.township_name(village), ctx.village_name(village), payee, id_no, persons,
                _CASE_TYPE.get(case_type, ""), grade, percap, topup, classified, total, bank,
                account, start, _yes(registered), remark,
            )  # fmt: skip


class DibaoChangeLedger(Ledger):
    """新增 / 停保 / 调整 (and the 渐退 steps) of 低保 cases, by month."""

    key = "dibao_changes"
    sheet_name = "低保增减变动表"
    title = "低保增减变动表"
    empty_note = "所选期间已入库户的低保没有新增、停保或调整"
    columns = DIBAO_CHANGE_COLUMNS

    def queryset(self, ctx: ExportContext):
        qs = ctx.approved(ChangeLedgerEntry.objects.filter(program=Program.DIBAO), "household__")
        if ctx.month:
            return qs.filter(month=ctx.month)
        if ctx.year:
            return qs.filter(month__year=ctx.year)
        return qs

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        kinds = label_map(LedgerKind)
        qs = (
            self.queryset(ctx)
            .annotate(
                village=F("household__village_id"),
                head_name=head_of("name", household="household"),
                head_id=head_of("id_no", household="household"),
            )
            .order_by("month", "household__village_id", "household__household_no", "id")
            .values_list(
                "village", "head_name", "head_id", "kind", "month", "old_amount", "new_amount", "reason"
            )
        )
        for n, (village, head, head_id, kind, month, old, new, reason) in enumerate(
            qs.iterator(chunk_size=ctx.chunk_size), 1
        ):
            yield (n, ctx.township_name(village), ctx.village_name(village), head, head_id or "",
                   kinds.get(kind, kind), _month(month), old, new, reason)  # fmt: skip


RUNNING = "渐退"
PROPOSED = "拟渐退（待审批）"
PROPOSED_NOTE = "现月保障金 {amount} 元；县级批准后方确定渐退金额"


class PhaseOutLedger(Ledger):
    """Every 渐退 that was approved, then apart every one proposed (rejected proposals are not 渐退):
    the 类别 column says which, the approved ones come first, and a proposal's 原金额 stays empty (not
    in the total: nothing phases out before the county approves; its current amount is in 说明)."""

    key = "phase_out"
    sheet_name = "渐退台账"
    title = "低保渐退台账"
    empty_note = "所选期间已入库户没有低保渐退"
    columns = PHASE_OUT_COLUMNS

    def queryset(self, ctx: ExportContext):
        qs = ctx.approved(PhaseOut.objects.exclude(status=PhaseOutStatus.REJECTED), "case__household__")
        if ctx.year:
            qs = qs.filter(Q(start__year__lte=ctx.year) | Q(start__isnull=True)).filter(
                Q(end__isnull=True) | Q(end__year__gte=ctx.year)
            )
        return qs

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        statuses = label_map(PhaseOutStatus)
        qs = (
            self.queryset(ctx)
            .annotate(
                village=F("case__household__village_id"),
                head_name=head_of("name", household="case__household"),
                head_id=head_of("id_no", household="case__household"),
            )
            .annotate(
                proposed=ExpressionWrapper(Q(status=PhaseOutStatus.PROPOSED), output_field=BooleanField())
            )
            .order_by("proposed", "case__household__village_id", "case__household__household_no", "id")
            .values_list(
                "village",
                "head_name",
                "head_id",
                "case__is_registered_poor",
                "base_amount",
                "start",
                "end",
                "months",
                "schedule",
                "alerted_on",
                "status",
                "early_end_reason",
            )  # fmt: skip
        )
        for n, (village, head, head_id, registered, base, start, end, months, schedule, alerted, status,
                reason) in enumerate(qs.iterator(chunk_size=ctx.chunk_size), 1):  # fmt: skip
            amounts = "/".join(str(a) for a in schedule or [])
            if status == PhaseOutStatus.PROPOSED:
                kind, reason, base = PROPOSED, reason or PROPOSED_NOTE.format(amount=base), None
            else:
                kind = RUNNING
            yield (n, kind, ctx.township_name(village), ctx.village_name(village), head, head_id or "",
                   "是" if registered else "否", base, start, end, months, amounts, alerted,
                   statuses.get(status, status), reason)  # fmt: skip


class TekunLedger(Ledger):
    key = "tekun"
    sheet_name = "特困供养台账"
    title = "特困供养台账"
    empty_note = "已入库户中没有在供养的特困人员"
    columns = TEKUN_COLUMNS

    def queryset(self, ctx: ExportContext):
        return ctx.approved(TekunCase.objects.filter(status=SimpleStatus.ACTIVE), "household__")

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        modes, care = label_map(TekunMode), label_map(SelfCare)
        qs = (
            self.queryset(ctx)
            .order_by("household__village_id", "household__household_no", "id")
            .values_list(
                "household__village_id",
                "member__name",
                "member__id_no",
                "mode",
                "self_care",
                "basic_standard",
                "care_standard",
                "start_month",
            )  # fmt: skip
        )
        for n, (village, name, id_no, mode, self_care, basic, care_fee, start) in enumerate(
            qs.iterator(chunk_size=ctx.chunk_size), 1
        ):
            yield (n, ctx.township_name(village), ctx.village_name(village), name, id_no,
                   modes.get(mode, mode), care.get(self_care, self_care), basic, care_fee, start)  # fmt: skip


class DisabilitySubsidyLedger(Ledger):
    """One row per member with an active 两项补贴: 生活补贴 and 护理补贴 side by side (R10)."""

    key = "disability_subsidy"
    sheet_name = "残疾人两项补贴台账"
    title = "残疾人两项补贴台账"
    empty_note = "已入库户中没有在享受残疾人两项补贴的人员"
    columns = SUBSIDY_COLUMNS

    def queryset(self, ctx: ExportContext):
        return ctx.approved(DisabilitySubsidy.objects.filter(status=SimpleStatus.ACTIVE), "household__")

    def count(self, ctx: ExportContext) -> int:
        return self.queryset(ctx).values("member").distinct().count()

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        types, grades = label_map(DisabilityType), label_map(DisabilityGrade)
        qs = (
            self.queryset(ctx)
            .values("member")
            .annotate(
                living=Sum("monthly_amount", filter=Q(kind=SubsidyKind.LIVING)),
                care=Sum("monthly_amount", filter=Q(kind=SubsidyKind.CARE)),
            )
            .order_by("household__village_id", "household__household_no", "member")
            .values_list(
                "household__village_id",
                "member__name",
                "member__id_no",
                "member__disability_card_no",
                "member__disability_type",
                "member__disability_grade",
                "living",
                "care",
            )  # fmt: skip
        )
        for n, (village, name, id_no, card, dtype, grade, living, care) in enumerate(
            qs.iterator(chunk_size=ctx.chunk_size), 1
        ):
            kind = types.get(dtype, dtype or "")
            yield (n, ctx.township_name(village), ctx.village_name(village), name, id_no,
                   card, kind, grades.get(grade, ""), living, care)  # fmt: skip

"""防返贫监测对象台账 (domain.md#ledger-12) and 线索台账.

The 对象台账 lists the approved register's monitoring episodes: identifications the county decided
纳入监测 (assistance.monitoring), one row each, with the measures tied to them and the 风险消除 date —
the same rows the 工作台 counts (reports.statistics_monitoring). A lead, or a record still in review,
is in neither. The 线索台账 lists every lead in scope with its deadlines and outcome; it is work, not
register data, so it is exported on its own."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import OuterRef, Subquery, Value

from assistance.models import AssistanceMeasure
from assistance.monitoring.choices import Category, LeadOutcome, LeadSource, LeadStatus, RiskType, Severity
from assistance.monitoring.models import MonitoringLead, MonitoringRecord
from assistance.monitoring.selectors import episode_q
from reports.ledgers.base import DATE, INT, Col, ExportContext, Ledger, id_col, label_map
from reports.ledgers.households import head_of

_CATEGORY = label_map(Category.choices)
_RISK = label_map(RiskType.choices)
_SOURCE = label_map(LeadSource.choices)
_STATUS = label_map(LeadStatus.choices)
_OUTCOME = label_map(LeadOutcome.choices)
_SEVERITY = label_map(Severity.choices)
STATE_AT_RISK = "监测对象（风险未消除）"
STATE_ELIMINATED = "监测对象（风险已消除）"


def _risks(values, other: str = "") -> str:
    text = "、".join(_RISK.get(v, v) for v in values or [])
    return f"{text}（{other}）" if other else text


class MonitoringLedger(Ledger):
    key = "monitoring"
    sheet_name = "防返贫监测台账"
    title = "防返贫监测对象台账"
    empty_note = "已入库户中没有防返贫监测对象"
    columns = (
        Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("户编号", 14), Col("户主", 10),
        Col("监测类别", 14), Col("风险类型", 24), Col("识别方式", 14), Col("纳入日期", 11, DATE),
        Col("认定用时（天）", 9, INT), Col("帮扶措施", 44), Col("风险消除日期", 11, DATE), Col("状态", 16),
    )  # fmt: skip

    def queryset(self, ctx: ExportContext):
        return ctx.approved(MonitoringRecord.objects.filter(episode_q()), "household__")

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        measures = (
            AssistanceMeasure.objects.filter(monitoring_record=OuterRef("pk"), cancelled_at__isnull=True)
            .order_by()
            .values("monitoring_record")
            .annotate(text=StringAgg("content", delimiter=Value("；"), order_by=("date", "id")))
            .values("text")[:1]
        )
        qs = (
            self.queryset(ctx)
            .annotate(head_name=head_of("name", household="household"), measure_text=Subquery(measures))
            .order_by("household__village_id", "household__household_no", "id")
            .values_list(
                "household__village_id",
                "household__household_no",
                "head_name",
                "category",
                "risk_types",
                "risk_other",
                "source",
                "decided_on",
                "days_to_identify",
                "measure_text",
                "eliminated_on",
            )  # fmt: skip
        )
        for n, row in enumerate(qs.iterator(chunk_size=ctx.chunk_size), 1):
            village, number, head, category, risks, other, source, decided, days, measure, eliminated = row
            yield (
                n, ctx.township_name(village), ctx.village_name(village), number, head or "",
                _CATEGORY.get(category, ""), _risks(risks, other), _SOURCE.get(source, ""), decided, days,
                measure or "", eliminated, STATE_ELIMINATED if eliminated else STATE_AT_RISK,
            )  # fmt: skip


class LeadLedger(Ledger):
    key = "monitoring_leads"
    sheet_name = "线索台账"
    title = "防返贫监测线索台账"
    empty_note = "所选区划没有监测线索"
    columns = (
        Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("户编号", 14), Col("姓名", 10),
        id_col("身份证号"), Col("线索来源", 12), Col("风险类型", 20), Col("风险等级", 8),
        Col("情况说明", 40),
        Col("发现日期", 11, DATE), Col("入户核实期限", 11, DATE), Col("入户核实日期", 11, DATE),
        Col("认定期限", 11, DATE), Col("办理状态", 10), Col("办理结果", 12), Col("办理说明", 30),
    )  # fmt: skip

    def queryset(self, ctx: ExportContext):
        return ctx.scoped(MonitoringLead.objects.all())

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        qs = (
            self.queryset(ctx)
            .order_by("village_id", "detected_on", "id")
            .values_list(
                "village_id",
                "household__household_no",
                "name",
                "id_no",
                "source",
                "risk_types",
                "severity",
                "description",
                "detected_on",
                "verify_deadline",
                "verified_on",
                "identify_deadline",
                "status",
                "outcome",
                "outcome_reason",
            )  # fmt: skip
        )
        for n, row in enumerate(qs.iterator(chunk_size=ctx.chunk_size), 1):
            village, number, name, id_no, source, risks, severity, text, found, due, visited, decide_by = row[
                :12
            ]
            status, outcome, outcome_reason = row[12:]
            yield (
                n, ctx.township_name(village), ctx.village_name(village), number or "未登记", name,
                id_no, _SOURCE.get(source, ""), _risks(risks), _SEVERITY.get(severity, ""), text,
                found, due, visited, decide_by, _STATUS.get(status, ""), _OUTCOME.get(outcome, ""),
                outcome_reason,
            )  # fmt: skip

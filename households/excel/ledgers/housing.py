"""Ledgers of domain.md (d) whose source data the registry does not hold yet: the county workbook
still carries their sheet with the agreed headers (scenario 26), marked as headers only."""

from __future__ import annotations

from collections.abc import Iterator

from households.choices import DangerLevel
from households.excel.ledgers.base import DATE, INT, MONEY, Col, ExportContext, Ledger
from households.excel.ledgers.households import head_of, persons_of
from households.models import Household


class HeadersOnlyLedger(Ledger):
    headers_only = True


class EducationLedger(HeadersOnlyLedger):
    key = "education"
    sheet_name = "教育资助台账"
    title = "教育资助台账"
    columns = (
        Col("乡镇", 10), Col("村", 10), Col("户编号", 14), Col("学生", 10), Col("身份证号", 21),
        Col("学段/年级", 12), Col("学校", 20), Col("资助项目", 16), Col("金额", 10, MONEY, total=True),
    )  # fmt: skip


class HealthLedger(HeadersOnlyLedger):
    key = "health"
    sheet_name = "健康扶贫台账"
    title = "健康扶贫台账"
    columns = (
        Col("乡镇", 10), Col("村", 10), Col("户编号", 14), Col("姓名", 10), Col("身份证号", 21),
        Col("慢病/大病", 10), Col("家庭医生签约", 10), Col("住院费用", 11, MONEY, total=True),
        Col("基本医保报销", 11, MONEY, total=True), Col("大病保险报销", 11, MONEY, total=True),
        Col("医疗救助", 11, MONEY, total=True), Col("其他报销", 11, MONEY, total=True),
        Col("自付", 11, MONEY, total=True), Col("扶助", 11, MONEY, total=True),
    )  # fmt: skip


class MonitoringLedger(HeadersOnlyLedger):
    key = "monitoring"
    sheet_name = "防返贫监测台账"
    title = "防返贫监测台账"
    columns = (
        Col("乡镇", 10), Col("村", 10), Col("户编号", 14), Col("户主", 10), Col("类别", 14),
        Col("风险", 20), Col("识别途径", 14), Col("识别时间", 11, DATE), Col("帮扶措施", 24),
        Col("风险消除", 8), Col("消除时间", 11, DATE),
    )  # fmt: skip


RENOVATION = {DangerLevel.C: "修缮加固", DangerLevel.D: "拆除重建"}


class HousingLedger(Ledger):
    """危房改造台账: C/D households from the registry (seeds S000, S003); works dates and grants
    have no source model yet and stay empty."""

    key = "housing"
    sheet_name = "危房改造台账"
    title = "危房改造台账"
    columns = (
        Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("户编号", 14), Col("户主", 10),
        Col("人口", 6, INT, total=True), Col("危房等级", 14), Col("改造方式", 10), Col("开工日期", 11, DATE),
        Col("竣工日期", 11, DATE), Col("补助金额", 11, MONEY, total=True),
    )  # fmt: skip

    def queryset(self, ctx: ExportContext):
        return ctx.scoped(
            Household.objects.filter(
                archived_at__isnull=True, danger_level__in=[DangerLevel.C, DangerLevel.D]
            )
        )

    def count(self, ctx: ExportContext) -> int:
        return self.queryset(ctx).count()

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        qs = (
            self.queryset(ctx)
            .annotate(
                head_name=head_of("name"),
                persons=persons_of(),
            )
            .order_by("village_id", "household_no")
            .values_list("village_id", "household_no", "head_name", "persons", "danger_level")
        )
        labels = dict(DangerLevel.choices)
        for n, (village, number, head, persons, level) in enumerate(
            qs.iterator(chunk_size=ctx.chunk_size), 1
        ):
            yield (n, ctx.township_name(village), ctx.village_name(village), number, head, persons,
                   labels[level], RENOVATION[level], None, None, None)  # fmt: skip

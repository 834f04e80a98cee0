"""危房改造台账 (domain.md#ledger-11) from the registry's 危房等级; its works dates and grants have no
source model yet and stay empty."""

from __future__ import annotations

from collections.abc import Iterator

from households.choices import DangerLevel
from households.models import Household
from reports.ledgers.base import DATE, INT, MONEY, Col, ExportContext, Ledger
from reports.ledgers.households import head_of, persons_of

RENOVATION = {DangerLevel.C: "修缮加固", DangerLevel.D: "拆除重建"}


class HousingLedger(Ledger):
    """危房改造台账: C/D households from the registry (seeds S000, S003); works dates and grants
    have no source model yet and stay empty."""

    key = "housing"
    sheet_name = "危房改造台账"
    title = "危房改造台账"
    empty_note = "已入库户中没有C级、D级危房"
    columns = (
        Col("序号", 7, INT), Col("乡镇", 10), Col("村", 10), Col("户编号", 14), Col("户主", 10),
        Col("人口", 6, INT, total=True), Col("危房等级", 14), Col("改造方式", 10), Col("开工日期", 11, DATE),
        Col("竣工日期", 11, DATE), Col("补助金额", 11, MONEY, total=True),
    )  # fmt: skip

    def queryset(self, ctx: ExportContext):
        return ctx.approved(Household.objects.filter(danger_level__in=[DangerLevel.C, DangerLevel.D]))

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

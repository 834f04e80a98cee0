"""村级汇总 (domain.md#ledger-13) and 帮扶力量台账 (domain.md#ledger-14)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count

from core.choices import ExitRegionClass, RegionLevel
from core.models import Region
from households.choices import HelperUnitLevel, MemberStatus, PovertyStatus
from households.models import HelperAssignment, Household, Member, WorkTeamMember
from programs.selectors import parameter_value
from reports.ledgers.base import DATE, INT, PERCENT, Col, ExportContext, Ledger, label_map

NOT_EXITED = (PovertyStatus.NOT_EXITED, PovertyStatus.RETURNED_TO_POVERTY, PovertyStatus.PROPOSED_EXIT,
              PovertyStatus.IN_PUBLICITY)  # fmt: skip
# R5 defaults (P6) when no dated parameter is available: 中部 2%, 西部 3%.
DEFAULT_THRESHOLDS = {ExitRegionClass.CENTRAL: Decimal("0.02"), ExitRegionClass.WEST: Decimal("0.03")}


def _threshold(ctx: ExportContext, township_code: str, exit_class: str, cache: dict) -> Decimal | None:
    """R5 threshold of a township's villages (parameters are set per county or township, so one
    look-up per township and class, never one per village)."""
    if not exit_class or exit_class == ExitRegionClass.EAST:
        return None
    key = (township_code, exit_class)
    if key not in cache:
        try:
            value = parameter_value(
                f"exit.incidence_threshold.{exit_class}", region_code=township_code, as_of=ctx.as_of
            )
            cache[key] = Decimal(str(value))
        except ValidationError:  # no parameter for this region and date: the policy default (P6)
            cache[key] = DEFAULT_THRESHOLDS.get(exit_class)
    return cache[key]


class VillageSummaryLedger(Ledger):
    key = "village_summary"
    sheet_name = "村级汇总"
    title = "村级汇总"
    empty_note = "所选区划没有行政村"
    columns = (
        Col("乡镇", 12),
        Col("村", 12),
        Col("村代码", 15),
        Col("贫困村", 7),
        Col("户数", 8, INT, total=True),
        Col("人数", 8, INT, total=True),
        Col("未脱贫户数", 10, INT, total=True),
        Col("未脱贫人数", 10, INT, total=True),
        Col("农业户籍人口", 12, INT, total=True),
        Col("贫困发生率", 10, PERCENT),
        Col("退出标准", 9, PERCENT),
        Col("达标", 6),
    )

    def queryset(self, ctx: ExportContext):
        return ctx.scoped(Region.objects.filter(level=RegionLevel.VILLAGE))

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        households = dict(
            ctx.approved(Household.objects.all())
            .values("village_id")
            .annotate(n=Count("pk"))
            .values_list("village_id", "n")
        )
        poor_households = dict(
            ctx.approved(Household.objects.filter(poverty_status__in=NOT_EXITED))
            .values("village_id")
            .annotate(n=Count("pk"))
            .values_list("village_id", "n")
        )
        members = ctx.approved(Member.objects.filter(member_status=MemberStatus.NORMAL), "household__")
        people = dict(
            members.values("household__village_id")
            .annotate(n=Count("pk"))
            .values_list("household__village_id", "n")
        )
        poor_people = dict(
            members.filter(household__poverty_status__in=NOT_EXITED)
            .values("household__village_id")
            .annotate(n=Count("pk"))
            .values_list("household__village_id", "n")
        )
        # Exit class of the nearest region up the tree that sets one: a handful of rows, one query.
        classes = dict(
            Region.objects.filter(level__lt=RegionLevel.VILLAGE)
            .exclude(exit_region_class="")
            .values_list("code", "exit_region_class")
        )
        thresholds: dict = {}
        villages = self.queryset(ctx).order_by("code")
        for village in villages.iterator(chunk_size=ctx.chunk_size):
            code = village.code
            poor = poor_people.get(code, 0)
            # 农业户籍人口 is not in the registry yet; a region attribute fills it when it exists.
            population = getattr(village, "agricultural_population", None)
            incidence = Decimal(poor) / population if population else None
            exit_class = village.exit_region_class or next(
                (classes[c] for c in (code[:n].ljust(12, "0") for n in (9, 6, 4, 2)) if c in classes), ""
            )
            threshold = _threshold(ctx, code[:9] + "000", exit_class, thresholds)
            reached = (
                "" if incidence is None or threshold is None else ("是" if incidence < threshold else "否")
            )
            yield (
                ctx.township_name(code),
                village.name,
                code,
                "是" if village.is_poor_village else "否",
                households.get(code, 0),
                people.get(code, 0),
                poor_households.get(code, 0),
                poor,
                population,
                incidence,
                threshold,
                reached,
            )


class HelpForceLedger(Ledger):
    """帮扶责任人 (with the households they help in scope), then 驻村工作队 members (第一书记 marked)."""

    key = "help_force"
    sheet_name = "帮扶力量台账"
    title = "帮扶力量台账"
    empty_note = "已入库户没有在岗的帮扶责任人，所选区划也没有在驻的驻村工作队"
    columns = (
        Col("序号", 7, INT),
        Col("类别", 12),
        Col("姓名", 10),
        Col("工作单位", 22),
        Col("单位隶属", 9),
        Col("职务", 12),
        Col("联系电话", 14),
        Col("帮扶/驻村地点", 18),
        Col("帮扶户数", 9, INT, total=True),
        Col("第一书记", 8),
        Col("开始日期", 11, DATE),
        Col("结束日期", 11, DATE),
    )

    def _assignments(self, ctx: ExportContext):
        return ctx.approved(HelperAssignment.objects.filter(end__isnull=True), "household__")

    def _team_members(self, ctx: ExportContext):
        return ctx.scoped(WorkTeamMember.objects.filter(team__end__isnull=True))

    def count(self, ctx: ExportContext) -> int:
        helpers = self._assignments(ctx).values("helper").distinct().count()
        return helpers + self._team_members(ctx).count()

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        levels = label_map(HelperUnitLevel)
        helpers = (
            self._assignments(ctx)
            .order_by()
            .values("helper")
            .annotate(households=Count("household", distinct=True))
            .values_list(
                "helper__name",
                "helper__unit",
                "helper__unit_level",
                "helper__post",
                "helper__phone",
                "households",
                "helper_id",
            )
            .order_by("helper__name", "helper_id")
        )
        assignment_start = dict(
            self._assignments(ctx).order_by("helper_id", "start").values_list("helper_id", "start")
        )
        place = ctx.region_title()
        n = 0
        for name, unit, level, post, phone, count, helper_id in helpers.iterator(chunk_size=ctx.chunk_size):
            n += 1
            yield (n, "帮扶责任人", name, unit, levels.get(level, level), post, phone, place, count, "",
                   assignment_start.get(helper_id), None)  # fmt: skip
        team = (
            self._team_members(ctx)
            .order_by("team__village_id", "-is_first_secretary", "-is_leader", "id")
            .values_list(
                "name",
                "unit",
                "post",
                "phone",
                "is_first_secretary",
                "is_leader",
                "team__village_id",
                "team__dispatching_unit",
                "team__start",
                "team__end",
            )  # fmt: skip
        )
        for name, unit, post, phone, first, leader, village, dispatching, start, end in team.iterator(
            chunk_size=ctx.chunk_size
        ):
            n += 1
            kind = "驻村工作队队长" if leader else "驻村工作队队员"
            yield (n, kind, name, unit or dispatching, "", post, phone, ctx.village_name(village), None,
                   "是" if first else "否", start, end)  # fmt: skip

"""扶贫项目库 ledgers (domain.md#ledger-projects, #ledger-funds, #ledger-assets, #ledger-asset-income):
approved projects only (县审批 passed), in the user's scope, streamed. Household counts, no names, in
the project sheets; the distribution sheet lists households by number (a county's working file)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, F, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from core.choices import ReviewState
from projects.choices import AssetType, DistributionRule, FundSource, ProjectType, Stage
from projects.models import Asset, FundPayment, IncomeShare, Project, ProjectBeneficiary, ProjectBudget
from reports.ledgers.base import DATE, INT, MONEY, Col, ExportContext, Ledger, label_map

ZERO = Decimal("0.00")
APPROVED = {"review_state": ReviewState.VERIFIED}


def _approved(ctx: ExportContext, queryset, path: str = ""):
    qs = ctx.scoped(queryset.filter(**{f"{path}{k}": v for k, v in APPROVED.items()}))
    return qs.filter(**{f"{path}year": ctx.year}) if ctx.year else qs


def _sum(model, field: str = "amount"):
    rows = model.objects.filter(project=OuterRef("pk")).order_by().values("project")
    return Coalesce(Subquery(rows.annotate(t=Sum(field)).values("t")), ZERO)


class ProjectLedger(Ledger):
    key = "project_library"
    sheet_name = "项目库台账"
    title = "扶贫项目库台账"
    empty_note = "所选区划和年度没有县级审批入库的项目"
    columns = (
        Col("序号", 7, INT),
        Col("年度", 7, INT),
        Col("项目名称", 28),
        Col("项目类型", 12),
        Col("乡镇", 12),
        Col("村", 12),
        Col("项目阶段", 12),
        Col("计划开工", 11, DATE),
        Col("计划完工", 11, DATE),
        Col("实际开工", 11, DATE),
        Col("验收日期", 11, DATE),
        Col("受益户数", 9, INT, total=True),
        Col("预算合计", 14, MONEY, total=True),
        Col("已支付", 14, MONEY, total=True),
        Col("剩余", 14, MONEY, total=True),
    )

    def queryset(self, ctx: ExportContext):
        return _approved(ctx, Project.objects.all())

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        links = ProjectBeneficiary.objects.filter(project=OuterRef("pk")).order_by().values("project")
        qs = (
            self.queryset(ctx)
            .annotate(
                budget=_sum(ProjectBudget),
                paid=_sum(FundPayment),
                households=Coalesce(Subquery(links.annotate(n=Count("id")).values("n")), 0),
            )
            .order_by("year", "region_id", "id")
            .values_list(
                "year",
                "name",
                "project_type",
                "region_id",
                "stage",
                "planned_start",
                "planned_end",
                "actual_start",
                "actual_end",
                "households",
                "budget",
                "paid",
            )
        )
        types, stages = label_map(ProjectType), label_map(Stage)
        for n, row in enumerate(qs.iterator(chunk_size=ctx.chunk_size), 1):
            year, name, kind, code, stage, ps, pe, ast, aend, households, budget, paid = row
            village = ctx.village_name(code) if not code.endswith("000") else ""
            township = ctx.township_name(code) if not code.endswith("000000") else ""
            yield (
                n,
                year,
                name,
                types.get(kind, ""),
                township,
                village,
                stages.get(stage, ""),
                ps,
                pe,
                ast,
                aend,
                households,
                budget,
                paid,
                budget - paid,
            )


class FundLedger(Ledger):
    key = "project_funds"
    sheet_name = "资金使用台账"
    title = "扶贫项目资金使用台账"
    empty_note = "所选区划和年度没有入库项目的预算"
    columns = (
        Col("序号", 7, INT),
        Col("年度", 7, INT),
        Col("项目名称", 28),
        Col("实施地点", 14),
        Col("资金来源", 14),
        Col("预算金额", 14, MONEY, total=True),
        Col("已支付", 14, MONEY, total=True),
        Col("剩余", 14, MONEY, total=True),
        Col("支付笔数", 9, INT, total=True),
        Col("最近支付日期", 12, DATE),
    )

    def queryset(self, ctx: ExportContext):
        return _approved(ctx, ProjectBudget.objects.all(), "project__")

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        payments = FundPayment.objects.filter(
            project=OuterRef("project_id"), source=OuterRef("source")
        ).order_by()
        grouped = payments.values("project", "source")
        qs = (
            self.queryset(ctx)
            .annotate(
                paid=Coalesce(Subquery(grouped.annotate(t=Sum("amount")).values("t")), ZERO),
                count=Coalesce(Subquery(grouped.annotate(c=Count("id")).values("c")), 0),
                last=Subquery(grouped.annotate(d=Max("paid_on")).values("d")),
            )
            .order_by("project__year", "project__region_id", "project_id", "id")
            .values_list(
                "project__year",
                "project__name",
                "project__region_id",
                "source",
                "amount",
                "paid",
                "count",
                "last",
            )
        )
        sources = label_map(FundSource)
        for n, (year, name, code, source, budget, paid, count, last) in enumerate(
            qs.iterator(chunk_size=ctx.chunk_size), 1
        ):
            yield (
                n,
                year,
                name,
                ctx.region_names().get(code, ""),
                sources.get(source, ""),
                budget,
                paid,
                budget - paid,
                count,
                last,
            )


class AssetLedger(Ledger):
    key = "project_assets"
    sheet_name = "资产台账"
    title = "扶贫项目资产台账"
    empty_note = "所选区划和年度没有登记的扶贫资产"
    columns = (
        Col("序号", 7, INT),
        Col("资产名称", 24),
        Col("资产类型", 14),
        Col("形成资产的项目", 28),
        Col("项目年度", 8, INT),
        Col("所在地", 14),
        Col("资产原值", 14, MONEY, total=True),
        Col("所有权人", 18),
        Col("经营管理主体", 18),
        Col("登记日期", 11, DATE),
        Col("累计收益", 14, MONEY, total=True),
    )

    def queryset(self, ctx: ExportContext):
        return _approved(ctx, Asset.objects.all(), "project__")

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        from projects.models import AssetIncome

        incomes = AssetIncome.objects.filter(asset=OuterRef("pk")).order_by().values("asset")
        qs = (
            self.queryset(ctx)
            .annotate(earned=Coalesce(Subquery(incomes.annotate(t=Sum("amount")).values("t")), ZERO))
            .order_by("project__region_id", "id")
            .values_list(
                "name",
                "asset_type",
                "project__name",
                "project__year",
                "project__region_id",
                "value",
                "owner",
                "manager",
                "registered_on",
                "earned",
            )
        )
        types = label_map(AssetType)
        for n, (name, kind, project, year, code, value, owner, manager, on, earned) in enumerate(qs, 1):
            yield (
                n,
                name,
                types.get(kind, ""),
                project,
                year,
                ctx.region_names().get(code, ""),
                value,
                owner,
                manager,
                on,
                earned,
            )


class IncomeDistributionLedger(Ledger):
    key = "asset_income"
    sheet_name = "收益分配台账"
    title = "扶贫资产收益分配台账"
    empty_note = "所选区划和年度没有资产收益分配"
    columns = (
        Col("序号", 7, INT),
        Col("收益年度", 8, INT),
        Col("资产名称", 24),
        Col("分配方式", 12),
        Col("分配日期", 11, DATE),
        Col("乡镇", 12),
        Col("村", 12),
        Col("户编号", 16),
        Col("分配时人口", 9, INT, total=True),
        Col("分红金额", 12, MONEY, total=True),
        Col("计入收入年度", 22),
    )

    def queryset(self, ctx: ExportContext):
        qs = ctx.scoped(
            IncomeShare.objects.filter(
                income__asset__project__review_state=ReviewState.VERIFIED,
                household__review_state=ReviewState.VERIFIED,
            )
        )
        return qs.filter(income__year=ctx.year) if ctx.year else qs

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        qs = self.queryset(ctx).order_by("income__year", "income_id", "household__village_id", "household_id")
        qs = qs.values_list(
            "income__year",
            "income__asset__name",
            "income__rule",
            "income__distributed_on",
            "household__village_id",
            "household__household_no",
            "persons",
            "amount",
            "income_year__period_start",
            "income_year__period_end",
            F("income_year_created"),
        )
        rules = label_map(DistributionRule)
        for n, row in enumerate(qs.iterator(chunk_size=ctx.chunk_size), 1):
            year, asset, rule, on, village, number, persons, amount, start, end, created = row
            period = f"{start:%Y-%m-%d}至{end:%Y-%m-%d}" + ("（新建）" if created else "")
            yield (
                n,
                year,
                asset,
                rules.get(rule, ""),
                on,
                ctx.township_name(village),
                ctx.village_name(village),
                number,
                persons,
                amount,
                period,
            )

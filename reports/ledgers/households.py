"""Household ledgers: 建档立卡户花名册 and 收入测算表 (domain.md#ledger-1, domain.md#ledger-3)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from households.choices import (
    DangerLevel,
    MemberStatus,
    PovertyAttribute,
    PovertyCause,
    PovertyStatus,
    Relation,
)
from households.income import IncomeComponents, net_income, poverty_basis_per_capita
from households.models import HelperAssignment, Household, IncomeYear, Member
from programs.selectors import parameter_value
from reports.ledgers.base import DECIMAL, INT, MONEY, Col, ExportContext, Ledger, id_col, label_map

_ATTRIBUTE = label_map(PovertyAttribute)
_CAUSE = label_map(PovertyCause)
_STATUS = label_map(PovertyStatus)
_DANGER = label_map(DangerLevel)
INCOME_FIELDS = (
    "wage",
    "business_income",
    "property_dividend",
    "property_other",
    "transfer_family_planning",
    "transfer_dibao",
    "transfer_tekun",
    "transfer_pension",
    "transfer_eco",
    "transfer_disability",
    "transfer_other",
    "business_expense",
)


def base_households(ctx: ExportContext):
    """The approved register (已入库) in scope: every registry ledger starts here."""
    return ctx.approved(Household.objects.all())


def head_of(field: str, *, household: str = "pk") -> Subquery:
    """A field of the household's active 户主 (`household` names the outer household key)."""
    return Subquery(
        Member.objects.filter(
            household=OuterRef(household), relation=Relation.HEAD, member_status=MemberStatus.NORMAL
        ).values(field)[:1]
    )


def persons_of(*, household: str = "pk") -> Coalesce:
    """家庭人口: active members only (R1)."""
    return Coalesce(
        Subquery(
            Member.objects.filter(household=OuterRef(household), member_status=MemberStatus.NORMAL)
            .order_by()
            .values("household")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def income_rows(ctx: ExportContext):
    """The income year each household is measured on: the chosen year's, else the latest."""
    qs = IncomeYear.objects.filter(household=OuterRef("pk"))
    if ctx.year:
        qs = qs.filter(period_end__year=ctx.year)
    return qs.order_by("-period_end")


def poverty_line(ctx: ExportContext) -> Decimal | None:
    """line(year) of R3 from the dated parameters, when the programs app provides them."""
    region = ctx.region.code if ctx.region is not None else ""
    try:
        return Decimal(str(parameter_value("poverty_line.exit", region_code=region, as_of=ctx.as_of)))
    except ValidationError:  # no parameter for this region/date: the column stays empty
        return None


class RosterLedger(Ledger):
    key = "roster"
    sheet_name = "建档立卡户花名册"
    title = "建档立卡户花名册"
    empty_note = "所选区划没有已入库的建档立卡户（草稿和审核中的户见待审核户清单）"
    columns = (
        Col("序号", 7, INT),
        Col("县", 10),
        Col("乡镇", 10),
        Col("村", 10),
        Col("组", 8),
        Col("户编号", 14),
        Col("户主", 10),
        id_col("身份证号"),
        Col("人口", 6, INT, total=True),
        Col("贫困户属性", 14),
        Col("主要致贫原因", 12),
        Col("其他致贫原因", 14),
        Col("识别年度", 9, INT),
        Col("脱贫状态", 14),
        Col("脱贫年度", 9, INT),
        Col("人均纯收入", 12, MONEY),
        Col("危房等级", 14),
        Col("帮扶责任人", 16),
        Col("电话", 14),
    )

    def count(self, ctx: ExportContext) -> int:
        return base_households(ctx).count()

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        incomes = income_rows(ctx)
        qs = (
            base_households(ctx)
            .annotate(
                head_name=head_of("name"),
                head_id=head_of("id_no"),
                persons=persons_of(),
                helpers=Subquery(
                    HelperAssignment.objects.filter(household=OuterRef("pk"), end__isnull=True)
                    .order_by()
                    .values("household")
                    .annotate(names=StringAgg("helper__name", "、"))
                    .values("names")[:1]
                ),
                helper_phones=Subquery(
                    HelperAssignment.objects.filter(household=OuterRef("pk"), end__isnull=True)
                    .exclude(helper__phone="")
                    .order_by()
                    .values("household")
                    .annotate(phones=StringAgg("helper__phone", "、"))
                    .values("phones")[:1]
                ),
                **{f"inc_{name}": Subquery(incomes.values(name)[:1]) for name in INCOME_FIELDS},
            )
            .order_by("village_id", "household_no")
            .values_list(
                "village_id",
                "group_name",
                "household_no",
                "head_name",
                "head_id",
                "persons",
                "attribute",
                "main_cause",
                "other_causes",
                "identify_year",
                "poverty_status",
                "exit_year",
                "danger_level",
                "helpers",
                "helper_phones",
                *(f"inc_{name}" for name in INCOME_FIELDS),
            )
        )
        for n, row in enumerate(qs.iterator(chunk_size=ctx.chunk_size), start=1):
            (village, group, number, head, head_id, persons, attribute, main, others, year, status, exit_year,
             danger, helpers, phones) = row[:15]  # fmt: skip
            income = row[15:]
            per_capita = None
            if income[0] is not None:
                components = IncomeComponents(**dict(zip(INCOME_FIELDS, income, strict=True)))
                per_capita = poverty_basis_per_capita(components, persons)
            yield (
                n,
                ctx.county_name(village),
                ctx.township_name(village),
                ctx.village_name(village),
                group,
                number,
                head,
                head_id or "",
                persons,
                _ATTRIBUTE.get(attribute, attribute),
                _CAUSE.get(main, main),
                "、".join(_CAUSE.get(c, c) for c in others or []),
                year,
                _STATUS.get(status, status),
                exit_year,
                per_capita,
                _DANGER.get(danger, danger),
                helpers,
                phones,
            )


class IncomeLedger(Ledger):
    key = "income"
    sheet_name = "收入测算表"
    title = "收入测算表"
    columns = (
        Col("序号", 7, INT),
        Col("乡镇", 10),
        Col("村", 10),
        Col("户编号", 14),
        Col("户主", 10),
        Col("人口", 6, INT, total=True),
        Col("收入年度", 22),
        Col("工资性收入", 12, MONEY, total=True),
        Col("生产经营性收入", 12, MONEY, total=True),
        Col("资产收益扶贫分红", 12, MONEY, total=True),
        Col("其他财产性收入", 12, MONEY, total=True),
        Col("计划生育金", 11, MONEY, total=True),
        Col("低保金", 11, MONEY, total=True),
        Col("特困供养金", 11, MONEY, total=True),
        Col("养老保险金", 11, MONEY, total=True),
        Col("生态补偿金", 11, MONEY, total=True),
        Col("两项补贴", 11, MONEY, total=True),
        Col("其他转移性收入", 12, MONEY, total=True),
        Col("生产经营性支出", 12, MONEY, total=True),
        Col("纯收入", 12, MONEY, total=True),
        Col("人均纯收入", 12, MONEY),
        Col("贫困线", 10, DECIMAL),
        Col("是否达标", 8),
    )

    def empty_reason(self, ctx: ExportContext) -> str:
        if ctx.year:
            return f"已入库户没有{ctx.year}年度的收入记录"
        return "已入库户尚无收入记录"

    def queryset(self, ctx: ExportContext):
        qs = IncomeYear.objects.all()
        if ctx.year:
            qs = qs.filter(period_end__year=ctx.year)
        else:
            latest = IncomeYear.objects.filter(household=OuterRef("household")).order_by("-period_end")
            qs = qs.filter(pk=Subquery(latest.values("pk")[:1]))
        return ctx.approved(qs, "household__")

    def rows(self, ctx: ExportContext) -> Iterator[tuple]:
        line = poverty_line(ctx)
        qs = (
            self.queryset(ctx)
            .annotate(
                head_name=head_of("name", household="household"),
                persons=persons_of(household="household"),
                village=F("household__village_id"),
                number=F("household__household_no"),
            )
            .order_by("household__village_id", "household__household_no", "period_end")
            .values_list(
                "village", "number", "head_name", "persons", "period_start", "period_end", *INCOME_FIELDS
            )
        )
        for n, row in enumerate(qs.iterator(chunk_size=ctx.chunk_size), start=1):
            village, number, head, persons, start, end = row[:6]
            amounts = row[6:]
            components = IncomeComponents(**dict(zip(INCOME_FIELDS, amounts, strict=True)))
            net = net_income(components)
            per_capita = poverty_basis_per_capita(components, persons)
            reached = "" if line is None else ("是" if per_capita > line else "否")
            yield (
                n,
                ctx.township_name(village),
                ctx.village_name(village),
                number,
                head,
                persons,
                f"{start:%Y-%m-%d}至{end:%Y-%m-%d}",
                *amounts,
                net,
                per_capita,
                line,
                reached,
            )

"""Assets of finished projects and their yearly income (R32): the county registers an asset, then each
year's income is shared to the project's beneficiary households by a rule, and each share is added to
the household's income year as 资产收益分红 — the next recalculation (R1, R7, R16) reads it like any
typed line. One transaction: the distribution, its shares and the income lines, or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

from core import parameters
from core.money import to_yuan
from core.workflow import services as chain
from core.workflow.config import LEVELS, kind_of
from core.workflow.errors import TransitionError
from households.choices import MemberStatus
from households.income import INCOME_FIELD_NAMES
from households.models import Household, IncomeYear
from projects import rules
from projects.choices import FINISHED_STAGES, DistributionRule
from projects.models import Asset, AssetIncome, IncomeShare, Project

NOT_FINISHED = "项目当前阶段为「{stage}」：验收后才能登记资产"
VALUE_NEGATIVE = "资产原值不能为负"
AMOUNT_NOT_POSITIVE = "收益金额须大于0"
NO_BENEFICIARIES = "该项目没有受益户，无法分配收益"
ALREADY_DISTRIBUTED = "该资产 {year} 年度收益已分配"
LIST_REQUIRED = "按名单分配须列出每户金额"
LIST_NOT_BENEFICIARY = "名单中有不是本项目受益户的户（{names}）"
LIST_TOTAL_WRONG = "名单金额合计 {total} 元，与收益金额 {amount} 元不符"
NO_PERSONS = "受益户都没有在册人口，无法按人口分配"
COUNTY = LEVELS["county"]


def _check_county(user, project: Project, action: str) -> None:
    chain.check_role(user, COUNTY, action)
    chain.check_scope(user, kind_of(project), project)


def register_asset(
    *,
    project: Project,
    user,
    name: str,
    asset_type: str,
    value: Decimal | int | str,
    manager: str,
    registered_on: dt.date,
    owner: str = "村集体经济组织",
) -> Asset:
    value = to_yuan(Decimal(str(value)))
    if value < 0:
        raise ValidationError(VALUE_NEGATIVE)
    with transaction.atomic(), pghistory.context(user=user.pk):
        locked = chain.lock_record(project)
        _check_county(user, locked, "登记资产")
        if locked.stage not in FINISHED_STAGES:
            raise TransitionError(NOT_FINISHED.format(stage=locked.get_stage_display()))
        return Asset.objects.create(
            project=locked,
            name=name,
            asset_type=asset_type,
            value=value,
            owner=owner,
            manager=manager,
            registered_on=registered_on,
            created_by=user,
        )


def income_period(*, village_code: str, on: dt.date) -> tuple[dt.date, dt.date]:
    """The income year containing `on`, as the parameter income.period_start_month sets it
    (1: the calendar year; 10: 1 October to 30 September)."""
    month = int(parameters.value("income.period_start_month", region_code=village_code, as_of=on))
    year = on.year if on.month >= month else on.year - 1
    start = dt.date(year, month, 1)
    return start, dt.date(year + 1, month, 1) - dt.timedelta(days=1)


def _shares(*, rule: str, amount: Decimal, households: list[tuple[int, int]], listed) -> list[Decimal]:
    """households: (id, persons) ordered by id. Amounts in the same order."""
    if rule == DistributionRule.EQUAL:
        return rules.split(amount, [1] * len(households))
    if rule == DistributionRule.PERSONS:
        if not any(p for _, p in households):
            raise ValidationError(NO_PERSONS)
        return rules.split(amount, [p for _, p in households])
    return [listed[hid] for hid, _ in households]


def distribute_income(
    *,
    asset: Asset,
    user,
    year: int,
    amount: Decimal | int | str,
    rule: str,
    distributed_on: dt.date,
    listed: dict[int, Decimal] | None = None,
) -> AssetIncome:
    """Share one year's income of an asset (R32). `listed` (household id → amount) for the list
    rule; equal shares and by persons go to every beneficiary household of the project."""
    amount = to_yuan(Decimal(str(amount)))
    if amount <= 0:
        raise ValidationError(AMOUNT_NOT_POSITIVE)
    with transaction.atomic(), pghistory.context(user=user.pk):
        project = chain.lock_record(asset.project)
        _check_county(user, project, "分配资产收益")
        if AssetIncome.objects.filter(asset=asset, year=year).exists():
            raise ValidationError(ALREADY_DISTRIBUTED.format(year=year))
        beneficiaries = (
            Household.objects.filter(
                archived_at__isnull=True, pk__in=project.beneficiaries.values("household_id")
            )
            .annotate(persons=Count("members", filter=Q(members__member_status=MemberStatus.NORMAL)))
            .order_by("pk")
        )
        households = list(beneficiaries.values_list("pk", "persons"))
        villages = dict(beneficiaries.values_list("pk", "village_id"))
        if rule == DistributionRule.LIST:
            listed = {int(k): to_yuan(Decimal(str(v))) for k, v in (listed or {}).items() if Decimal(str(v))}
            if not listed:
                raise ValidationError(LIST_REQUIRED)
            strangers = sorted(set(listed) - {hid for hid, _ in households})
            if strangers:
                raise ValidationError(LIST_NOT_BENEFICIARY.format(names="、".join(map(str, strangers))))
            total = sum(listed.values(), Decimal("0.00"))
            if total != amount:
                raise ValidationError(LIST_TOTAL_WRONG.format(total=total, amount=amount))
            households = [(hid, p) for hid, p in households if hid in listed]
        if not households:
            raise ValidationError(NO_BENEFICIARIES)
        amounts = _shares(rule=rule, amount=amount, households=households, listed=listed)
        income = AssetIncome.objects.create(
            asset=asset,
            year=year,
            amount=amount,
            rule=rule,
            distributed_on=distributed_on,
            households=len(households),
            created_by=user,
        )
        years, created = _income_years(
            ids=[hid for hid, _ in households], villages=villages, on=distributed_on
        )
        for (hid, _), share in zip(households, amounts, strict=True):
            years[hid].property_dividend += share
        IncomeYear.objects.bulk_update(list(years.values()), ["property_dividend"])
        IncomeShare.objects.bulk_create(
            IncomeShare(
                income=income,
                household_id=hid,
                persons=persons,
                amount=share,
                income_year=years[hid],
                income_year_created=hid in created,
            )
            for (hid, persons), share in zip(households, amounts, strict=True)
        )
    return income


def _income_years(*, ids: list[int], villages: dict[int, str], on: dt.date):
    """Each household's income year containing `on`, locked; one is created where it is missing,
    its other lines carried over from the household's latest earlier year (a household whose year has
    not been surveyed yet keeps its known income instead of looking income-less)."""
    rows = {
        row.household_id: row
        for row in IncomeYear.objects.select_for_update()
        .filter(household_id__in=ids, period_start__lte=on, period_end__gte=on)
        .order_by("household_id")
    }
    missing = [hid for hid in ids if hid not in rows]
    if missing:
        latest = {}
        for row in IncomeYear.objects.filter(household_id__in=missing, period_end__lt=on).order_by(
            "household_id", "-period_end"
        ):
            latest.setdefault(row.household_id, row)
        new = []
        for hid in missing:
            start, end = income_period(village_code=villages[hid], on=on)
            previous = latest.get(hid)
            carried = {name: getattr(previous, name) for name in INCOME_FIELD_NAMES} if previous else {}
            carried["property_dividend"] = Decimal("0.00")
            new.append(IncomeYear(household_id=hid, period_start=start, period_end=end, **carried))
        for row in IncomeYear.objects.bulk_create(new):
            rows[row.household_id] = row
    return rows, set(missing)

"""Scenario 70 and R32: a finished project's asset, its yearly income shared to the beneficiary
households, each share a 资产收益分红 line of the household's income year that the next
recalculation reads (低保 and monitoring decisions change)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assistance import recalc
from households.models import IncomeYear
from programs.models import EligibilityResult
from projects.choices import AssetType, DistributionRule, Stage
from projects.models import IncomeShare
from projects.rules import split
from projects.services import assets
from tests.assistance.factories import dibao_household, set_income
from tests.factories import MemberFactory, user_for
from tests.projects.factories import project_at

pytestmark = pytest.mark.django_db
PAID_ON = dt.date(2026, 6, 30)
AS_OF = dt.date(2026, 7, 1)
YEAR_END = dt.date(2026, 9, 30)  # the income year 2025-10-01 to 2026-09-30 (income.period_start_month = 10)


def _households(village, wages):
    out = []
    for wage in wages:
        household = dibao_household(village=village, persons=1)
        set_income(household, wage, period_end=YEAR_END)
        out.append(household)
    return out


def _decisions(program: str, households) -> list[bool]:
    stored = dict(
        EligibilityResult.objects.filter(program_id=program, household__in=households).values_list(
            "household_id", "eligible"
        )
    )
    return [stored[h.pk] for h in households]


def _pv_asset(village, households):
    project = project_at(Stage.PUBLICIZED, village=village, households=households, name="村级光伏电站")
    county = user_for(village.parent.parent)
    asset = assets.register_asset(
        project=project,
        user=county,
        name="100千瓦村级光伏电站",
        asset_type=AssetType.PV,
        value=700_000,
        manager="村股份经济合作社",
        registered_on=dt.date(2026, 1, 5),
    )
    return asset, county


def test_scenario_70_asset_income_reaches_households_and_their_decisions(village_a):
    below_dibao = _households(village_a, [3500] * 15)  # under the 3876 yuan 低保 standard
    below_monitor = _households(village_a, [5500] * 15)  # under the 6000 yuan monitoring line
    households = below_dibao + below_monitor
    asset, county = _pv_asset(village_a, households)
    region = village_a.parent.parent
    recalc.recalculate_now(region=region, as_of=AS_OF)
    assert _decisions("dibao", below_dibao) == [True] * 15
    assert _decisions("monitoring", below_monitor) == [True] * 15

    income = assets.distribute_income(
        asset=asset,
        user=county,
        year=2026,
        amount=30_000,
        rule=DistributionRule.EQUAL,
        distributed_on=PAID_ON,
    )
    shares = IncomeShare.objects.filter(income=income)
    assert shares.count() == 30
    assert {s.amount for s in shares} == {Decimal("1000.00")}
    for household in households:
        year = IncomeYear.objects.get(household=household, period_end=YEAR_END)
        assert year.property_dividend == Decimal("1000.00")
        assert IncomeShare.objects.get(household=household).income_year == year  # its source

    from reports.ledgers import LEDGERS, ExportContext

    ctx = ExportContext(user=county, region=None)
    distribution = list(LEDGERS["asset_income"].rows(ctx))
    assert (len(distribution), sum(row[9] for row in distribution)) == (30, Decimal(30_000))
    assert [row[10] for row in LEDGERS["project_assets"].rows(ctx)] == [Decimal(30_000)]  # 累计收益

    recalc.recalculate_now(region=region, as_of=AS_OF)
    assert _decisions("dibao", below_dibao) == [False] * 15  # 4500 a year: above the standard
    assert _decisions("monitoring", below_monitor) == [False] * 15  # 6500: above the line

    with pytest.raises(ValidationError, match="2026 年度收益已分配"):
        assets.distribute_income(
            asset=asset, user=county, year=2026, amount=1, rule=DistributionRule.EQUAL, distributed_on=PAID_ON
        )


def test_shares_by_persons_and_by_list_and_a_missing_income_year_is_created(village_a):
    big = dibao_household(village=village_a, persons=1)
    MemberFactory(household=big, relation="spouse")  # two persons
    small = dibao_household(village=village_a, persons=1)  # its only income year ended in 2019
    set_income(big, 2000, period_end=YEAR_END)
    asset, county = _pv_asset(village_a, [big, small])
    assets.distribute_income(
        asset=asset, user=county, year=2025, amount=100, rule=DistributionRule.PERSONS, distributed_on=PAID_ON
    )
    assert IncomeShare.objects.get(household=big).amount == Decimal("66.67")
    created = IncomeShare.objects.get(household=small)
    assert (created.amount, created.income_year_created) == (Decimal("33.33"), True)
    year = created.income_year
    assert (year.period_start, year.period_end) == (dt.date(2025, 10, 1), YEAR_END)
    assert year.wage == Decimal("2000.00")  # carried over from its latest earlier year, not zero

    with pytest.raises(ValidationError, match="名单金额合计 50.00 元，与收益金额 60.00 元不符"):
        assets.distribute_income(
            asset=asset,
            user=county,
            year=2026,
            amount=60,
            rule=DistributionRule.LIST,
            distributed_on=PAID_ON,
            listed={big.pk: 50},
        )
    assets.distribute_income(
        asset=asset,
        user=county,
        year=2026,
        amount=60,
        rule=DistributionRule.LIST,
        distributed_on=PAID_ON,
        listed={big.pk: 60},
    )
    assert IncomeYear.objects.get(household=big, period_end=YEAR_END).property_dividend == Decimal("126.67")


def test_split_rounds_once_and_adds_up():
    assert split(Decimal("100"), [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert split(Decimal("10"), [1, 2]) == [Decimal("3.33"), Decimal("6.67")]
    assert sum(split(Decimal("30000"), [1] * 30)) == Decimal("30000")


def test_assets_only_of_finished_projects_by_the_county(village_a, clerk_a):
    project = project_at(Stage.IMPLEMENTING, village=village_a)
    county = user_for(village_a.parent.parent)
    with pytest.raises(ValidationError, match="验收后才能登记资产"):
        assets.register_asset(
            project=project,
            user=county,
            name="大棚",
            asset_type=AssetType.GREENHOUSE,
            value=1,
            manager="合作社",
            registered_on=PAID_ON,
        )


def test_household_page_shows_its_projects_and_dividends(client, village_a):
    households = _households(village_a, [3500, 3500])
    asset, county = _pv_asset(village_a, households)
    assets.distribute_income(
        asset=asset, user=county, year=2026, amount=2000, rule=DistributionRule.EQUAL, distributed_on=PAID_ON
    )
    client.force_login(county)
    page = client.get(f"/admin/households/household/{households[0].pk}/change/").content.decode()
    assert "扶贫项目与资产收益分红" in page
    assert "村级光伏电站" in page
    assert "100千瓦村级光伏电站" in page
    assert "1000.00" in page

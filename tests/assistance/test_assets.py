"""Financial assets recorded and applied (issue 23, scenario 37): the asset test of R7 on every path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assistance.choices import CaseStatus, StopGround
from assistance.models import StopProposal
from assistance.recalc import recalculate_now
from assistance.services import cases
from core.workflow.models import WorkflowEvent
from households.models import IncomeYear
from programs.services import evaluate_household, set_parameter
from tests.assistance.factories import CONFIRM_DAY, active_case, confirming_case, dibao_household, set_income

pytestmark = pytest.mark.django_db
LIMIT = "7752.00"  # 2 × 3876 a year per person (dibao.asset_multiple, S002's standard)


def _assets(household, total, *, income=None):
    """Checked financial assets on the household's latest income year (or a newer one)."""
    year = income or IncomeYear.objects.filter(household=household).order_by("-period_end").first()
    year.financial_assets = Decimal(total)
    year.assets_source = "joint_check"
    year.assets_checked_on = dt.date(2019, 9, 20)
    year.full_clean()
    year.save()
    return year


def _dibao(household, as_of=CONFIRM_DAY):
    return next(d for d in evaluate_household(household=household, as_of=as_of) if d.program == "dibao")


def test_assets_need_their_check_source_and_date(village_a):
    household = dibao_household(village=village_a)
    year = IncomeYear.objects.get(household=household)
    year.financial_assets = Decimal(1000)
    with pytest.raises(ValidationError) as exc:
        year.full_clean()
    assert exc.value.message_dict == {
        "assets_source": ["填写了家庭金融资产，请选择资产核对来源"],
        "assets_checked_on": ["填写了家庭金融资产，请填写资产核对日期"],
    }


def test_scenario_37_assets_over_the_multiple_are_not_eligible_and_need_a_special_decision(
    village_a, county_admin
):
    household = dibao_household(village=village_a, persons=3, income_per_person=2000)
    _assets(household, 30000)  # 10000 a person, over 2 × 3876
    decision = _dibao(household)
    assert not decision.eligible
    assert (
        f"家庭人均金融资产 10000.00 元，超过年低保标准 3876.00 元的 2 倍（{LIMIT} 元），不符合低保条件"
        in (decision.reasons)
    )

    case = confirming_case(household=household)
    with pytest.raises(ValidationError, match="家庭人均金融资产 10000.00 元") as exc:
        cases.confirm_case(case=case, user=county_admin, on=CONFIRM_DAY)
    assert "特殊情况" in exc.value.messages[0]
    case.refresh_from_db()
    assert case.status == CaseStatus.CONFIRMING

    confirmed = cases.confirm_case(
        case=case,
        user=county_admin,
        on=CONFIRM_DAY,
        special_reason="因病致贫，存款为大病医疗专款，经县民政局研究同意",
    )
    assert confirmed.status == CaseStatus.ACTIVE
    assert confirmed.monthly_amount == Decimal("469.00")  # the top-up, the asset test waived
    assert (confirmed.special_reason, confirmed.special_assets) == (
        "因病致贫，存款为大病医疗专款，经县民政局研究同意",
        Decimal("30000.00"),
    )
    event = WorkflowEvent.objects.filter(record_id=case.pk, reason__contains="特殊情况").get()
    assert "大病医疗专款" in event.reason

    # The nightly run pays on while the assets stay as accepted; once they rise, a stop proposal.
    county = village_a.parent.parent
    run = recalculate_now(region=county, as_of=dt.date(2019, 12, 5))
    assert (run.cases_changed, StopProposal.objects.count()) == (0, 0)
    _assets(household, 36000)
    recalculate_now(region=county, as_of=dt.date(2019, 12, 6))
    proposal = StopProposal.objects.get(case=case)
    assert proposal.ground == StopGround.ASSETS_OVER


def test_scenario_37_a_paying_case_whose_assets_rise_gets_a_stop_proposal(village_a, county_admin):
    household = dibao_household(village=village_a, persons=3, income_per_person=2000)
    case = active_case(household=household, county_user=county_admin)
    county = village_a.parent.parent
    newer = set_income(household, 2000)
    _assets(household, 30000, income=newer)
    recalculate_now(region=county, as_of=dt.date(2020, 10, 20))
    proposal = StopProposal.objects.get(case=case)
    assert (proposal.ground, proposal.status) == (StopGround.ASSETS_OVER, "proposed")
    assert proposal.reason == f"家庭人均金融资产10000.00元，超过规定标准{LIMIT}元，应予停保"
    assert not case.phase_outs.exists()  # 渐退 follows income, not assets
    # the next night proposes nothing new
    recalculate_now(region=county, as_of=dt.date(2020, 10, 21))
    assert StopProposal.objects.filter(case=case).count() == 1


def test_assets_rising_stop_the_case_where_the_county_stops_without_proposal(village_a, county_admin):
    county = village_a.parent.parent
    set_parameter(
        key="dibao.stop_without_phase_out", value="automatic", valid_from=dt.date(2020, 1, 1),
        region_prefix=county.code[:6], source="西民发〔2020〕3号 停保由系统自动办理（测试）",
    )  # fmt: skip
    household = dibao_household(village=village_a, persons=3, income_per_person=2000)
    case = active_case(household=household, county_user=county_admin)
    _assets(household, 30000, income=set_income(household, 2000))
    recalculate_now(region=county, as_of=dt.date(2020, 10, 20))
    case.refresh_from_db()
    assert (case.status, case.stop_month) == (CaseStatus.STOPPED, dt.date(2020, 11, 1))
    proposal = StopProposal.objects.get(case=case)
    assert proposal.ground == StopGround.ASSETS_OVER
    assert proposal.reason == f"家庭人均金融资产10000.00元，超过规定标准{LIMIT}元，应予停保"
    assert f"经复核，你户家庭人均金融资产10000.00元，超过规定标准{LIMIT}元。" in proposal.notice_text


def test_special_decision_is_refused_for_a_household_over_the_income_standard_and_not_needed_below(
    village_a, county_admin
):
    over = confirming_case(household=dibao_household(village=village_a, persons=3, income_per_person=5000))
    with pytest.raises(ValidationError, match="特殊情况确认仅适用于"):
        cases.confirm_case(case=over, user=county_admin, on=CONFIRM_DAY, special_reason="困难")
    below = confirming_case(household=dibao_household(village=village_a, persons=3, income_per_person=2000))
    with pytest.raises(ValidationError, match="无需特殊情况确认"):
        cases.confirm_case(case=below, user=county_admin, on=CONFIRM_DAY, special_reason="困难")

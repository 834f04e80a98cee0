"""Domain scenarios 11–14 and 20–25 and the rules R4–R18 as pure functions (no database)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from households.income import IncomeComponents, dibao_basis_annual, net_income, poverty_basis_per_capita
from programs.rules import phase_out
from programs.rules.consistency import check_attribute_consistency
from programs.rules.dibao import decide_dibao
from programs.rules.disability import decide_disability_care, decide_disability_living
from programs.rules.education import decide_education
from programs.rules.employment import decide_employment
from programs.rules.engine import ALL_PROGRAMS, evaluate
from programs.rules.exit import decide_exit, decide_village_exit
from programs.rules.medical import chronic_assistance, decide_medical, inpatient_top_up
from programs.rules.monitoring import decide_monitoring
from programs.rules.pension import decide_pension, pension_flag
from programs.rules.relocation import decide_relocation
from programs.rules.tekun import basic_standard_month, decide_tekun
from tests.programs.helpers import AS_OF, household, member, seed_params

Y = Decimal


# ---------------------------------------------------------------- 低保 R7–R9


def test_scenario_11_two_income_bases_dibao_money_only_in_poverty_basis():
    before = IncomeComponents(wage=Y(6000))
    facts = household(3, income=before)
    decision = decide_dibao(facts, AS_OF, seed_params())
    assert decision.eligible
    assert decision.monthly_amount * 12 == Y("5628.00")  # (3876 − 2000) × 3
    after = IncomeComponents(wage=Y(6000), transfer_dibao=Y(5628))
    assert dibao_basis_annual(after) == Y(6000)
    assert net_income(after) - net_income(before) == Y(5628)
    assert decide_dibao(household(3, income=after), AS_OF, seed_params()).monthly_amount == Y("469.00")


def test_dibao_reason_quotes_monthly_figures():
    decision = decide_dibao(household(3, income=6000), AS_OF, seed_params())
    assert "家庭月人均收入（低保口径）166.67 元，低于当地低保标准 323.00 元" in decision.reasons
    assert decision.parameter_ids  # the standard's version is named


def test_dibao_not_eligible_above_standard_and_edge_flagged():
    decision = decide_dibao(household(1, income=4000), AS_OF, seed_params())
    assert not decision.eligible
    assert decision.monthly_amount == 0
    assert "不低于当地低保标准 323.00 元" in decision.reasons[0]
    assert "edge" in decision.tags  # 4000 < 1.5 × 3876


def test_scenario_12_disability_classified_add_on_is_64_60_at_20_percent():
    disabled = member(40, disability_type="physical", disability_grade=1)
    decision = decide_dibao(household(members=[disabled], income=0), AS_OF, seed_params())
    assert decision.amounts["classified_month"] == Y("64.60")
    assert any("64.60 元/月" in r and "20%" in r for r in decision.reasons)


def test_classified_does_not_stack_unless_parameter_says_so():
    old_disabled = member(70, disability_type="physical", disability_grade=1)
    facts = household(members=[old_disabled], income=0)
    single = decide_dibao(facts, AS_OF, seed_params())
    stacked = decide_dibao(facts, AS_OF, seed_params(classified__stack=True))
    assert single.amounts["classified_month"] == Y("64.60")  # max(20%, 10%)
    assert stacked.amounts["classified_month"] == Y("96.90")  # 20% + 10%


def test_bands_payment_mode():
    params = seed_params(dibao__payment_mode="bands")
    decision = decide_dibao(household(2, income=0), AS_OF, params)
    assert decision.monthly_amount == Y("646.00")  # band A pays 100% × 323 × 2
    assert any("A 档" in r for r in decision.reasons)


def test_asset_limit_blocks_dibao():
    facts = household(1, income=0, financial_assets=Y(8000))
    decision = decide_dibao(facts, AS_OF, seed_params())
    assert not decision.eligible
    assert any("金融资产" in r for r in decision.reasons)


# ---------------------------------------------------------------- 两项补贴 R10, 特困 R11


def test_scenario_13_nursing_subsidy_by_grade():
    members = [member(disability_type="physical", disability_grade=g) for g in (1, 2, 3)]
    decision = decide_disability_care(household(members=members), AS_OF, seed_params())
    assert decision.monthly_amount == Y("90.00")
    assert decision.persons == 2
    assert any("一级残疾）：护理补贴 50.00 元/月" in r for r in decision.reasons)
    assert any("二级残疾）：护理补贴 40.00 元/月" in r for r in decision.reasons)
    assert any("三级残疾）：当地护理补贴标准为 0 元" in r for r in decision.reasons)


def test_living_subsidy_only_for_dibao_households():
    facts = household(members=[member(disability_type="visual", disability_grade=3)], income=0)
    assert not decide_disability_living(facts, AS_OF, seed_params(), dibao_eligible=False).eligible
    yes = decide_disability_living(facts, AS_OF, seed_params(), dibao_eligible=True)
    assert yes.monthly_amount == Y("64.60")


def test_scenario_14_tekun_standard_is_1_3_times_urban_570():
    basic, sentence, _ = basic_standard_month(seed_params())
    assert basic == Y("741.00")
    assert "570.00 元 × 1.3 = 741.00 元" in sentence


def test_tekun_household_without_labor_and_income():
    facts = household(members=[member(75, labor="lost"), member(80, labor="none")], income=0)
    decision = decide_tekun(facts, AS_OF, seed_params())
    assert decision.eligible
    assert decision.monthly_amount == Y("1482.00")
    able = household(members=[member(75, labor="lost"), member(40)], income=0)
    assert not decide_tekun(able, AS_OF, seed_params()).eligible


# ---------------------------------------------------------------- 退出 R3–R5


def _exit_household(percap, **kwargs):
    return household(1, income=percap, **kwargs)


def test_scenario_20_exit_income_against_the_years_line():
    facts = _exit_household(3300)
    passing = decide_exit(facts, AS_OF, seed_params())
    assert passing.eligible
    assert "家庭年人均纯收入 3300.00 元，高于当年贫困线 3247.00 元" in passing.reasons
    failing = decide_exit(facts, AS_OF, seed_params(**{"poverty_line.exit": Y(3747)}))
    assert not failing.eligible
    assert "income" in failing.tags


def test_scenario_21_d_grade_house_blocks_exit():
    decision = decide_exit(_exit_household(5000, danger_level="D"), AS_OF, seed_params())
    assert not decision.eligible
    assert "住房安全未保障（D级危房）" in decision.reasons


def test_scenario_21_child_of_10_out_of_school_blocks_exit():
    child = member(10, name="小明", school_status="not_in_school")
    facts = household(members=[member(40), child], income=10000)
    decision = decide_exit(facts, AS_OF, seed_params())
    assert not decision.eligible
    assert any(r.startswith("义务教育未保障：小明（10 周岁）") for r in decision.reasons)
    excused = household(members=[member(40), member(10, school_exception_approved=True)], income=10000)
    assert decide_exit(excused, AS_OF, seed_params()).eligible


def test_scenario_22_member_without_medical_insurance_blocks_exit():
    facts = household(members=[member(40, name="李四", in_medical_ins=False)], income=5000)
    decision = decide_exit(facts, AS_OF, seed_params())
    assert not decision.eligible
    assert "基本医疗未保障：李四 未参加城乡居民基本医疗保险" in decision.reasons


def test_exit_names_every_failing_guarantee():
    facts = household(
        members=[member(40, in_medical_ins=False)], income=1000, danger_level="C", has_safe_water=False
    )
    decision = decide_exit(facts, AS_OF, seed_params())
    assert set(decision.tags) == {"income", "medical", "housing", "water"}


def test_exit_tags_food_clothing_and_school_failures_in_sorted_order():
    child = member(10, school_status="not_in_school")
    facts = household(members=[member(40), child], income=10000, food_secure=False, clothing_secure=False)
    decision = decide_exit(facts, AS_OF, seed_params())
    assert decision.tags == ("clothing", "food", "school")
    assert decision.reasons[:3] == ("暂不符合贫困户退出条件", "不愁吃未保障", "不愁穿未保障")
    assert decide_exit(household(members=[member(40)], income=10000), AS_OF, seed_params()).tags == ()


def test_exit_can_use_national_line_by_parameter():
    decision = decide_exit(_exit_household(3230), AS_OF, seed_params(exit__line_key="poverty_line.national"))
    assert decision.eligible  # 3230 > 3218 (national 2019) though < 3247


@pytest.mark.parametrize(
    ("poor", "population", "region_class", "eligible"),
    [(3, 200, "central", True), (4, 200, "central", False), (5, 200, "west", True), (6, 200, "west", False)],
)
def test_village_incidence_against_region_class(poor, population, region_class, eligible):
    decision = decide_village_exit(
        not_exited_people=poor,
        agricultural_population=population,
        region_class=region_class,
        params=seed_params(),
    )
    assert decision.eligible is eligible
    assert f"未脱贫 {poor} 人 ÷ 农业户籍人口 {population} 人" in decision.reasons[0]


def test_village_without_population_cannot_be_assessed():
    decision = decide_village_exit(
        not_exited_people=1, agricultural_population=None, region_class="west", params=seed_params()
    )
    assert not decision.eligible
    assert "未登记该村农业户籍人口" in decision.reasons[0]


# ---------------------------------------------------------------- health, monitoring


def test_scenario_23_inpatient_top_up_to_90_percent():
    decision = inpatient_top_up(total_cost=Y(10000), reimbursed=Y(8500), params=seed_params())
    assert decision.annual_amount == Y("500.00")
    assert decision.amounts["actual_ratio"] >= Y(90)
    none = inpatient_top_up(total_cost=Y(10000), reimbursed=Y(9500), params=seed_params())
    assert none.annual_amount == 0


def test_chronic_out_of_pocket_caps_by_hospital_level():
    assert (
        chronic_assistance(out_of_pocket=Y(1800), hospital_level="county", params=seed_params()).annual_amount
        == 800
    )
    assert (
        chronic_assistance(out_of_pocket=Y(1800), hospital_level="city", params=seed_params()).annual_amount
        == 0
    )


def test_scenario_24_monitoring_edge_household_below_line():
    params = seed_params(as_of=dt.date(2021, 6, 30))
    decision = decide_monitoring(household(1, income=5500), dt.date(2021, 6, 30), params)
    assert decision.eligible
    assert decision.tags == ("edge_vulnerable",)
    assert "低于防返贫监测线 6000.00 元，列为边缘易致贫户监测对象候选" in decision.reasons[0]


def test_scenario_24_monitoring_sudden_hardship_from_medical_spending():
    params = seed_params(as_of=dt.date(2021, 6, 30))
    last_year = IncomeComponents(wage=Y(27000))
    this_year = IncomeComponents(wage=Y(27000), rigid_medical=Y(30000))
    facts = household(3, income=this_year, previous_income=last_year)  # 9000 per person
    decision = decide_monitoring(facts, dt.date(2021, 6, 30), params)
    assert decision.tags == ("sudden_hardship",)
    assert any("超过上年家庭纯收入 27000.00 元" in r for r in decision.reasons)


def test_monitoring_not_flagged_above_line():
    params = seed_params(as_of=dt.date(2021, 6, 30))
    assert not decide_monitoring(household(1, income=9000), dt.date(2021, 6, 30), params).eligible


def test_medical_program_lists_ill_members():
    facts = household(
        members=[member(health="chronic", name="王五"), member(disability_type="mental", disability_grade=2)]
    )
    decision = decide_medical(facts, AS_OF, seed_params())
    assert decision.eligible
    assert decision.annual_amount == Y("800.00")


# ---------------------------------------------------------------- consistency R18


def test_scenario_25_dibao_attribute_without_active_case_is_an_error():
    with pytest.raises(ValidationError) as exc:
        check_attribute_consistency(attribute="dibao", has_active_dibao_case=False)
    assert "没有保障中的低保案件" in exc.value.message_dict["attribute"][0]
    check_attribute_consistency(attribute="dibao", has_active_dibao_case=True)
    check_attribute_consistency(attribute="general", has_active_dibao_case=False)
    with pytest.raises(ValidationError, match="特困供养记录"):
        check_attribute_consistency(
            attribute="tekun", has_active_dibao_case=False, has_active_tekun_record=False
        )


# ---------------------------------------------------------------- pension, other programs


def test_pension_flag_on_the_60th_birthday():
    born = dt.date(1959, 6, 30)
    assert pension_flag(born, dt.date(2019, 6, 30), age=60)
    assert not pension_flag(born, dt.date(2019, 6, 29), age=60)


def test_pension_government_premium_for_severely_disabled_and_not_exited():
    facts = household(
        members=[member(65), member(40, disability_type="physical", disability_grade=1), member(30)],
        poverty_status="exited_with_policy",
    )
    decision = decide_pension(facts, AS_OF, seed_params())
    assert decision.amounts == {"receiving": 1, "premium_paid": 1}
    assert decision.annual_amount == Y("100.00")


def test_relocation_grant_1500_per_person():
    decision = decide_relocation(household(4, is_relocated=True), AS_OF, seed_params())
    assert decision.annual_amount == Y("6000.00")
    assert not decide_relocation(household(4), AS_OF, seed_params()).eligible


def test_education_items_from_seed_002():
    members = [
        member(40),
        member(8, school_status="primary", boarding=True),
        member(13, school_status="grade_8", boarding=True),
        member(17, school_status="senior_2"),
        member(17, school_status="vocational_1"),
    ]
    decision = decide_education(household(members=members, attribute="dibao"), AS_OF, seed_params())
    # 1000 + 1250 + (4660 + 760) + (2000 + 2000 + 1000 + 900)
    assert decision.annual_amount == Y("13570.00")


def test_employment_post_subsidy():
    facts = household(members=[member(30, work_status="in_county", work_months=10), member(70)])
    decision = decide_employment(facts, AS_OF, seed_params())
    assert decision.monthly_amount == Y("390.00")  # 30% × 1300 [U]


def test_evaluate_returns_every_program_and_survives_a_missing_parameter():
    decisions = evaluate(household(3, income=6000), AS_OF, seed_params())
    assert [d.program for d in decisions] == list(ALL_PROGRAMS)
    monitoring = next(d for d in decisions if d.program == "monitoring")
    assert monitoring.failed  # monitor.line starts in 2021
    assert "防返贫监测收入线" in monitoring.reasons[0]


def test_a_missing_parameter_fails_every_household_of_the_village_with_one_decision():
    params = seed_params()  # monitor.line starts in 2021
    first, second = (
        next(d for d in evaluate(household(n, income=6000), AS_OF, params) if d.program == "monitoring")
        for n in (2, 3)
    )
    assert first.failed
    assert "防返贫监测收入线" in first.reasons[0]
    assert second is first  # met once for the parameter set, not once per household
    what_if = params.with_values(monitor__line=Decimal("4000"), monitor__sharp_drop_ratio=Decimal("0.3"))
    fixed = next(d for d in evaluate(household(3, income=6000), AS_OF, what_if) if d.program == "monitoring")
    assert not fixed.failed


def test_member_ages_are_taken_on_the_day_asked():
    facts = household(members=[member(59), member(10)])
    on_day = facts.ages(AS_OF)
    assert on_day == (59, 10)
    assert facts.ages(AS_OF.replace(year=AS_OF.year + 1)) == (60, 11)  # another day, not the cached one
    assert facts.ages(AS_OF) == on_day
    pension_now = decide_pension(facts, AS_OF, seed_params())
    pension_later = decide_pension(facts, AS_OF.replace(year=AS_OF.year + 1), seed_params())
    assert "领取城乡居民基础养老金" not in "".join(pension_now.reasons)
    assert "60 周岁" in "".join(pension_later.reasons)


# ---------------------------------------------------------------- 渐退 R12


def test_phase_out_months_limited_by_parameter():
    phase_out.check_months(24, seed_params())
    with pytest.raises(ValidationError, match="超过当地规定的最长 24 个月"):
        phase_out.check_months(25, seed_params())


def test_phase_out_end_and_schedules():
    assert phase_out.phase_out_end(dt.date(2019, 7, 1), 24) == dt.date(2021, 6, 30)
    assert phase_out.phase_out_schedule(monthly_amount=Y(300), months=3, schedule="linear") == [
        Y("300.00"),
        Y("200.00"),
        Y("100.00"),
    ]
    assert phase_out.phase_out_schedule(monthly_amount=Y(300), months=3, schedule="halving") == [
        Y("300.00"),
        Y("300.00"),
        Y("150.00"),
    ]


def test_phase_out_review():
    params = seed_params()
    assert phase_out.review(percap_year=Y(3000), standard_year=Y(3876), params=params) == "back_to_dibao"
    assert phase_out.review(percap_year=Y(4200), standard_year=Y(3876), params=params) == "continue"
    assert phase_out.review(percap_year=Y(6000), standard_year=Y(3876), params=params) == "end_early"


def test_poverty_basis_rounds_once():
    assert poverty_basis_per_capita(IncomeComponents(wage=Y(10000)), 3) == Y("3333.33")

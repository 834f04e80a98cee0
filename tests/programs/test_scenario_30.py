"""Scenario 30: pension 代缴 and education details — in-school members are not insured for 代缴,
寄宿 and the school's category choose the education amounts, 两后生 trainees get the monthly aid."""

from decimal import Decimal

from programs.rules.education import decide_education
from programs.rules.pension import decide_pension
from tests.programs.helpers import AS_OF, household, member, seed_params


def _family():
    return household(
        members=[
            member(45, name="户主"),
            member(16, name="高中生", school_status="senior_1", school_category="school_1", boarding=True),
            member(16, name="初中生", school_status="grade_9"),  # a 16-year-old in school, not boarding
            member(17, name="学徒", school_status="technical_school"),  # 两后生 in a 技工院校
        ],
        attribute="dibao",
    )


def test_scenario_30_pension_premium_paid_only_for_members_not_in_school():
    decision = decide_pension(_family(), AS_OF, seed_params())
    assert decision.amounts == {"receiving": 0, "premium_paid": 1}  # the head only
    assert decision.annual_amount == Decimal("100.00")
    assert not any(name in line for line in decision.reasons for name in ("高中生", "初中生", "学徒"))


def test_scenario_30_boarding_school_category_and_two_after_trainee_choose_the_education_amounts():
    decision = decide_education(_family(), AS_OF, seed_params())
    # 一类高中: 两助三免 5700 + 低保家庭 fee waiver 1800; 初中 not boarding: nothing;
    # 两后生 150 a month × 10 months
    assert decision.annual_amount == Decimal("9000.00")
    assert "高中生（高中一年级）：普通高中“两助三免”（一类高中） 5700.00 元/年" in decision.reasons
    assert "高中生（高中一年级）：低保、残疾、特困家庭学生免费（一类高中） 1800.00 元/年" in decision.reasons
    assert (
        "学徒（技工院校）：技工院校“两后生”生活补贴（150.00 元/月 × 10 个月） 1500.00 元/年"
        in decision.reasons
    )
    assert not any("初中生" in line for line in decision.reasons)


def test_boarding_allowance_needs_the_boarding_field_and_postgraduates_see_their_loan_limit():
    members = [
        member(13, name="住校", school_status="grade_8", boarding=True),
        member(24, name="研究生", school_status="postgraduate"),
    ]
    decision = decide_education(household(members=members), AS_OF, seed_params())
    assert decision.annual_amount == Decimal("1250.00")
    assert (
        "研究生 可申请生源地信用助学贷款，每年不超过 12000.00 元（贷款，不计入资助金额）" in decision.reasons
    )


def test_s000_figures_start_on_the_documents_date():
    before = seed_params(as_of=AS_OF.replace(year=2017, month=7, day=7))
    after = seed_params(as_of=AS_OF.replace(year=2017, month=7, day=8))
    assert "pension.age" not in before
    assert after["pension.age"] == 60
    assert "employment.trainee_ratio" not in after  # removed: no rule, nothing in the register

"""Hypothesis properties of the money rules: monotone, never negative, rounding once."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import to_yuan
from households.income import IncomeComponents
from programs.rules.dibao import decide_dibao
from programs.rules.engine import evaluate
from programs.rules.params import ParamVersion, resolve
from tests.programs.helpers import AS_OF, SEED_VERSIONS, household, member, seed_params

money = st.decimals(min_value=0, max_value=200_000, places=2, allow_nan=False, allow_infinity=False)
small_money = st.decimals(min_value=0, max_value=20_000, places=2, allow_nan=False, allow_infinity=False)
persons = st.integers(min_value=1, max_value=8)

member_st = st.builds(
    member,
    age=st.integers(min_value=0, max_value=100),
    health=st.sampled_from(["healthy", "chronic", "serious", "disabled"]),
    disability_grade=st.sampled_from([None, 1, 2, 3, 4]),
    labor=st.sampled_from(["ordinary", "skilled", "lost", "none"]),
    school_status=st.sampled_from(
        ["not_in_school", "primary", "grade_8", "senior_1", "vocational_1", "college"]
    ),
    work_status=st.sampled_from(["none", "in_county"]),
    work_months=st.integers(min_value=0, max_value=12),
)
income_st = st.builds(
    IncomeComponents,
    wage=money,
    business_income=money,
    property_dividend=small_money,
    transfer_dibao=small_money,
    transfer_pension=small_money,
    business_expense=small_money,
    basic_pension=small_money,
    rigid_medical=small_money,
)


@settings(max_examples=300)
@given(n=persons, low=money, extra=money)
def test_more_income_never_raises_the_dibao_top_up(n, low, extra):
    params = seed_params()
    members = [member(40) for _ in range(n)]
    poorer = decide_dibao(household(members=members, income=IncomeComponents(wage=low)), AS_OF, params)
    richer = decide_dibao(
        household(members=members, income=IncomeComponents(wage=low + extra)), AS_OF, params
    )
    assert richer.monthly_amount <= poorer.monthly_amount
    assert richer.eligible <= poorer.eligible


@settings(max_examples=200)
@given(
    members=st.lists(member_st, min_size=0, max_size=6),
    income=st.one_of(st.none(), income_st),
    relocated=st.booleans(),
    danger=st.sampled_from(["none", "A", "C", "D"]),
    stack=st.booleans(),
    mode=st.sampled_from(["topup", "bands"]),
)
def test_amounts_are_never_negative(members, income, relocated, danger, stack, mode):
    facts = household(members=members, income=income, is_relocated=relocated, danger_level=danger)
    params = seed_params(as_of=dt.date(2021, 6, 30), classified__stack=stack, dibao__payment_mode=mode)
    for decision in evaluate(facts, dt.date(2021, 6, 30), params):
        assert decision.monthly_amount >= 0, decision
        assert decision.annual_amount >= 0, decision
        for value in decision.amounts.values():
            assert value >= 0, decision


@settings(max_examples=300)
@given(n=persons, wage=money, std=st.decimals(min_value=1000, max_value=20000, places=2))
def test_top_up_is_rounded_once_from_the_annual_figures(n, wage, std):
    """The monthly amount equals the exact (std − income/persons) × persons / 12, rounded once."""
    params = seed_params(dibao__rural_standard_year=std)
    facts = household(members=[member(40) for _ in range(n)], income=IncomeComponents(wage=wage))
    decision = decide_dibao(facts, AS_OF, params)
    exact = (Fraction(std) - Fraction(wage) / n) * n / 12
    expected = (
        to_yuan(Decimal(exact.numerator) / Decimal(exact.denominator)) if exact > 0 else Decimal("0.00")
    )
    assert decision.monthly_amount == expected


@settings(max_examples=200)
@given(
    change_day=st.dates(min_value=dt.date(2018, 2, 1), max_value=dt.date(2022, 12, 31)),
    query_day=st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2022, 12, 31)),
    new_std=st.decimals(min_value=1000, max_value=20000, places=2),
    wage=money,
)
def test_a_change_dated_d_never_changes_a_result_before_d(change_day, query_day, new_std, wage):
    """Pure form of services.set_parameter: close the running version on D−1, add one from D."""
    changed = []
    for v in SEED_VERSIONS:
        if v.key == "dibao.rural_standard_year" and v.valid_from < change_day:
            changed.append(ParamVersion(**{**v.__dict__, "valid_to": change_day - dt.timedelta(days=1)}))
        else:
            changed.append(v)
    changed.append(
        ParamVersion(
            id=9999,
            key="dibao.rural_standard_year",
            region_prefix="211223",
            valid_from=change_day,
            valid_to=None,
            value=new_std,
        )
    )
    facts = household(2, income=IncomeComponents(wage=wage))
    before = evaluate(
        facts, query_day, resolve(SEED_VERSIONS, region_code=facts.village_code, as_of=query_day)
    )
    after = evaluate(facts, query_day, resolve(changed, region_code=facts.village_code, as_of=query_day))
    if query_day < change_day:
        assert before == after


@settings(max_examples=300)
@given(income=income_st, flags=st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()))
def test_database_pre_filter_bound_never_exceeds_the_rule(income, flags):
    from households.income import DibaoIncomePolicy, dibao_basis_annual, dibao_basis_lower_bound

    policy = DibaoIncomePolicy(*flags)
    assert dibao_basis_lower_bound(income) <= dibao_basis_annual(income, policy)

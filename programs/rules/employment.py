"""R15 employment subsidies (S000): 岗位补贴 30–50% of the local minimum wage for employed members
(paid to the employer that signed the contract), social-insurance subsidy ≤ 3 years, 见习补贴 ≥ 60%,
labour-agency reward ≤ 200/person."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.money import to_yuan
from programs.rules.facts import CAN_WORK, ZERO, Decision, HouseholdFacts
from programs.rules.params import ParameterSet

PROGRAM = "employment"
POST = (
    "{name} 务工（{months} 个月），吸纳其就业的企业可按最低工资 {wage} 元的 {rate}% "
    "申领岗位补贴 {amount} 元/月，社会保险补贴最长 {years} 年"
)
AGENCY = "组织其就业并签订1年以上劳动合同的劳务经纪人可获补贴不超过 {amount} 元/人"
NONE = "家庭中无务工的劳动力"
NO_WORKERS = Decision(PROGRAM, False, reasons=(NONE,))  # immutable: made once
KEYS = (
    "employment.min_wage_month",
    "employment.post_subsidy_ratio",
    "employment.social_insurance_years",
    "employment.agency_reward",
)


def _terms(params: ParameterSet) -> tuple[Decimal, dict[str, object], str, tuple[int, ...]]:
    """What the sentences quote from parameters alone: the same for every household of a village."""
    wage, rate = params.decimal("employment.min_wage_month"), params.decimal("employment.post_subsidy_ratio")
    each = wage * rate
    quoted = {
        "wage": to_yuan(wage),
        "rate": f"{(rate * 100).normalize():f}",
        "amount": to_yuan(each),
        "years": params.integer("employment.social_insurance_years"),
    }
    agency = AGENCY.format(amount=to_yuan(params.decimal("employment.agency_reward")))
    return each, quoted, agency, params.ids_for(KEYS)


def decide_employment(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> Decision:
    workers = [
        m for m in facts.members if m.labor in CAN_WORK and m.work_status != "none" and m.work_months > 0
    ]
    if not workers:
        return NO_WORKERS
    each, quoted, agency, ids = params.derived(_terms)
    reasons = [POST.format(name=m.label, months=m.work_months, **quoted) for m in workers]
    reasons.append(agency)
    return Decision(
        PROGRAM,
        True,
        monthly_amount=to_yuan(each * len(workers)) if workers else ZERO,
        persons=len(workers),
        reasons=tuple(reasons),
        parameter_ids=ids,
    )

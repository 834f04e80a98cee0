"""What-if simulation (pure): compare a county's households under today's parameters and under a
proposed change, without writing anything. The loader is programs.whatif.run_whatif."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from core.money import to_yuan
from households.income import DibaoIncomePolicy, IncomeComponents, dibao_basis_annual
from programs.rules.dibao import below_standard, dibao_amount, dibao_policy
from programs.rules.engine import ParameterResolver
from programs.rules.facts import DIBAO_ATTRIBUTES, ZERO, HouseholdFacts
from programs.rules.params import ParameterSet, ParamVersion
from programs.rules.phase_out import check_months, phase_out_schedule

STANDARD = "standard"
PHASE_OUT = "phase_out"
TWELVE = Decimal(12)
STANDARD_KEY = "dibao.rural_standard_year"


def apply_change(
    versions: Iterable[ParamVersion], *, key: str, region_prefix: str, valid_from: dt.date, value: object
) -> list[ParamVersion]:
    """The versions as they would be after services.set_parameter: the running version of the same
    key and scope closes on valid_from − 1 (a later one keeps its place) and a new one starts."""
    result, later_start = [], None
    for v in versions:
        same = v.key == key and v.region_prefix == region_prefix
        if same and v.valid_from >= valid_from:
            later_start = min(later_start or v.valid_from, v.valid_from)
            if v.valid_from == valid_from:
                continue  # replaced by the new version
        if same and v.valid_from < valid_from and (v.valid_to is None or v.valid_to >= valid_from):
            v = replace(v, valid_to=valid_from - dt.timedelta(days=1))
        result.append(v)
    end = later_start - dt.timedelta(days=1) if later_start and later_start > valid_from else None
    result.append(
        ParamVersion(
            id=0, key=key, region_prefix=region_prefix, valid_from=valid_from, valid_to=end, value=value
        )
    )
    return result


@dataclass(frozen=True)
class Scenario:
    kind: str  # STANDARD or PHASE_OUT
    as_of: dt.date  # D: the date the change would take effect
    region_prefix: str  # the county the user runs it for
    standard_year: Decimal | None = None  # X, yuan/person/year
    phase_out_months: int | None = None  # N


@dataclass
class Tally:
    households: int = 0
    people: int = 0
    enter_households: int = 0
    enter_people: int = 0
    leave_households: int = 0
    leave_people: int = 0
    change_households: int = 0
    change_people: int = 0
    budget_before: Decimal = ZERO
    budget_after: Decimal = ZERO

    @property
    def budget_difference(self) -> Decimal:
        return to_yuan(self.budget_after - self.budget_before)

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class WhatIfResult:
    scenario: Scenario
    by_township: dict[str, Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)
    notes: list[str] = field(default_factory=list)


class StandardPreTest:
    """Cheap pre-test: a household whose 低保-basis income is at or above both the current and the
    proposed standard is out either way (R7), so the full rule runs only for the others. The loader
    uses it to fetch members only for those households."""

    def __init__(self, versions: Sequence[ParamVersion], scenario: Scenario):
        changed = apply_change(
            versions,
            key=STANDARD_KEY,
            region_prefix=scenario.region_prefix,
            valid_from=scenario.as_of,
            value=scenario.standard_year,
        )
        self.before = ParameterResolver(versions, scenario.as_of)
        self.after = ParameterResolver(changed, scenario.as_of)
        self._policies: dict[str, tuple[DibaoIncomePolicy, Decimal]] = {}

    def _policy(self, village_code: str) -> tuple[DibaoIncomePolicy, Decimal]:
        if village_code not in self._policies:
            old, new = self.before(village_code), self.after(village_code)
            self._policies[village_code] = (
                dibao_policy(old),
                max(old.decimal(STANDARD_KEY), new.decimal(STANDARD_KEY)),
            )
        return self._policies[village_code]

    def may_be_eligible(self, village_code: str, persons: int, income: IncomeComponents | None) -> bool:
        if income is None or not persons:
            return False
        policy, highest = self._policy(village_code)
        return below_standard(dibao_basis_annual(income, policy), persons, highest)

    def may_be_eligible_bound(self, village_code: str, persons: int, lower_bound: Decimal | None) -> bool:
        """The same test on a lower bound of the income (all deductions taken): never rules out a
        household may_be_eligible would keep."""
        if lower_bound is None or not persons:
            return False
        return below_standard(lower_bound, persons, self._policy(village_code)[1])


def _dibao_month(facts: HouseholdFacts, as_of: dt.date, params: ParameterSet) -> tuple[bool, Decimal]:
    """低保 (补差 + 分类施保) and the living subsidy that hangs on the standard: eligible, yuan/month.
    The one calculator's figures (no sentences): the numbers decide_dibao and the case explain."""
    amount = dibao_amount(facts, as_of, params)
    if amount is None or not amount.eligible:
        return False, ZERO
    return True, amount.monthly + amount.living_month


def simulate_standard(
    facts_list: Sequence[HouseholdFacts],
    versions: Sequence[ParamVersion],
    scenario: Scenario,
    *,
    out_either_way: Iterable[tuple[str, int]] = (),
) -> WhatIfResult:
    """ "Raise the 低保 standard to X from D": who enters, leaves or changes, and the monthly budget.
    out_either_way: (township code, persons) of households the loader already found above both
    standards with StandardPreTest; they are only counted."""
    pretest = StandardPreTest(versions, scenario)
    result = WhatIfResult(scenario)
    for township, persons in out_either_way:
        _count(result.by_township.setdefault(township, Tally()), persons, False, False, ZERO, ZERO)
    for facts in facts_list:
        tally = result.by_township.setdefault(facts.township_code, Tally())
        if not pretest.may_be_eligible(facts.village_code, facts.persons, facts.income):
            _count(tally, facts.persons, False, False, ZERO, ZERO)
            continue
        was, amount_before = _dibao_month(facts, scenario.as_of, pretest.before(facts.village_code))
        now, amount_after = _dibao_month(facts, scenario.as_of, pretest.after(facts.village_code))
        _count(tally, facts.persons, was, now, amount_before, amount_after)
    _finish(result)
    return result


def simulate_phase_out(
    facts_list: Sequence[HouseholdFacts], versions: Sequence[ParamVersion], scenario: Scenario
) -> WhatIfResult:
    """ "Set 渐退 to N months from D": households of 低保 attribute whose income is now at or above the
    standard would start 渐退 on D. Compares the default period (phase_out.default_months) with N:
    those whose period gets shorter are counted as leaving earlier, longer as changing. The monthly
    budget difference is the average over the longer of the two periods; the amount is last year's
    低保金 ÷ 12 paid on the local schedule."""
    resolver = ParameterResolver(versions, scenario.as_of)
    result = WhatIfResult(scenario)
    months_new = scenario.phase_out_months or 0
    for facts in facts_list:
        if facts.attribute not in DIBAO_ATTRIBUTES or facts.income is None or not facts.persons:
            continue
        params = resolver(facts.village_code)
        check_months(months_new, params)
        if below_standard(
            dibao_basis_annual(facts.income, dibao_policy(params)),
            facts.persons,
            params.decimal(STANDARD_KEY),
        ):
            continue  # still below the standard: stays on normal 低保
        monthly = facts.income.transfer_dibao / TWELVE
        if monthly <= 0:
            continue
        months_old = params.integer("phase_out.default_months")
        horizon = max(months_old, months_new)
        schedule = params.text("phase_out.schedule")
        old = sum(phase_out_schedule(monthly_amount=monthly, months=months_old, schedule=schedule), ZERO)
        new = sum(phase_out_schedule(monthly_amount=monthly, months=months_new, schedule=schedule), ZERO)
        tally = result.by_township.setdefault(facts.township_code, Tally())
        tally.households += 1
        tally.people += facts.persons
        tally.budget_before += old / horizon
        tally.budget_after += new / horizon
        if months_new < months_old:
            tally.leave_households += 1
            tally.leave_people += facts.persons
        elif months_new > months_old:
            tally.change_households += 1
            tally.change_people += facts.persons
    _finish(result)
    return result


def _count(tally: Tally, persons: int, was: bool, now: bool, before: Decimal, after: Decimal) -> None:
    tally.households += 1
    tally.people += persons
    tally.budget_before += before
    tally.budget_after += after
    if now and not was:
        tally.enter_households += 1
        tally.enter_people += persons
    elif was and not now:
        tally.leave_households += 1
        tally.leave_people += persons
    elif was and now and before != after:
        tally.change_households += 1
        tally.change_people += persons


def _finish(result: WhatIfResult) -> None:
    for tally in result.by_township.values():
        tally.budget_before = to_yuan(tally.budget_before)
        tally.budget_after = to_yuan(tally.budget_after)
        result.total.add(tally)


def simulate(
    facts_list: Sequence[HouseholdFacts],
    versions: Sequence[ParamVersion],
    scenario: Scenario,
    *,
    out_either_way: Iterable[tuple[str, int]] = (),
) -> WhatIfResult:
    if scenario.kind == STANDARD:
        return simulate_standard(facts_list, versions, scenario, out_either_way=out_either_way)
    return simulate_phase_out(facts_list, versions, scenario)

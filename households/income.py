"""R1 / R2, facts of the household: per-capita income on the poverty basis (扶贫口径) and the 低保 basis
(低保口径). The registry shows them; the programs' rules decide with them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal

from core.money import to_yuan

ZERO = Decimal("0")


@dataclass(frozen=True)
class IncomeComponents:
    """One income year, yuan per year. Field names match households.IncomeYear."""

    wage: Decimal = ZERO
    business_income: Decimal = ZERO
    property_dividend: Decimal = ZERO
    property_other: Decimal = ZERO
    transfer_family_planning: Decimal = ZERO
    transfer_dibao: Decimal = ZERO
    transfer_tekun: Decimal = ZERO
    transfer_pension: Decimal = ZERO
    transfer_eco: Decimal = ZERO
    transfer_disability: Decimal = ZERO
    transfer_other: Decimal = ZERO
    business_expense: Decimal = ZERO
    basic_pension: Decimal = ZERO
    new_job_first_months: Decimal = ZERO
    rigid_medical: Decimal = ZERO
    rigid_education: Decimal = ZERO
    rigid_disability: Decimal = ZERO
    job_costs: Decimal = ZERO

    @classmethod
    def from_obj(cls, obj: object) -> IncomeComponents:
        return cls(**{f.name: Decimal(getattr(obj, f.name) or 0) for f in fields(cls)})

    @classmethod
    def from_row(cls, values: Iterable[Decimal]) -> IncomeComponents:
        """Fast path for bulk loads: values in field order, as read from households_incomeyear's
        NOT NULL columns (no None check: it cost a fifth of loading a chunk's facts), no frozen
        __init__."""
        obj = object.__new__(cls)
        obj.__dict__.update(zip(_FIELD_NAMES, values, strict=True))
        return obj

    @property
    def property_income(self) -> Decimal:
        return self.property_dividend + self.property_other

    @property
    def transfer_income(self) -> Decimal:
        return (
            self.transfer_family_planning
            + self.transfer_dibao
            + self.transfer_tekun
            + self.transfer_pension
            + self.transfer_eco
            + self.transfer_disability
            + self.transfer_other
        )


_FIELD_NAMES = INCOME_FIELD_NAMES = tuple(f.name for f in fields(IncomeComponents))
_DEDUCTED = frozenset(
    {
        "business_expense",
        "basic_pension",
        "new_job_first_months",
        "rigid_medical",
        "rigid_education",
        "rigid_disability",
        "job_costs",
    }
)


@dataclass(frozen=True)
class DibaoIncomePolicy:
    """Which items the 低保 basis leaves out or deducts (domain.md#open-5: a local parameter)."""

    exclude_basic_pension: bool = True
    exclude_new_job_first_months: bool = True
    deduct_rigid_spending: bool = True
    deduct_job_costs: bool = True


def net_income(income: IncomeComponents) -> Decimal:
    """R1 numerator: 工资性 + 生产经营性 + 财产性 + 转移性 − 生产经营性支出 (yuan/year, unrounded).
    Kept beside the (frozen) fields once computed: the exit, monitoring and 低保 rules each ask for it,
    a million households a night; dataclasses.replace() builds a new object without it."""
    total: Decimal | None = income.__dict__.get("_net_income")
    if total is None:
        total = income.__dict__["_net_income"] = (
            income.wage
            + income.business_income
            + income.property_income
            + income.transfer_income
            - income.business_expense
        )
    return total


def poverty_basis_per_capita(income: IncomeComponents, persons: int) -> Decimal:
    """R1: per-capita net income, poverty basis; only members with status 正常 count."""
    if persons <= 0:
        return to_yuan(ZERO)
    return to_yuan(net_income(income) / persons)


def dibao_basis_annual(income: IncomeComponents, policy: DibaoIncomePolicy | None = None) -> Decimal:
    """R2: household income on the 低保 basis (yuan/year, unrounded). Never counts 低保金 itself."""
    policy = policy or DibaoIncomePolicy()
    total = net_income(income) - income.transfer_dibao
    if policy.exclude_basic_pension:
        total -= income.basic_pension
    if policy.exclude_new_job_first_months:
        total -= income.new_job_first_months
    if policy.deduct_rigid_spending:
        total -= income.rigid_medical + income.rigid_education + income.rigid_disability
    if policy.deduct_job_costs:
        total -= income.job_costs
    return max(total, ZERO)


def dibao_basis_per_capita_month(
    income: IncomeComponents, persons: int, policy: DibaoIncomePolicy | None = None
) -> Decimal:
    """R2 per person per month, from the annual figure, rounded once."""
    if persons <= 0:
        return to_yuan(ZERO)
    return to_yuan(dibao_basis_annual(income, policy) / persons / 12)


# A lower bound of dibao_basis_annual under ANY DibaoIncomePolicy: every optional deduction taken,
# 低保金 left out. Used as a conservative database-side pre-filter (programs.selectors
# .household_income_bounds); a property test keeps it ≤ the rule for every policy.
DIBAO_LOWER_BOUND_SIGNS: dict[str, int] = {
    name: (0 if name == "transfer_dibao" else -1 if name in _DEDUCTED else 1) for name in _FIELD_NAMES
}


def dibao_basis_lower_bound(income: IncomeComponents) -> Decimal:
    return sum((getattr(income, name) * sign for name, sign in DIBAO_LOWER_BOUND_SIGNS.items()), ZERO)

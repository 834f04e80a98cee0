"""A 低保 case's amount: the one calculator (programs.rules.dibao.dibao_amount) over the one fact
loader (programs.selectors.household_facts), for a case being confirmed or returning to normal, and
the case rows a recalculation chunk reads beside those facts.

Nothing here computes money. What a case stores — household size, covered persons, income per
person, standard, top-up, 分类施保, 两项补贴, total, 分类施保 items, the parameter versions — is the
calculator's answer for the approved household (and, for a 单人保 case, its covered members), so the
case pays what the eligibility result and the household's 政策测算 panel explain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from programs.rules.dibao import AMOUNT_KEYS, NO_INCOME, NO_MEMBERS, DibaoAmount, dibao_amount
from programs.rules.facts import HouseholdFacts
from programs.rules.params import ParameterSet
from programs.selectors import household_facts, parameters_for

if TYPE_CHECKING:
    from assistance.models import DibaoCase

NOT_IN_REGISTER = "该户当前不在已审核入库的建档立卡数据中（审核中或退回修正），须审核入库后方可核算低保金"

# The amount figures a case stores, in the order of case_figures() and of the stored columns the
# recalculation compares with (jsonb columns read back as text).
CASE_FIGURES = (
    "household_size",
    "covered_persons",
    "annual_percap_income",
    "monthly_percap_income",
    "standard_month",
    "standard_parameter_ids",
    "topup_amount",
    "classified_amount",
    "subsidy_amount",
    "monthly_amount",
    "classified_items",
)


@dataclass(frozen=True)
class CaseCalculation:
    """The calculator's answer for one case, with the facts and parameters it used."""

    amount: DibaoAmount
    facts: HouseholdFacts
    params: ParameterSet

    @property
    def parameter_ids(self) -> list[int]:
        return list(self.params.ids_for(AMOUNT_KEYS))


def covered_ids(case: DibaoCase) -> frozenset[int] | None:
    """The covered members of a 单人保 case (None for 整户保: the whole household)."""
    if case.case_type != "single":
        return None
    return frozenset(case.covered_members.values_list("id", flat=True))


def case_amount(case: DibaoCase, *, as_of: dt.date) -> CaseCalculation:
    """dibao_amount for a case's approved household on as_of; a Chinese ValidationError when the
    household is not in the approved register, has no active member or no income year, or a
    parameter is missing (naming it)."""
    from households.models import Household

    facts = household_facts(Household.objects.filter(pk=case.household_id), as_of=as_of)
    if not facts:
        raise ValidationError(NOT_IN_REGISTER)
    params = parameters_for(region_code=facts[0].village_code, as_of=as_of)
    amount = dibao_amount(
        facts[0], as_of, params, covered=covered_ids(case), assets_accepted=case.special_assets
    )
    if amount is None:
        raise ValidationError(NO_MEMBERS if facts[0].persons == 0 else NO_INCOME)
    return CaseCalculation(amount, facts[0], params)


def case_figures(amount: DibaoAmount, parameter_ids: Iterable[int]) -> tuple[object, ...]:
    """The CASE_FIGURES values of an amount (each computed once)."""
    return (
        amount.persons,
        amount.covered_persons,
        amount.annual_percap,
        amount.monthly_percap,
        amount.standard_month,
        list(parameter_ids),
        amount.topup,
        amount.classified_month,
        amount.subsidies,
        amount.total,
        amount.classified_items(),
    )


def apply_amount(case: DibaoCase, amount: DibaoAmount, *, parameter_ids: Iterable[int]) -> None:
    """Write the calculator's figures on the case (not saved)."""
    for name, value in zip(CASE_FIGURES, case_figures(amount, parameter_ids), strict=True):
        setattr(case, name, value)
    case.computed_at = timezone.now()


@dataclass(frozen=True)
class CaseRow:
    """A paying case as a recalculation chunk reads it beside its household's facts."""

    case_id: int
    household_id: int
    village_code: str
    status: str
    covered: frozenset[int] | None
    registered: bool
    phase_out_id: int | None
    phase_out_status: str | None
    assets_accepted: Decimal | None  # 特殊情况 decision (DibaoCase.special_assets)
    stored: tuple[object, ...]  # CASE_FIGURES as stored


CASES_SQL = """
SELECT c.id, c.household_id, h.village_id, c.status,
       CASE WHEN c.case_type = 'single' THEN ARRAY(
           SELECT cm.member_id FROM assistance_dibaocase_covered_members cm WHERE cm.dibaocase_id = c.id)
       END,
       h.identify_year IS NOT NULL, p.id, p.status, c.special_assets, {stored}
FROM assistance_dibaocase c
JOIN households_household h ON h.id = c.household_id
LEFT JOIN assistance_phaseout p ON p.case_id = c.id AND p.status IN ('proposed', 'active')
WHERE c.household_id BETWEEN %(lo)s AND %(hi)s AND h.village_id LIKE %(prefix)s
  AND h.archived_at IS NULL AND c.status IN ('active', 'phasing_out')
ORDER BY c.household_id
"""


def load_cases(*, lo: int, hi: int, prefix: str = "") -> list[CaseRow]:
    """The paying 低保 cases of households lo <= id <= hi under a region prefix (one query). Their
    households' facts come from programs.selectors.household_facts, as every rule's do."""
    sql = CASES_SQL.format(stored=", ".join(f"c.{name}" for name in CASE_FIGURES))
    with connection.cursor() as cur:
        cur.execute(sql, {"lo": lo, "hi": hi, "prefix": prefix + "%"})
        rows = cur.fetchall()
    return [
        CaseRow(cid, hid, village, status, None if covered is None else frozenset(covered), registered, pid,
                pstatus, accepted, tuple(stored))
        for cid, hid, village, status, covered, registered, pid, pstatus, accepted, *stored in rows
    ]  # fmt: skip


# A case marked with its current amount row (DibaoCase.amount_valid_from, amount_basis) must hold
# that row's figures, and no later row may exist: the rolls read a marked case's figures instead of
# its history from that month on. The figures compared are CASE_FIGURES (the case's parameter ids
# against the row's parameter_ids).
_ROW_FIGURES = ", ".join(
    "ca.parameter_ids" if name == "standard_parameter_ids" else f"ca.{name}" for name in CASE_FIGURES
)
MARKS_OUT_OF_STEP_SQL = f"""
SELECT c.id FROM assistance_dibaocase c
LEFT JOIN assistance_caseamount ca ON ca.case_id = c.id AND ca.valid_from = c.amount_valid_from
WHERE (c.amount_valid_from IS NULL AND c.amount_basis <> '')
   OR (c.amount_valid_from IS NOT NULL AND (
       ca.id IS NULL OR ca.basis <> c.amount_basis
       OR ({", ".join(f"c.{name}" for name in CASE_FIGURES)}) IS DISTINCT FROM ({_ROW_FIGURES})
       OR EXISTS (SELECT 1 FROM assistance_caseamount l
                  WHERE l.case_id = c.id AND l.valid_from > c.amount_valid_from)))
ORDER BY c.id
"""


def cases_marked_out_of_step() -> list[int]:
    """Ids of the cases whose current-amount mark disagrees with their amount history (none, when
    every writer of the history marks the case: record_amount and the recalculation)."""
    with connection.cursor() as cur:
        cur.execute(MARKS_OUT_OF_STEP_SQL)
        return [row[0] for row in cur.fetchall()]

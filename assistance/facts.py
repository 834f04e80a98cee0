"""Loading what the rules need, many households at a time, in a fixed number of queries.

`load_facts` reads households, their latest income year and their members in ONE query with the
members packed into an integer array. The 低保口径 annual income (R2) is left to
households.income.dibao_basis_annual under the village's own 低保口径 parameters (dibao.*), the
one place it is decided: the case amount and the programs decision cannot disagree about it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db import connection

from assistance import integration
from assistance.rules import BenefitPolicy, MemberFacts
from households.income import INCOME_FIELD_NAMES, DibaoIncomePolicy, IncomeComponents, dibao_basis_annual
from programs.rules.dibao import POLICY_KEYS

BENEFIT_KEYS = [
    "dibao.rural_standard_year",
    "classified.rate.elderly",
    "classified.rate.minor",
    "classified.rate.disabled",
    "classified.rate.serious_illness",
    "classified.stack",
    "subsidy.living_rate",
    "subsidy.care.grade_1",
    "subsidy.care.grade_2",
    "subsidy.care.grade_3",
    "subsidy.care.grade_4",
    "classified.elderly_age",
    "classified.minor_age",
    *POLICY_KEYS,  # the local 低保口径 (domain.md#open-5), the keys the programs 低保 rule reads
]


def benefit_policy(*, region_code: str, as_of: dt.date) -> BenefitPolicy:
    return policy_from(integration.params(region_code=region_code, as_of=as_of, keys=BENEFIT_KEYS))


def policy_from(p: integration.Params) -> BenefitPolicy:
    return BenefitPolicy(
        standard_year=p.dec("dibao.rural_standard_year"),
        rates={c: p.dec(f"classified.rate.{c}") for c in ("elderly", "minor", "disabled", "serious_illness")},
        stack=p.bool("classified.stack"),
        elderly_age=p.int("classified.elderly_age"),
        minor_age=p.int("classified.minor_age"),
        living_rate=p.dec("subsidy.living_rate"),
        care_by_grade={g: p.dec(f"subsidy.care.grade_{g}") for g in (1, 2, 3, 4)},
        income_policy=DibaoIncomePolicy(
            exclude_basic_pension=p.bool("dibao.exclude_basic_pension"),
            exclude_new_job_first_months=p.bool("dibao.exclude_new_job_first_months"),
            deduct_rigid_spending=p.bool("dibao.deduct_rigid_spending"),
            deduct_job_costs=p.bool("dibao.deduct_job_costs"),
        ),
        parameter_ids=p.ids,
    )


class PolicyCache:
    """One BenefitPolicy per village for a day; the parameter versions of the whole region are read
    once (one query), since parameters may differ down to a village prefix."""

    def __init__(self, as_of: dt.date, *, region_prefix: str = "") -> None:
        self.as_of = as_of
        self._params = integration.RegionParams(region_prefix=region_prefix, keys=BENEFIT_KEYS)
        self._get = lru_cache(maxsize=None)(self._load)

    def _load(self, village_code: str) -> BenefitPolicy:
        return policy_from(self._params(region_code=village_code, as_of=self.as_of))

    def __call__(self, village_code: str) -> BenefitPolicy:
        return self._get(village_code)


@dataclass
class HouseholdFacts:
    household_id: int
    village_code: str
    registered: bool
    income: IncomeComponents | None  # the latest income year begun by the day
    members: list[MemberFacts]
    case_id: int | None
    case_status: str | None
    case_single: bool
    case_amount: Decimal | None
    phase_out_id: int | None
    phase_out_status: str | None
    # The case's stored figures in CASE_FIGURES order: the recalculation writes only cases whose
    # newly computed figures differ (most do not, night after night).
    case_figures: tuple | None = None

    def dibao_income(self, policy: DibaoIncomePolicy) -> Decimal:
        """R2: the household's 低保口径 income (yuan/year) under the local policy; 0 without income."""
        return ZERO if self.income is None else dibao_basis_annual(self.income, policy)


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


# member code = age*10000 + grade*1000 + card*100 + ill*10 + covered, packed per household.
FACTS_SQL = """
WITH hh AS (
    SELECT h.id, h.village_id, h.identify_year
    FROM households_household h
    WHERE {where} AND h.archived_at IS NULL {cases_only}
),
cs AS (
    SELECT c.id, c.household_id, c.status, c.case_type, c.monthly_amount, {case_figures}
    FROM assistance_dibaocase c JOIN hh ON hh.id = c.household_id
    WHERE c.status IN ('active', 'phasing_out') OR c.id = %(case_id)s
),
inc AS (
    SELECT DISTINCT ON (i.household_id) i.household_id, {income_columns}
    FROM households_incomeyear i JOIN hh ON hh.id = i.household_id
    WHERE i.period_start <= %(as_of)s
    ORDER BY i.household_id, i.period_end DESC
),
mem AS (
    SELECT m.household_id,
        array_agg(
            (((%(as_of_num)s - to_char(m.birth_date, 'YYYYMMDD')::int) / 10000) * 10000
             + COALESCE(m.disability_grade, 0) * 1000
             + (CASE WHEN m.disability_type <> '' THEN 100 ELSE 0 END)
             + (CASE WHEN m.health = 'serious' THEN 10 ELSE 0 END)
             + (CASE WHEN cs.case_type = 'single' AND cm.member_id IS NULL THEN 0 ELSE 1 END))
            ORDER BY m.id) AS codes,
        array_agg(m.id ORDER BY m.id) AS ids
    FROM households_member m
    JOIN hh ON hh.id = m.household_id
    LEFT JOIN cs ON cs.household_id = m.household_id
    LEFT JOIN assistance_dibaocase_covered_members cm ON cm.dibaocase_id = cs.id AND cm.member_id = m.id
    WHERE m.member_status = 'normal'
    GROUP BY m.household_id
)
SELECT hh.id, hh.village_id, hh.identify_year IS NOT NULL, inc.household_id IS NOT NULL, mem.codes,
       mem.ids, cs.id, cs.status, cs.case_type, cs.monthly_amount, p.id, p.status, {stored_figures},
       {income_items}
FROM hh
LEFT JOIN inc ON inc.household_id = hh.id
LEFT JOIN mem ON mem.household_id = hh.id
LEFT JOIN cs ON cs.household_id = hh.id
LEFT JOIN assistance_phaseout p ON p.case_id = cs.id AND p.status IN ('proposed', 'active')
ORDER BY hh.id
"""

# The range condition on c.household_id repeats the households' one so that PostgreSQL probes only
# the chunk's cases: without it, a county-wide prefix made it hash every case of the county for
# each chunk (a sequential scan of 220,000 rows, 140 ms a chunk).
CASES_ONLY = """AND EXISTS (SELECT 1 FROM assistance_dibaocase c
    WHERE c.household_id = h.id AND c.household_id BETWEEN %(lo)s AND %(hi)s
      AND c.status IN ('active', 'phasing_out'))"""

ZERO = Decimal("0")


def _members(codes, ids) -> list[MemberFacts]:
    if not codes:
        return []
    out = []
    append = out.append
    for code, member_id in zip(codes, ids, strict=True):
        age, rest = divmod(code, 10000)
        if rest == 1:  # the common member: no disability, not ill, covered
            append(MemberFacts(member_id, age))
        else:
            append(
                MemberFacts(
                    member_id, age, rest // 1000, rest % 1000 >= 100, rest % 100 >= 10, rest % 10 == 1
                )
            )
    return out


def load_facts(
    *,
    as_of: dt.date,
    lo: int | None = None,
    hi: int | None = None,
    prefix: str = "",
    ids=None,
    case_id: int | None = None,
    cases_only: bool = False,
) -> list[HouseholdFacts]:
    """Facts for households with lo <= id <= hi under a region prefix, or for explicit ids.
    case_id adds one case that is not paying yet (a case being confirmed); cases_only keeps the
    households with a paying case (the recalculation's case step)."""
    args: dict = {
        "as_of": as_of,
        "as_of_num": int(as_of.strftime("%Y%m%d")),
        "prefix": prefix + "%",
        "case_id": case_id,
    }
    if ids is not None:
        if cases_only:
            raise ValueError("cases_only needs a primary-key range (lo, hi)")
        where = "h.id = ANY(%(ids)s)"
        args["ids"] = list(ids)
    else:
        where = "h.id BETWEEN %(lo)s AND %(hi)s AND h.village_id LIKE %(prefix)s"
        args.update(lo=lo, hi=hi)
    with connection.cursor() as cur:
        sql = FACTS_SQL.format(
            where=where,
            cases_only=CASES_ONLY if cases_only else "",
            case_figures=", ".join(f"c.{name} AS stored_{name}" for name in CASE_FIGURES),
            stored_figures=", ".join(f"cs.stored_{name}" for name in CASE_FIGURES),
            income_columns=", ".join(f"i.{name}" for name in INCOME_FIELD_NAMES),
            income_items=", ".join(f"inc.{name}" for name in INCOME_FIELD_NAMES),
        )
        cur.execute(sql, args)
        rows = cur.fetchall()
    out = []
    figures_end = 12 + len(CASE_FIGURES)
    for row in rows:
        head = row[:12]
        hid, village, registered, has_income, codes, mids, cid, cstatus, ctype, camount, pid, pstatus = head
        out.append(
            HouseholdFacts(
                household_id=hid,
                village_code=village,
                registered=registered,
                income=IncomeComponents.from_row(row[figures_end:]) if has_income else None,
                members=_members(codes, mids),
                case_id=cid,
                case_status=cstatus,
                case_single=ctype == "single",
                case_amount=camount,
                phase_out_id=pid,
                phase_out_status=pstatus,
                case_figures=row[12:figures_end] if cid is not None else None,
            )
        )
    return out

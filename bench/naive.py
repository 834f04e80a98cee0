"""Set-based recalculation against a naive per-household ORM loop (load, compute, save()), same rules,
same rows written, on a sample county.

    DATABASE_URL=… python bench/naive.py --households 10000 [--county 219902]"""

from __future__ import annotations

import argparse

from assistance_common import AS_OF, county_region, ensure_county, reset_results, seed_cases, timed
from django.utils import timezone

from assistance.choices import CaseStatus
from assistance.facts import benefit_policy
from assistance.models import DibaoCase
from assistance.recalc import recalculate_now
from assistance.rules import MemberFacts, dibao_benefit
from assistance.services.cases import apply_benefit
from households.models import Household
from programs.models import EligibilityResult
from programs.rules.income import dibao_basis_annual

parser = argparse.ArgumentParser()
parser.add_argument("--households", type=int, default=10_000)
parser.add_argument("--county", default="219902")
args = parser.parse_args()


def naive(prefix: str) -> int:
    n = 0
    for household in Household.objects.filter(village__code__startswith=prefix).order_by("id"):
        members = list(household.members.filter(member_status="normal").order_by("id"))
        income = household.incomes.order_by("-period_end").first()
        policy = benefit_policy(region_code=household.village_id, as_of=AS_OF)
        case = DibaoCase.objects.filter(
            household=household, status__in=[CaseStatus.ACTIVE, CaseStatus.PHASING_OUT]
        ).first()
        facts = [
            MemberFacts(
                m.id, m.age_on(AS_OF), m.disability_grade or 0, bool(m.disability_type), m.health == "serious"
            )
            for m in members
        ]
        annual = dibao_basis_annual(income.as_components()) if income else 0
        b = dibao_benefit(annual_income=annual, members=facts, policy=policy, has_case=case is not None)
        EligibilityResult.objects.update_or_create(
            household=household,
            program_id="dibao",
            defaults={
                "eligible": b.eligible,
                "monthly_amount": b.total if (b.eligible or case) else 0,
                "persons": b.covered_persons,
                "reasons": b.reasons,
                "parameter_ids": list(policy.parameter_ids),
                "as_of": AS_OF,
                "computed_at": timezone.now(),
            },
        )
        if case is not None and b.eligible:
            apply_benefit(case, b, parameter_ids=policy.parameter_ids)
            case.save()
        n += 1
    return n


ensure_county(args.county, args.households)
seed_cases(args.county)
times: dict = {}
reset_results(args.county)
with timed("naive per-household ORM loop", times):
    done = naive(args.county)
reset_results(args.county)
with timed("set-based chunked recalculation", times):
    run = recalculate_now(region=county_region(args.county), as_of=AS_OF)
ratio = times["naive per-household ORM loop"] / times["set-based chunked recalculation"]
print(f"{done} households; set-based is {ratio:.1f}× faster than the naive loop")

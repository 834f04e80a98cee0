"""What-if runs for county staff: load a county's approved facts and parameters (read only), then
simulate with the pure rules (programs.rules.whatif). Nothing is written."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError

from programs.rules.whatif import PHASE_OUT, Scenario, StandardPreTest, WhatIfResult, simulate

NOT_COUNTY = "情景模拟仅供县级管理员使用，且只能模拟本县"


@dataclass
class Timed:
    result: WhatIfResult
    township_names: dict[str, str]
    load_seconds: float
    compute_seconds: float


def county_prefix_for(user) -> str:
    from core.choices import RegionLevel, Role
    from core.permissions import role_of

    if role_of(user) != Role.COUNTY_ADMIN or user.region is None or user.region.level != RegionLevel.COUNTY:
        raise ValidationError(NOT_COUNTY)
    return user.region.prefix


REGION_WHATIF_ROLES_ONLY = "区域情景模拟仅供县级管理员、市级督导人员使用"
REGION_NOT_COUNTY = "情景模拟按县进行，请选择县级区划"


def can_run_region_whatif(user) -> bool:
    from core.choices import Role
    from core.permissions import role_of

    return role_of(user) in {Role.COUNTY_ADMIN, Role.CITY_SUPERVISOR, Role.SYSTEM_ADMIN}


def county_prefix_of(*, user, region) -> str:
    """The county a county admin or city supervisor simulates: a county inside their own scope
    (the API picks it by URL; the admin page uses the county admin's own county)."""
    from core.choices import RegionLevel
    from core.scoping import is_in_scope

    if not can_run_region_whatif(user):
        raise PermissionDenied(REGION_WHATIF_ROLES_ONLY)
    if region.level != RegionLevel.COUNTY:
        raise ValidationError(REGION_NOT_COUNTY)
    if not is_in_scope(user, region.code):
        raise PermissionDenied(NOT_COUNTY)
    return region.prefix


def _load(households, versions, scenario: Scenario) -> tuple[list, list[tuple[str, int]]]:
    """Members are most of the rows: fetch them only for households the scenario can touch.
    渐退: households of 低保 attribute. Standard: those StandardPreTest cannot rule out on income."""
    from households.models import Household
    from programs.rules.facts import DIBAO_ATTRIBUTES
    from programs.selectors import household_facts, household_income_bounds

    if scenario.kind == PHASE_OUT:
        return household_facts(households.filter(attribute__in=DIBAO_ATTRIBUTES)), []
    pretest = StandardPreTest(versions, scenario)
    candidates, out_either_way = [], []
    for hid, village, persons, bound in household_income_bounds(households):
        if pretest.may_be_eligible_bound(village, persons, bound):
            candidates.append(hid)
        else:
            out_either_way.append((village[:9], persons))
    return household_facts(Household.objects.filter(pk__in=candidates)), out_either_way


def run_whatif(*, user=None, county_prefix: str | None = None, scenario: Scenario) -> Timed:
    """A fixed number of queries (parameters, one income-bound query, three full-fact queries for the
    households the change can touch, township names); then pure Python. Nothing is written."""
    from core.choices import RegionLevel
    from core.models import Region
    from core.scoping import scoped
    from households.models import Household
    from programs.selectors import parameter_versions_under

    if county_prefix is None:
        county_prefix = county_prefix_for(user)
    started = time.perf_counter()
    households = Household.objects.filter(village__code__startswith=county_prefix)
    if user is not None:
        households = scoped(households, user)
    versions = parameter_versions_under(region_prefix=county_prefix)
    facts, out_either_way = _load(households, versions, scenario)
    names = dict(
        Region.objects.filter(level=RegionLevel.TOWNSHIP, code__startswith=county_prefix).values_list(
            "code", "name"
        )
    )
    loaded = time.perf_counter()
    result = simulate(facts, versions, scenario, out_either_way=out_either_way)
    done = time.perf_counter()
    township_names = {code[:9]: name for code, name in names.items()}
    return Timed(result, township_names, loaded - started, done - loaded)

"""What-if runs for county staff: load a county's approved facts and parameters (read only), then
simulate with the pure rules (programs.rules.whatif). Nothing is written."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from programs.rules.whatif import Scenario, WhatIfResult, simulate

NOT_COUNTY = "情景模拟仅供县级管理员使用，且只能模拟本县"


@dataclass
class Timed:
    result: WhatIfResult
    township_names: dict[str, str]
    load_seconds: float
    compute_seconds: float


def county_prefix_for(user) -> str:
    from households.choices import RegionLevel, Role
    from households.permissions import role_of

    if role_of(user) != Role.COUNTY_ADMIN or user.region is None or user.region.level != RegionLevel.COUNTY:
        raise ValidationError(NOT_COUNTY)
    return user.region.prefix


def run_whatif(*, user=None, county_prefix: str | None = None, scenario: Scenario) -> Timed:
    """Three queries for facts, one for parameters, one for township names; then pure Python."""
    from households.choices import RegionLevel
    from households.models import Household, Region
    from households.selectors import scoped
    from programs.selectors import household_facts, parameter_versions_under

    if county_prefix is None:
        county_prefix = county_prefix_for(user)
    started = time.perf_counter()
    households = Household.objects.filter(village__code__startswith=county_prefix)
    if user is not None:
        households = scoped(households, user)
    facts = household_facts(households)
    versions = parameter_versions_under(region_prefix=county_prefix)
    names = dict(
        Region.objects.filter(level=RegionLevel.TOWNSHIP, code__startswith=county_prefix).values_list(
            "code", "name"
        )
    )
    loaded = time.perf_counter()
    result = simulate(facts, versions, scenario)
    done = time.perf_counter()
    township_names = {code[:9]: name for code, name in names.items()}
    return Timed(result, township_names, loaded - started, done - loaded)

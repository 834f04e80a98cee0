"""Pure-test helpers: the seed defaults as a ParameterSet without a database."""

import datetime as dt
import importlib
from decimal import Decimal

from households.income import IncomeComponents
from programs.rules.facts import HouseholdFacts, MemberFacts
from programs.rules.params import ParamVersion, parse_value, resolve

_seed = importlib.import_module("programs.seed")  # 0002 with the later seed migrations' changes

SEED_VERSIONS = [
    ParamVersion(
        id=i,
        key=key,
        region_prefix="",
        valid_from=valid_from,
        valid_to=valid_to,
        value=parse_value(kind, value),
        unit=unit,
        source=source,
    )
    for i, (key, kind, value, unit, valid_from, valid_to, source) in enumerate(_seed.PARAMETERS, start=1)
]
AS_OF = dt.date(2019, 6, 30)
VILLAGE = "211223100001"


def seed_params(as_of: dt.date = AS_OF, region_code: str = VILLAGE, **overrides):
    params = resolve(SEED_VERSIONS, region_code=region_code, as_of=as_of)
    return params.with_values(**overrides) if overrides else params


_ids = iter(range(1, 10**9))


def member(age: int = 40, as_of: dt.date = AS_OF, **kwargs) -> MemberFacts:
    born = dt.date(as_of.year - age, 1, 1)
    return MemberFacts(id=next(_ids), birth_date=born, **kwargs)


def household(n: int = 3, *, members=None, income=None, **kwargs) -> HouseholdFacts:
    members = tuple(members) if members is not None else tuple(member() for _ in range(n))
    if isinstance(income, int | float | str | Decimal):
        income = IncomeComponents(wage=Decimal(income))
    return HouseholdFacts(id=next(_ids), village_code=VILLAGE, members=members, income=income, **kwargs)

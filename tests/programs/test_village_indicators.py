import datetime as dt

import pytest

from core.choices import ReviewState
from households.choices import PovertyStatus
from programs.models import VillagePopulation
from programs.selectors import village_indicators
from tests.factories import household_with_members

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2019, 12, 31)


def _setup(village, poor_households, exited_households, population):
    for _ in range(poor_households):
        household_with_members(3, village=village, review_state=ReviewState.VERIFIED)
    for _ in range(exited_households):
        household_with_members(
            3,
            village=village,
            review_state=ReviewState.VERIFIED,
            poverty_status=PovertyStatus.EXITED_WITH_POLICY,
        )
    VillagePopulation.objects.create(village=village, year=2019, agricultural_population=population)


def test_village_incidence_uses_inherited_region_class(village_a, county_admin):
    county = village_a.parent.parent
    county.exit_region_class = "west"
    county.save()
    _setup(village_a, poor_households=1, exited_households=2, population=120)  # 3 / 120 = 2.5%
    [row] = village_indicators(user=county_admin, as_of=AS_OF)
    assert (row.people, row.not_exited_people, row.region_class) == (9, 3, "west")
    assert row.decision.eligible  # below 3%
    assert "贫困发生率 2.50%" in row.decision.reasons[0]
    county.exit_region_class = "central"
    county.save()
    [row] = village_indicators(user=county_admin, as_of=AS_OF)
    assert not row.decision.eligible  # not below 2%


def test_village_indicators_fixed_queries_and_scoped(
    django_assert_num_queries, village_a, village_b, clerk_a
):
    _setup(village_a, 1, 0, 100)
    _setup(village_b, 1, 0, 100)
    clerk_a.region  # noqa: B018 - load the user's region once, as a request would
    with django_assert_num_queries(5):
        rows = village_indicators(user=clerk_a, as_of=AS_OF)
    assert [r.code for r in rows] == [village_a.code]

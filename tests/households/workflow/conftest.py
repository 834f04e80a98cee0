import pytest

from core.choices import ReviewState
from core.workflow import services as chain
from tests.factories import IncomeYearFactory, household_with_members, user_for


@pytest.fixture
def clerk_a2(village_a):
    """A second clerk of the same village."""
    return user_for(village_a)


@pytest.fixture
def township_reviewer_a2(village_a):
    return user_for(village_a.parent)


@pytest.fixture
def draft(village_a, clerk_a):
    household = household_with_members(2, village=village_a, created_by=clerk_a)
    IncomeYearFactory(household=household)
    return household


@pytest.fixture
def verified(draft, clerk_a, township_reviewer_a, county_admin):
    chain.submit(record=draft, user=clerk_a)
    chain.approve(record=draft, user=township_reviewer_a)
    chain.approve(record=draft, user=county_admin)
    assert draft.review_state == ReviewState.VERIFIED
    return draft

import pytest
from rest_framework.test import APIClient

from tests.factories import household_with_members, region_chain


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user(api):
    """api client logged in (forced) as the given user."""

    def login(user):
        api.force_authenticate(user)
        return api

    return login


@pytest.fixture
def village_other_city():
    """A village in another city (沈阳): outside every role's scope in the fixtures."""
    return region_chain("210102001001", ("辽宁省", "沈阳市", "和平区", "南湖街道", "丙村"))


@pytest.fixture
def household_a(village_a):
    return household_with_members(village=village_a)


@pytest.fixture
def household_out(village_other_city):
    return household_with_members(village=village_other_city)

import pytest

from households.choices import ReviewState
from households.workflow import services
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
    services.submit(record=draft, user=clerk_a)
    services.approve(record=draft, user=township_reviewer_a)
    services.approve(record=draft, user=county_admin)
    assert draft.review_state == ReviewState.VERIFIED
    return draft


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test has flushed the database, put the migrated seed data back
    (e.g. programs' parameters), so later tests and a --reuse-db run still find it."""
    yield
    marker = item.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with item.config.stash[blocking_manager_key].unblock():
            connection.creation.deserialize_db_from_string(contents)

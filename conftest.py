import pytest

from tests.factories import region_chain, user_for


@pytest.fixture
def village_a():
    return region_chain("211223100001", ("辽宁省", "铁岭市", "西丰县", "西丰镇", "甲村"))


@pytest.fixture
def village_b():
    """Another township of the same county."""
    return region_chain("211223101002", ("辽宁省", "铁岭市", "西丰县", "平岗镇", "乙村"))


@pytest.fixture
def clerk_a(village_a):
    return user_for(village_a)


@pytest.fixture
def clerk_b(village_b):
    return user_for(village_b)


@pytest.fixture
def township_reviewer_a(village_a):
    return user_for(village_a.parent)


@pytest.fixture
def county_admin(village_a):
    return user_for(village_a.parent.parent)


@pytest.fixture
def city_supervisor(village_a):
    return user_for(village_a.parent.parent.parent)


@pytest.fixture(autouse=True)
def _programs_seed_defaults(request):
    """A transactional test flushes every table, data-migration rows included: put the programs
    catalogue and seed parameters back before each database test (one EXISTS query when present)."""
    import unittest

    if isinstance(getattr(request, "instance", None), unittest.TestCase):
        return
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not {"db", "transactional_db"} & names:
        return
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from programs.seed import ensure_defaults

    ensure_defaults()

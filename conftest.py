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
    catalogue and seed parameters back before each database test (one EXISTS query when present),
    and — committed — right after a transactional test's flush, so that the test database is left as
    the migrations made it: the next run on the reused database (and a subprocess such as
    `manage.py check --deploy`, which sees committed rows only) finds the seed."""
    import unittest

    if isinstance(getattr(request, "instance", None), unittest.TestCase):
        yield
        return
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not {"db", "transactional_db"} & names:
        yield
        return
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from programs.seed import ensure_defaults

    ensure_defaults()
    request.node.flushes_seed = transactional  # put back after the flush: pytest_runtest_teardown
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After every fixture's teardown, a transactional test's flush included: the seed, committed."""
    yield
    if getattr(item, "flushes_seed", False):
        from pytest_django.plugin import blocking_manager_key

        from programs.seed import ensure_defaults

        with item.config.stash[blocking_manager_key].unblock():
            ensure_defaults()


# ------------------------------------------------------------------ the privacy matrix's figure
# Printed at the end of every run that walked it (scenario 65), also under xdist (`make test` runs
# -n 2): each worker hands its counts to the controller, which adds them up.
_MATRIX = "tests.security.test_privacy_matrix"
_matrix_from_workers: list[dict] = []


def _matrix_figures() -> dict | None:
    import sys

    matrix = sys.modules.get(_MATRIX)
    if matrix is None or not matrix.FIGURES["requests"]:
        return None
    return {**matrix.FIGURES, "surfaces": sorted(matrix.FIGURES["surfaces"])}


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    figures = _matrix_figures()
    if workeroutput is not None and figures is not None:
        workeroutput["privacy_matrix"] = figures


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    figures = getattr(node, "workeroutput", {}).get("privacy_matrix")
    if figures:
        _matrix_from_workers.append(figures)


def pytest_terminal_summary(terminalreporter):
    parts = [f for f in [_matrix_figures(), *_matrix_from_workers] if f]
    if not parts:
        return
    surfaces = set().union(*(f["surfaces"] for f in parts))
    by_role = {role: n for f in parts for role, n in f["by_role"].items()}
    roles = ", ".join(f"{role} {n}" for role, n in by_role.items())
    terminalreporter.write_line(
        f"privacy matrix: {len(surfaces)} surfaces, {sum(f['requests'] for f in parts)} requests ({roles}), "
        f"full values found: {sum(f['full_values'] for f in parts)} "
        f"(and {sum(f['logged_reveals'] for f in parts)} answers of reasoned, logged reveals)"
    )

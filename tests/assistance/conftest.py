"""Checks every assistance database test leaves behind."""

import pytest


@pytest.fixture(autouse=True)
def _case_amount_marks_agree(request):
    """After each test, every case's current-amount mark agrees with its amount history (the rolls
    read a marked case's own figures instead of the history): whatever service the test drove."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or marker.kwargs.get("transaction") or "transactional_db" in request.fixturenames:
        yield
        return
    request.getfixturevalue("db")
    yield
    from django.db import connection

    if connection.needs_rollback:  # the test ended inside a failed transaction on purpose
        return
    from assistance.amounts import cases_marked_out_of_step

    assert cases_marked_out_of_step() == [], "案件当前金额标记与金额记录不一致"

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tests.factories import assign, helper_user, household_with_members


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def helper(village_a):
    return helper_user(village_a.parent.parent)


@pytest.fixture
def mine(helper, village_a):
    """A household of 甲村 assigned to the helper, with a recorded location."""
    household = household_with_members(
        village=village_a, latitude=Decimal("42.500000"), longitude=Decimal("124.750000")
    )
    assign(helper, household, start=dt.date(2024, 1, 1))
    return household


@pytest.fixture
def neighbour(village_a):
    """Another household of the same village, not assigned to the helper."""
    return household_with_members(village=village_a)


@pytest.fixture
def api_as():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


def make_hit(household, *, rule="id_mismatch", days=10):
    """A 疑点 of the household's first member, as a county check would have raised it."""
    from reports.crosscheck.choices import RunTrigger
    from reports.crosscheck.models import CheckRun, Hit

    member = household.members.order_by("pk").first()
    run = CheckRun.objects.create(
        county=household.village.parent.parent, trigger=RunTrigger.MANUAL, as_of=dt.date.today()
    )
    return Hit.objects.create(
        rule=rule, key=f"{rule}:{member.pk}", severity="medium", village=household.village,
        household=household, member=member, reason=f"{member.name}的身份证号与出生日期不符",
        run=run, deadline=dt.date.today() + dt.timedelta(days=days),
    )  # fmt: skip

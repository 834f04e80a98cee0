"""Saved filters for 年度动态调整: named selections, seen by owner and scope, never widening it."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.choices import ReviewState
from households.excel.resurvey import build_resurvey_workbook, save_filter, saved_filters_for
from households.models import Household, ResurveyFilter
from tests.factories import IncomeYearFactory, household_with_members, user_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(village_a, village_b):
    a_poor = household_with_members(2, village=village_a, poverty_status="not_exited")
    a_exited = household_with_members(3, village=village_a, poverty_status="exited_with_policy")
    b_poor = household_with_members(2, village=village_b, poverty_status="not_exited")
    for h in (a_poor, a_exited, b_poor):
        IncomeYearFactory(household=h)
    Household.objects.update(review_state=ReviewState.VERIFIED)
    return {"a_poor": a_poor, "a_exited": a_exited, "b_poor": b_poor}


def household_ids(user, **kwargs):
    buffer = io.BytesIO()
    build_resurvey_workbook(buffer, user=user, **kwargs)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["户成员信息"]
    col = [c.value for c in sheet[2]].index("系统户号")
    return {row[col] for row in sheet.iter_rows(min_row=3, values_only=True) if row[col]}


def test_a_saved_filter_builds_the_workbook_of_its_selection(stored, township_reviewer_a, village_a):
    saved = save_filter(
        user=township_reviewer_a, name="甲村未脱贫户", region_code=village_a.code, statuses=["not_exited"]
    )
    assert household_ids(township_reviewer_a, saved_filter=saved) == {stored["a_poor"].pk}
    assert household_ids(township_reviewer_a) == {stored["a_poor"].pk, stored["a_exited"].pk}


def test_filters_are_seen_by_their_owner_and_the_scope_above_only(
    stored, township_reviewer_a, county_admin, village_a, village_b
):
    mine = save_filter(user=township_reviewer_a, name="本镇全部")
    other_township = user_for(village_b.parent)
    theirs = save_filter(user=other_township, name="平岗镇全部")
    county = save_filter(user=county_admin, name="全县未脱贫", statuses=["not_exited"])
    assert set(saved_filters_for(township_reviewer_a)) == {mine}
    assert set(saved_filters_for(other_township)) == {theirs}
    assert set(saved_filters_for(county_admin)) == {mine, theirs, county}


def test_a_saved_filter_never_widens_the_users_scope(stored, township_reviewer_a, county_admin, village_b):
    with pytest.raises(PermissionDenied):  # a region outside the township cannot be saved
        save_filter(user=township_reviewer_a, name="越权", region_code=village_b.code)
    county_wide = save_filter(user=county_admin, name="全县", statuses=["not_exited"])
    with pytest.raises(PermissionDenied):  # not visible to the township: cannot be applied
        household_ids(township_reviewer_a, saved_filter=county_wide)
    # Even a filter whose region lies outside (written past the service, or its owner moved) only
    # ever yields the applying user's scope: the region is refused.
    planted = ResurveyFilter.objects.create(
        name="植入",
        owner=township_reviewer_a,
        owner_region=township_reviewer_a.region,
        region=village_b,
    )
    with pytest.raises(PermissionDenied):
        household_ids(township_reviewer_a, saved_filter=planted)
    # The county's own filter gives the whole county, the township's own filter the township.
    assert household_ids(county_admin, saved_filter=county_wide) == {
        stored["a_poor"].pk,
        stored["b_poor"].pk,
    }


def test_village_clerks_cannot_save_filters(clerk_a):
    with pytest.raises(PermissionDenied):
        save_filter(user=clerk_a, name="x")


def test_admin_saves_a_filter_and_downloads_with_it(
    client, stored, township_reviewer_a, village_a, village_b
):
    client.force_login(township_reviewer_a)
    add = reverse("admin:households_resurveyfilter_add")
    refused = client.post(add, {"name": "越权", "region_code": village_b.code})
    assert refused.status_code == 200  # the form shows the error, nothing saved
    assert not ResurveyFilter.objects.exists()
    response = client.post(
        add, {"name": "甲村已脱贫", "region_code": village_a.code, "status_list": ["exited_with_policy"]}
    )
    assert response.status_code == 302
    saved = ResurveyFilter.objects.get()
    assert (saved.owner, saved.region_id, saved.statuses) == (
        township_reviewer_a,
        village_a.code,
        ["exited_with_policy"],
    )
    listing = client.get(reverse("admin:households_resurveyfilter_changelist")).content.decode()
    assert "甲村已脱贫" in listing
    download = client.post(reverse("admin:households_importbatch_resurvey"), {"saved_filter": saved.pk})
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))["户成员信息"]
    col = [c.value for c in sheet[2]].index("系统户号")
    assert {r[col] for r in sheet.iter_rows(min_row=3, values_only=True) if r[col]} == {stored["a_exited"].pk}
    # "保存为筛选条件" on the download form saves the current selection too.
    client.post(
        reverse("admin:households_importbatch_resurvey"),
        {"region": village_a.code, "statuses": ["not_exited"], "save_as": "甲村未脱贫"},
    )
    assert set(ResurveyFilter.objects.values_list("name", flat=True)) == {"甲村已脱贫", "甲村未脱贫"}

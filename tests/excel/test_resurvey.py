"""年度动态调整: download current data, edit offline, upload → change requests with a per-household diff."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from core.choices import ReviewState
from households.excel.resurvey import build_resurvey_workbook, confirm_resurvey, plan_resurvey, stage_resurvey
from households.models import Household
from households.workflow.models import ChangeRequest
from tests.factories import IncomeYearFactory, household_with_members, valid_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(village_a, village_b):
    households = [household_with_members(2, village=village_a, phone="13800000000") for _ in range(2)]
    for h in households:
        IncomeYearFactory(household=h)
    household_with_members(2, village=village_b)  # another township: never in the download
    Household.objects.update(review_state=ReviewState.VERIFIED)
    return households


def download(user, **kwargs):
    buffer = io.BytesIO()
    build_resurvey_workbook(buffer, user=user, **kwargs)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


def save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def header_index(sheet):
    return {cell.value.rstrip("*"): i for i, cell in enumerate(sheet[2]) if cell.value}


def test_township_download_holds_its_households_with_keys(stored, township_reviewer_a):
    sheet = download(township_reviewer_a)["户成员信息"]
    cols = header_index(sheet)
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 4
    assert {r[cols["系统户号"]] for r in rows} == {h.pk for h in stored}
    assert rows[0][cols["主要致贫原因"]] == "因病"


def test_upload_opens_one_change_request_per_changed_household(stored, township_reviewer_a, clerk_a):
    book = download(township_reviewer_a)
    sheet = book["户成员信息"]
    cols = header_index(sheet)
    first = stored[0]
    for row in sheet.iter_rows(min_row=3):
        if row[cols["系统户号"]].value == first.pk:
            row[cols["联系电话"]].value = "13900000000"
            row[cols["文化程度"]].value = "高中"
    new_row = [c.value for c in sheet[3]]
    new_row[cols["系统成员号"]] = None
    new_row[cols["姓名"]] = "新生儿"
    new_row[cols["身份证号"]] = valid_id()
    new_row[cols["与户主关系"]] = "之孙子/女"
    sheet.append(new_row)
    data = save(book)

    plan = plan_resurvey(data=data, filename="动态调整.xlsx", user=clerk_a)
    assert plan.errors == []
    assert [d.household for d in plan.changed] == [first]
    assert [h.pk for h in plan.unchanged] == [stored[1].pk]
    fields = {(line[1], line[2], line[3]) for line in plan.changed[0].lines}
    assert ("联系电话", "138****0000", "139****0000") in fields  # the preview shows phones masked
    assert ("文化程度", "", "高中") in fields
    assert any(line[0] == "新增成员 新生儿" for line in plan.changed[0].lines)

    plan, batch = stage_resurvey(data=data, filename="动态调整.xlsx", user=clerk_a)
    result = confirm_resurvey(batch=batch, user=clerk_a)
    assert result == {"changed": 1, "unchanged": 1}
    change = ChangeRequest.objects.get()
    assert change.household == first
    first.refresh_from_db()
    assert first.phone == "13800000000"  # live data waits for the review chain
    assert first.members.count() == 2


def test_unchanged_file_reports_every_household_unchanged(stored, township_reviewer_a, clerk_a):
    plan = plan_resurvey(data=save(download(township_reviewer_a)), filename="x.xlsx", user=clerk_a)
    assert plan.errors == []
    assert plan.changed == []
    assert len(plan.unchanged) == 2


def test_draft_households_and_locked_keys_are_reported(stored, township_reviewer_a, clerk_a):
    Household.objects.filter(pk=stored[0].pk).update(review_state=ReviewState.DRAFT)
    book = download(township_reviewer_a)
    sheet = book["户成员信息"]
    cols = header_index(sheet)
    for row in sheet.iter_rows(min_row=3):
        if row[cols["系统户号"]].value == stored[0].pk:
            row[cols["联系电话"]].value = "13900000000"
        else:
            row[cols["户编号"]].value = "改号"
    plan = plan_resurvey(data=save(book), filename="x.xlsx", user=clerk_a)
    messages = " ".join(e.message for e in plan.errors)
    assert "尚未入库" in messages
    assert "“户编号”不能在动态调整中修改" in messages


def test_only_counties_and_townships_hand_out_and_only_villages_send_back(
    stored, clerk_a, township_reviewer_a
):
    with pytest.raises(PermissionDenied):
        download(clerk_a)
    with pytest.raises(PermissionDenied):
        plan_resurvey(data=save(download(township_reviewer_a)), filename="x.xlsx", user=township_reviewer_a)

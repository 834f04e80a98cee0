"""Uploading an agency's list: the registry reader's formats, ID normalisation, all-or-nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.excel.parsing import FileRejected
from core.idcard import to_18
from reports.crosscheck import services
from reports.crosscheck.choices import ListKind
from reports.crosscheck.models import OutsideList, OutsideListRow
from tests.factories import valid_id
from tests.reports.helpers import gbk_csv, xlsx_with_merged_title

pytestmark = pytest.mark.django_db

TODAY = dt.date(2019, 12, 5)


def upload(user, data, filename="名单.csv", **kwargs):
    values = {"kind": ListKind.DEATH, "cutoff_date": dt.date(2019, 11, 30), "source_agency": " 县公安局 "}
    return services.upload_list(user=user, data=data, filename=filename, today=TODAY, **{**values, **kwargs})


def test_fifteen_digit_numbers_are_widened_with_their_check_digit():
    number = valid_id(dt.date(1975, 3, 8))
    assert to_18(number[:6] + number[8:17]) == number
    assert to_18(" " + number[:17] + number[17].lower()) == number


def test_gbk_csv_with_a_title_row_is_stored_normalised(county_admin):
    number = valid_id(dt.date(1975, 3, 8))
    with_x = "11010519491231002x"
    batch = upload(
        county_admin,
        gbk_csv([("张 三", number[:6] + number[8:17], "2019年11月20日", "病故"), ("李四", with_x, "", "")]),
    )
    assert (batch.status, batch.row_count, batch.error_count, batch.source_agency) == (
        "accepted",
        2,
        0,
        "县公安局",
    )
    rows = list(
        OutsideListRow.objects.filter(batch=batch).values_list("id_no", "name", "event_date", "detail")
    )
    assert rows == [(number, "张三", dt.date(2019, 11, 20), "病故"), ("11010519491231002X", "李四", None, "")]
    assert batch.file.read().decode("gbk").startswith("正安县公安局")


def test_xlsx_with_a_merged_title_is_read(county_admin):
    batch = upload(
        county_admin,
        xlsx_with_merged_title([("王五", valid_id(), "", "县教育局")]),
        filename="财政供养.xlsx",
        kind=ListKind.PUBLIC_PAYROLL,
    )
    assert batch.status == "accepted"
    assert batch.rows.get().detail == "县教育局"


def test_one_bad_row_keeps_the_errors_and_no_rows(county_admin):
    good, bad = valid_id(), "360426199101010072"
    batch = upload(
        county_admin,
        gbk_csv([("甲", good, "", ""), ("乙", bad, "", ""), ("丙", valid_id(), "2019-02-30", "")]),
    )
    assert batch.status == "rejected"
    assert not batch.rows.exists()
    assert [e["row"] for e in batch.errors] == [4, 5]
    assert "第4行" in batch.errors[0]["message"]
    assert "校验码" in batch.errors[0]["message"]
    assert "无法识别" in batch.errors[1]["message"]


def test_a_file_without_the_columns_is_refused_whole(county_admin):
    with pytest.raises(FileRejected, match="身份证号"):
        upload(county_admin, "名单\r\n甲,乙\r\n".encode("gbk"))
    assert not OutsideList.objects.exists()


def test_other_kind_needs_a_name_and_cutoff_not_in_future(county_admin):
    data = gbk_csv([("甲", valid_id(), "", "")])
    with pytest.raises(ValidationError, match="名单名称"):
        upload(county_admin, data, kind=ListKind.OTHER)
    with pytest.raises(ValidationError, match="截止日期"):
        upload(county_admin, data, cutoff_date=TODAY + dt.timedelta(days=1))
    assert upload(county_admin, data, kind=ListKind.OTHER, kind_name="残联名单").kind_label == "残联名单"


def test_villages_and_townships_may_not_upload(clerk_a, township_reviewer_a):
    for user in (clerk_a, township_reviewer_a):
        with pytest.raises(PermissionDenied):
            upload(user, gbk_csv([("甲", valid_id(), "", "")]))

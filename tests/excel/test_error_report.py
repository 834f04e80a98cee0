"""The error report of a rejected import: uploaded rows, problem cells highlighted, 错误说明."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households.models import Household, ImportBatch
from tests.excel.helpers import member_row, workbook_bytes
from tests.excel.test_import import V, ids

pytestmark = pytest.mark.django_db


def rejected_upload(client, clerk):
    a, b, c = ids(3)
    bad_checksum = b[:-1] + ("0" if b[-1] != "0" else "1")
    rows = [
        member_row(V, "E001", "甲", a),  # row 3: fine
        member_row(V, "E001", "乙", bad_checksum, "配偶"),  # row 4: checksum
        {},  # a blank row: dropped from the report
        member_row(V, "E002", '=HYPERLINK("http://x","点")', c, 民族="火星族"),  # row 6
    ]
    client.force_login(clerk)
    response = client.post(
        reverse("admin:households_importbatch_upload"),
        {"file": SimpleUploadedFile("甲村.xlsx", workbook_bytes(rows, title="甲村花名册"))},
    )
    assert response.status_code == 200
    return ImportBatch.objects.get(status=ImportBatch.Status.REJECTED)


def test_error_report_lists_the_rows_with_highlighted_cells_and_explanations(client, clerk_a):
    batch = rejected_upload(client, clerk_a)
    url = reverse("admin:households_importbatch_error_report", args=[batch.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "错误报告" in response["Content-Disposition"] or "filename*" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "共 2 处问题" in rows[0][0]
    header = list(rows[1])
    note, origin = header.index("错误说明"), header.index("原行号")
    assert header[0] == "村代码"
    data = rows[2:]
    assert [r[origin] for r in data] == [3, 4, 6]  # the blank row is not copied
    assert data[0][note] is None
    assert "身份证号：" in data[1][note]
    assert "校验码错误" in data[1][note]
    assert "民族：" in data[2][note]
    assert "火星族" in data[2][note]
    id_col, nation_col, name_col = header.index("身份证号"), header.index("民族"), header.index("姓名")
    assert sheet.cell(row=4, column=id_col + 1).fill.fgColor.rgb.endswith("FFEB9C")  # highlighted
    assert sheet.cell(row=5, column=nation_col + 1).fill.fgColor.rgb.endswith("FFEB9C")
    assert sheet.cell(row=3, column=id_col + 1).fill.fill_type is None  # a good cell is not
    assert data[2][name_col].startswith("'=")  # formula text stays text
    assert Household.objects.count() == 0


def test_only_the_uploader_gets_the_error_report(client, clerk_a, village_a):
    from tests.factories import user_for

    batch = rejected_upload(client, clerk_a)
    url = reverse("admin:households_importbatch_error_report", args=[batch.pk])
    client.force_login(user_for(village_a))  # another clerk of the same village
    assert client.get(url).status_code == 403


def test_changelist_links_the_error_report_of_rejected_batches(client, clerk_a):
    batch = rejected_upload(client, clerk_a)
    page = client.get(reverse("admin:households_importbatch_changelist")).content.decode()
    assert reverse("admin:households_importbatch_error_report", args=[batch.pk]) in page

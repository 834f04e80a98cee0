"""The admin pages: template download, upload → preview → confirm, ledger export and job download."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households.models import Household, ImportBatch
from reports.models import ExportJob
from tests.excel.helpers import member_row, workbook_bytes
from tests.excel.test_import import V, ids
from tests.factories import household_with_members

pytestmark = pytest.mark.django_db


def upload(client, rows):
    data = workbook_bytes(rows)
    return client.post(
        reverse("admin:households_importbatch_upload"), {"file": SimpleUploadedFile("甲村.xlsx", data)}
    )


def test_clerk_downloads_template_uploads_previews_and_confirms(client, clerk_a):
    client.force_login(clerk_a)
    response = client.get(reverse("admin:households_importbatch_template"))
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames[0] == "户成员信息"

    a, b = ids(2)
    bad = upload(client, [member_row(V, "P001", "甲", a), member_row(V, "P001", "乙", a, "户主")])
    assert bad.status_code == 200
    assert "重复出现" in bad.content.decode()
    assert "有 2 名户主" in bad.content.decode()
    rejected = ImportBatch.objects.get()
    assert rejected.status == ImportBatch.Status.REJECTED
    assert reverse("admin:households_importbatch_error_report", args=[rejected.pk]) in bad.content.decode()

    good = upload(client, [member_row(V, "P001", "甲", a), member_row(V, "P001", "乙", b, "配偶")])
    assert "确认导入" in good.content.decode()
    batch = ImportBatch.objects.get(status=ImportBatch.Status.PREVIEWED)
    assert Household.objects.count() == 0
    response = client.post(reverse("admin:households_importbatch_confirm", args=[batch.pk]))
    assert response.status_code == 302
    assert Household.objects.get().members.count() == 2


def test_upload_of_a_bad_file_shows_the_message(client, clerk_a):
    client.force_login(clerk_a)
    response = client.post(
        reverse("admin:households_importbatch_upload"),
        {"file": SimpleUploadedFile("x.xlsx", b"%PDF-1.4 junk")},
    )
    assert "不是 Excel" in response.content.decode()


def test_township_user_exports_a_ledger_of_its_township(client, township_reviewer_a, village_a, village_b):
    mine = household_with_members(2, village=village_a, review_state="verified")
    household_with_members(2, village=village_b, review_state="verified")
    client.force_login(township_reviewer_a)
    response = client.post(
        reverse("admin:reports_exportjob_export"), {"ledger": "roster", "region": "", "year": ""}
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    numbers = [r[5] for r in book["建档立卡户花名册"].iter_rows(min_row=3, values_only=True) if r[5]]
    assert numbers == [mine.household_no]


def test_someone_elses_export_job_cannot_be_downloaded(
    client, county_admin, clerk_a, settings, django_capture_on_commit_callbacks
):
    settings.EXCEL_EXPORT_ASYNC_ROWS = 0
    household_with_members(1, village=clerk_a.region, review_state="verified")
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:reports_exportjob_export"), {"ledger": "population"})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ExportJob.Status.DONE
    status = client.get(reverse("admin:reports_exportjob_status", args=[job.pk]) + "?format=json").json()
    assert status["percent"] == 100
    assert client.get(reverse("admin:reports_exportjob_download", args=[job.pk])).status_code == 200
    client.force_login(clerk_a)
    assert client.get(reverse("admin:reports_exportjob_download", args=[job.pk])).status_code == 403


def test_resurvey_pages_download_upload_preview_and_confirm(client, township_reviewer_a, clerk_a, village_a):
    from core.choices import ReviewState
    from households.workflow.models import ChangeRequest

    household = household_with_members(2, village=village_a, phone="13800000000")
    Household.objects.update(review_state=ReviewState.VERIFIED)
    client.force_login(township_reviewer_a)
    response = client.post(reverse("admin:households_importbatch_resurvey"), {"region": village_a.code})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["户成员信息"]
    phone = [c.value for c in sheet[2]].index("联系电话")
    for row in sheet.iter_rows(min_row=3):
        row[phone].value = "13911112222"
    out = io.BytesIO()
    book.save(out)

    client.force_login(clerk_a)
    preview = client.post(
        reverse("admin:households_importbatch_resurvey_upload"),
        {"file": SimpleUploadedFile("动态调整.xlsx", out.getvalue())},
    )
    body = preview.content.decode()
    assert "139****2222" in body  # the preview shows the new phone masked too
    assert "13911112222" not in body
    assert "确认并提交 1 户变更申请" in body
    batch = ImportBatch.objects.get(kind="resurvey")
    client.post(reverse("admin:households_importbatch_resurvey_confirm", args=[batch.pk]))
    assert ChangeRequest.objects.get().household == household

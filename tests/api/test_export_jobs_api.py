"""A large export over HTTP: POST queues it (202 + job), the job is polled until done, the download
link streams the xlsx; nobody else (outside the scope, or another user) can poll or download it."""

import io

import openpyxl
import pytest

from tests.factories import household_with_members, user_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def large_export(as_user, county_admin, village_a, settings, tmp_path, django_capture_on_commit_callbacks):
    """Three households against a threshold of two rows: the roster goes to the queue."""
    settings.EXCEL_EXPORT_ASYNC_ROWS = 2
    settings.MEDIA_ROOT = tmp_path
    households = [household_with_members(n=2, village=village_a, review_state="verified") for _ in range(3)]
    api = as_user(county_admin)
    with django_capture_on_commit_callbacks(execute=True):  # the task runs in-process at commit
        response = api.post("/api/v1/exports/", {"ledger": "roster", "region": village_a.code}, format="json")
    return response, households


def test_large_export_is_queued_polled_and_downloaded(as_user, county_admin, large_export):
    started, households = large_export
    assert started.status_code == 202, started.content
    job = started.json()
    assert (job["status"], job["download_url"], job["total_rows"]) == ("pending", None, 3)
    api = as_user(county_admin)
    for _ in range(10):
        polled = api.get(f"/api/v1/exports/{job['id']}/")
        assert polled.status_code == 200
        if polled.json()["status"] == "done":
            break
    done = polled.json()
    assert (done["status"], done["progress_percent"], done["done_rows"]) == ("done", 100, 3)
    assert done["download_url"] == f"/api/v1/exports/{job['id']}/download/"
    download = api.get(done["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    numbers = [r[5] for r in book["建档立卡户花名册"].iter_rows(min_row=3, values_only=True) if r[5]]
    assert sorted(numbers) == sorted(h.household_no for h in households)


def test_nobody_else_polls_or_downloads_the_job(as_user, large_export, village_a, village_other_city):
    job_id = large_export[0].json()["id"]
    others = {
        "county admin of another city": user_for(village_other_city.parent.parent),
        "clerk of another city": user_for(village_other_city),
        "clerk inside the county": user_for(village_a),
        "second admin of the same county": user_for(village_a.parent.parent),
    }
    for who, user in others.items():
        api = as_user(user)
        assert api.get(f"/api/v1/exports/{job_id}/").status_code == 404, who
        assert api.get(f"/api/v1/exports/{job_id}/download/").status_code == 404, who
        assert job_id not in [row["id"] for row in api.get("/api/v1/exports/").json()["results"]], who


def test_export_of_a_region_outside_the_scope_is_a_field_error(as_user, clerk_a, village_other_city):
    response = as_user(clerk_a).post(
        "/api/v1/exports/", {"ledger": "roster", "region": village_other_city.code}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "region",
        "message": "该区划不存在或不在您的管辖范围内",
        "code": "invalid",
    }

"""疑似同一人 on demand (issue 28): a county user checks the county now, a city user its counties
together; the run is 比对中 until it ends, one at a time per region; over the API and in the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from rest_framework.test import APIClient

from core.idcard import make_id
from reports.crosscheck import services
from reports.crosscheck.choices import Rule, RunKind, RunStatus, RunTrigger
from reports.crosscheck.models import CheckRun, Hit
from tests.factories import HouseholdFactory, MemberFactory, region_chain
from tests.reports.helpers import admin_login as login

pytestmark = pytest.mark.django_db

BORN = dt.date(1975, 3, 14)
URL = "/api/v1/cross-checks/duplicate-runs/"


def twice(first_village, second_village, name="王建国", seq=23):
    """One person registered in two households, the second time with two digits swapped."""
    first = make_id(first_village.code[:6], BORN, seq, male=True)
    for village, number in ((first_village, first), (second_village, first[:16] + first[17] + first[16])):
        MemberFactory(household=HouseholdFactory(village=village), name=name, id_no=number, birth_date=BORN)


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def running(region):
    return CheckRun.objects.create(
        county=region, kind=RunKind.DUPLICATES, trigger=RunTrigger.MANUAL, as_of=timezone.localdate()
    )


def test_county_starts_a_check_over_the_api_and_reads_its_state(
    village_a, village_b, county_admin, django_capture_on_commit_callbacks
):
    twice(village_a, village_b)
    client = api(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {}, format="json")
    assert response.status_code == 202, response.content.decode()
    run = CheckRun.objects.get(pk=response.json()["id"])
    assert (run.county_id, run.kind, run.trigger) == (county_admin.region_id, RunKind.DUPLICATES, "manual")
    assert run.requested_by == county_admin
    body = client.get(f"{URL}{run.pk}/").json()
    assert (body["status"], body["status_display"], body["hits_found"]) == ("done", "已完成", 1)
    assert body["region_name"] == "西丰县"
    assert Hit.objects.filter(rule=Rule.LIKELY_DUPLICATE, run=run).count() == 1
    assert [r["id"] for r in client.get(URL).json()["results"]] == [run.pk]

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(URL, {}, format="json")  # nothing new: the pair is raised once
    assert again.status_code == 202
    assert client.get(f"{URL}{again.json()['id']}/").json()["hits_found"] == 0


def test_a_second_check_while_one_runs_is_refused_with_409(village_a, county_admin, city_supervisor):
    busy = running(village_a.parent.parent)
    response = api(county_admin).post(URL, {}, format="json")
    assert response.status_code == 409
    assert "西丰县的疑似同一人检查正在进行" in response.json()["detail"]
    assert "不必重复发起" in response.json()["detail"]
    assert CheckRun.objects.get() == busy
    # the city's own check (its counties together) is another region: it may start
    assert api(city_supervisor).post(URL, {}, format="json").status_code == 202


def test_a_run_that_died_long_ago_no_longer_blocks(village_a, county_admin):
    stale = running(village_a.parent.parent)
    CheckRun.objects.filter(pk=stale.pk).update(started_at=timezone.now() - dt.timedelta(hours=3))
    assert api(county_admin).post(URL, {}, format="json").status_code == 202
    stale.refresh_from_db()
    assert stale.status == RunStatus.FAILED
    assert stale.error == "超过两小时未完成，视为中断"


def test_scope_a_county_cannot_check_another_and_villages_and_townships_cannot_start(
    village_a, county_admin, clerk_a, township_reviewer_a
):
    other = region_chain("211224100001", ("辽宁省", "铁岭市", "昌图县", "某镇", "丁村")).parent.parent
    response = api(county_admin).post(URL, {"region": other.code}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "region"
    assert response.json()["detail"] == "未找到该区划，或不在您的管辖范围内"
    for user in (clerk_a, township_reviewer_a):
        assert api(user).post(URL, {}, format="json").status_code == 403
        assert api(user).post(URL, {"region": village_a.parent.parent.code}, format="json").status_code == 403
    assert not CheckRun.objects.exists()
    other_run = running(other)
    assert api(county_admin).get(f"{URL}{other_run.pk}/").status_code == 404
    assert api(county_admin).get(URL).json()["results"] == []


def test_the_city_checks_its_counties_together_or_one_county(
    village_a, city_supervisor, django_capture_on_commit_callbacks
):
    other_county = region_chain("211224100001", ("辽宁省", "铁岭市", "昌图县", "某镇", "丁村"))
    twice(village_a, other_county, name="冯七", seq=72)
    client = api(city_supervisor)

    def start(payload):  # the queued run ends after the response (after commit): read it again
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, payload, format="json")
        assert response.status_code == 202
        return client.get(f"{URL}{response.json()['id']}/").json()

    assert start({"region": other_county.parent.parent.code})["hits_found"] == 0  # one side only
    run = start({})
    assert (run["region"], run["region_name"], run["hits_found"]) == (city_supervisor.region_id, "铁岭市", 1)
    assert len(client.get(URL).json()["results"]) == 2
    township = village_a.parent.code
    response = client.post(URL, {"region": township}, format="json")
    assert (response.status_code, response.json()["detail"]) == (400, "疑似同一人检查按县或按市进行")


def test_a_failed_run_is_marked_failed_and_the_next_may_start(
    village_a, county_admin, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(params):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(services.checks, "prepare_people", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(county_admin).post(URL, {}, format="json")
    assert response.status_code == 202
    run = CheckRun.objects.get()
    assert run.status == RunStatus.FAILED
    assert "磁盘已满" in run.error
    monkeypatch.undo()
    assert api(county_admin).post(URL, {}, format="json").status_code == 202


def said(client) -> list[str]:
    """The messages the next page would show (simpleui renders them from a script)."""
    return [m.message for m in get_messages(client.get("/admin/reports/checkrun/").wsgi_request)]


def test_the_admin_button_runs_the_check_and_says_what_it_found(
    client, village_a, village_b, county_admin, clerk_a, django_capture_on_commit_callbacks
):
    twice(village_a, village_b)
    login(client, county_admin)
    assert (
        "/admin/reports/checkrun/duplicate-check/" in client.get("/admin/reports/checkrun/").content.decode()
    )
    page = client.get("/admin/reports/checkrun/duplicate-check/").content.decode()
    assert "检查范围：西丰县" in page
    assert 'value="立即检查疑似同一人"' in page
    with django_capture_on_commit_callbacks(execute=True):  # queued: it runs after the response
        response = client.post("/admin/reports/checkrun/duplicate-check/")
    assert response.status_code == 302
    assert said(client) == ["已开始检查西丰县的疑似同一人，完成后刷新本页查看新增疑点数"]
    text = client.get(response["Location"]).content.decode()
    run = CheckRun.objects.get()
    assert (run.kind, run.status, run.requested_by) == (RunKind.DUPLICATES, RunStatus.DONE, county_admin)
    assert run.hits_found == 1
    assert "已完成" in text  # the run's row: its state

    busy = running(village_a.parent.parent)
    page = client.get("/admin/reports/checkrun/duplicate-check/").content.decode()
    assert 'value="立即检查疑似同一人"' not in page
    assert "西丰县的疑似同一人检查正在进行" in page
    assert "上次检查" in page
    assert "新增疑点 1 条" in page
    client.post("/admin/reports/checkrun/duplicate-check/")
    assert "西丰县的疑似同一人检查正在进行" in said(client)[0]
    assert CheckRun.objects.filter(status=RunStatus.RUNNING).get() == busy

    login(client, clerk_a)
    assert client.post("/admin/reports/checkrun/duplicate-check/").status_code == 403
    assert client.get("/admin/reports/checkrun/").status_code == 403
    assert CheckRun.objects.count() == 2


def test_nightly_city_check_runs_each_city_and_skips_one_still_running(
    village_a, django_capture_on_commit_callbacks
):
    from reports.crosscheck import tasks

    other_city = region_chain("211324100001", ("辽宁省", "朝阳市", "喀左县", "某镇", "戊村"))
    twice(village_a, region_chain("211224100001", ("辽宁省", "铁岭市", "昌图县", "某镇", "丁村")))
    busy = running(other_city.parent.parent.parent)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.nightly_city_duplicates() == 1  # 朝阳市's check still runs: skipped
    run = CheckRun.objects.exclude(pk=busy.pk).get()
    assert (run.county_id, run.trigger, run.status) == ("211200000000", RunTrigger.NIGHTLY, RunStatus.DONE)
    assert run.hits_found == 1

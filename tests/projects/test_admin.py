"""The project pages in the admin: scoped (404 outside), the record page offers the chain's and the
county's steps through the services, payments and assets by form, the list without N+1."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.choices import ReviewState
from projects.choices import FundSource, Stage
from projects.models import FundPayment, Project
from tests.factories import user_for
from tests.projects.factories import DAY, project_at, proposed_project

pytestmark = pytest.mark.django_db
BASE = "/admin/projects/project/"


def test_village_enters_and_submits_from_the_record_page_and_other_villages_get_404(
    client, village_a, clerk_a, clerk_b
):
    client.force_login(clerk_a)
    page = client.get(f"{BASE}add/")
    assert page.status_code == 200
    assert "项目名称" in page.content.decode()
    project = proposed_project(region=village_a, user=clerk_a)
    record = client.get(f"{BASE}{project.pk}/change/").content.decode()
    assert 'name="content"' in record  # the proposer edits its draft
    assert "提交审核" in record
    assert "打印实施前公告" in record
    client.post(f"{BASE}{project.pk}/act/submit/")
    project.refresh_from_db()
    assert project.review_state == ReviewState.PENDING_TOWNSHIP
    client.force_login(clerk_b)
    assert client.get(f"{BASE}{project.pk}/change/").status_code == 302  # Django: "does not exist"
    assert client.get(f"{BASE}{project.pk}/notice/announcement/").status_code == 404


def test_county_pays_by_form_and_the_refusal_is_shown(client, village_a):
    project = project_at(Stage.IMPLEMENTING, village=village_a)
    county = user_for(village_a.parent.parent)
    client.force_login(county)
    record = client.get(f"{BASE}{project.pk}/change/").content.decode()
    assert "登记资金支付" in record
    assert "项目验收" in record
    form = {"source": FundSource.COUNTY, "voucher_no": "记-9", "paid_on": "2026-04-01", "note": ""}
    client.post(f"{BASE}{project.pk}/pay/", {**form, "amount": "50000"})
    refused = client.post(f"{BASE}{project.pk}/pay/", {**form, "amount": "0.01"}).content.decode()
    assert "超出 0.01 元，不予登记" in refused
    assert FundPayment.objects.filter(project=project).count() == 1
    assert "记-9" in client.get(f"{BASE}{project.pk}/change/").content.decode()


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(BASE).status_code == 200
    return len(queries)


def test_project_list_queries_do_not_grow_with_rows(client, village_a):
    county = user_for(village_a.parent.parent)
    client.force_login(county)
    for _ in range(3):
        proposed_project(region=village_a)
    few = _list_queries(client)
    for _ in range(27):
        proposed_project(region=village_a)
    assert Project.objects.count() == 30
    assert _list_queries(client) == few


def test_stage_steps_on_the_record_page(client, village_a):
    project = project_at(Stage.IN_LIBRARY, village=village_a)
    county = user_for(village_a.parent.parent)
    client.force_login(county)
    end = DAY + dt.timedelta(days=9)
    client.post(
        f"{BASE}{project.pk}/act/announce/",
        {"announce-start": DAY.isoformat(), "announce-end": end.isoformat(), "announce-place": "村务公开栏"},
    )
    project.refresh_from_db()
    assert project.stage == Stage.ANNOUNCED


def test_county_registers_an_asset_and_distributes_its_income_by_form(client, village_a):
    from projects.models import Asset, IncomeShare
    from tests.assistance.factories import dibao_household

    households = [dibao_household(village=village_a, persons=1) for _ in range(3)]
    project = project_at(Stage.ACCEPTED, village=village_a, households=households)
    county = user_for(village_a.parent.parent)
    client.force_login(county)
    asset_form = {
        "name": "光伏电站",
        "asset_type": "pv",
        "value": "300000",
        "owner": "村集体经济组织",
        "manager": "村合作社",
        "registered_on": "2026-09-01",
    }
    client.post(f"{BASE}{project.pk}/asset/", asset_form)
    asset = Asset.objects.get(project=project)
    numbers = "\n".join(
        f"{h.household_no},{amount}" for h, amount in zip(households, (100, 200, 300), strict=True)
    )
    form = {
        "year": "2026",
        "amount": "600",
        "rule": "list",
        "distributed_on": "2026-09-10",
        "listed": numbers,
    }
    page = client.post(f"/admin/projects/asset/{asset.pk}/distribute/", form)
    assert page.status_code == 302
    assert sorted(IncomeShare.objects.values_list("amount", flat=True)) == [100, 200, 300]
    income_page = client.get(f"/admin/projects/assetincome/{asset.incomes.get().pk}/change/").content.decode()
    assert households[0].household_no in income_page
    clerk = user_for(village_a)
    client.force_login(clerk)
    assert client.get(f"/admin/projects/asset/{asset.pk}/distribute/").status_code == 403


def test_every_level_finds_the_projects_in_its_menu(client, village_a):
    for region, entries in (
        (village_a, ["扶贫项目库"]),
        (village_a.parent.parent, ["扶贫项目库", "资金支付", "扶贫资产", "资产收益分配"]),
        (village_a.parent.parent.parent, ["扶贫项目库", "扶贫资产"]),
    ):
        from tests.reports.test_workbench import menu_of

        menu = menu_of(client, user_for(region))
        shown = [name for names in menu.values() for name in names]
        assert [e for e in entries if e not in shown] == [], region.name

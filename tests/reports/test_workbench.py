"""The 工作台 of each role (home tab), its to-do list, and the side menu of each role."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import ReviewState
from core.workflow import services as chain
from reports import todo
from tests.factories import household_with_members, region_chain, user_for

pytestmark = pytest.mark.django_db
WORKBENCH = reverse("reports:workbench")


def page(client, user, url=WORKBENCH):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def menu_of(client, user) -> dict[str, list[str]]:
    """{section: [entry names]} of the side menu simpleui receives on /admin/."""
    html = page(client, user, reverse("admin:index"))
    data = json.loads(re.search(r"var menus=(\[.*?\])</script>", html, re.S).group(1))
    return {section["name"]: [m["name"] for m in section.get("models", [])] for section in data}


def test_home_tab_is_the_workbench(settings, client, clerk_a):
    assert settings.SIMPLEUI_HOME_PAGE == WORKBENCH
    html = page(client, clerk_a, reverse("admin:index"))
    assert WORKBENCH in html
    assert "工作台" in html


@pytest.mark.parametrize(
    ("role", "charts"),
    [("clerk_a", False), ("township_reviewer_a", True), ("county_admin", True), ("city_supervisor", True)],
)
def test_every_role_has_a_workbench_and_the_levels_above_the_village_have_charts(
    request, client, role, charts
):
    household_with_members(2, village=request.getfixturevalue("village_a"), review_state=ReviewState.VERIFIED)
    html = page(client, request.getfixturevalue(role))
    assert "我的待办" in html
    assert ('id="chart-poverty-status-households"' in html) is charts
    assert ("vendor/echarts/echarts.min.js" in html) is charts
    if charts:
        assert "http" not in re.search(r'<script src="([^"]+echarts[^"]+)"', html).group(1)  # no CDN


def test_returned_household_shows_on_the_clerks_workbench_with_its_reason(
    client, village_a, clerk_a, clerk_b, township_reviewer_a
):
    household = household_with_members(2, village=village_a, created_by=clerk_a)
    chain.submit(record=household, user=clerk_a)
    html = page(client, township_reviewer_a)
    assert "待我审核（建档立卡户）" in html
    assert "已等待 0 天" in html
    chain.return_to_lower(
        record=household, user=township_reviewer_a, reason="户主身份证号与户口簿不一致，请核对"
    )
    html = page(client, clerk_a)
    assert "退回修正（建档立卡户）" in html
    assert "退回原因：户主身份证号与户口簿不一致，请核对" in html
    assert reverse("admin:households_household_change", args=[household.pk]) in html
    assert "户主身份证号与户口簿不一致" not in page(client, clerk_b)  # another village's clerk


def test_drafts_are_the_clerks_own(client, village_a, clerk_a):
    household_with_members(2, village=village_a, created_by=clerk_a)
    items = {i.key: i for i in todo.items_for(clerk_a, timezone.localdate())}
    assert items["drafts.household"].count == 1
    assert "?review_state=draft" in items["drafts.household"].url


def test_awaiting_review_is_oldest_first_and_scoped(
    village_a, village_b, clerk_a, clerk_b, township_reviewer_a
):
    first = household_with_members(2, village=village_a, created_by=clerk_a)
    second = household_with_members(2, village=village_a, created_by=clerk_a)
    outside = household_with_members(2, village=village_b, created_by=clerk_b)
    for household, clerk in ((second, clerk_a), (first, clerk_a), (outside, clerk_b)):
        chain.submit(record=household, user=clerk)
    today = timezone.localdate()
    item = next(i for i in todo.items_for(township_reviewer_a, today) if i.key == "review.household")
    assert item.count == 2  # not the other township's household
    assert [r.url for r in item.rows] == [
        reverse("admin:households_household_change", args=[h.pk]) for h in (second, first)
    ]
    assert all(r.days == 0 for r in item.rows)


def test_providers_registry_takes_new_providers(clerk_a):
    def backups(user, today):
        return [todo.TodoItem("backup", "最近一次备份超过1天", 1, "/admin/", alert=True)]

    todo.register("test-backups", backups, order=99)
    try:
        assert any(i.key == "backup" for i in todo.items_for(clerk_a, timezone.localdate()))
    finally:
        todo._PROVIDERS.pop("test-backups")


def test_workbench_queries_do_not_grow_with_records(
    client, village_a, clerk_a, township_reviewer_a, django_assert_max_num_queries
):
    for _ in range(8):
        chain.submit(record=household_with_members(2, village=village_a, created_by=clerk_a), user=clerk_a)
    client.force_login(township_reviewer_a)
    client.get(WORKBENCH)  # builds the county's summary once
    # 36, was 73 (issue 28 item 4): the counts of every record kind in one statement each for 草稿, 退回
    # and 待我审核 (reports.todo.count_each), a card's count read only when its five rows are full
    # (todo.first_rows), and the register summary read once for all its charts (statistics._register).
    with django_assert_max_num_queries(36):
        assert client.get(WORKBENCH).status_code == 200


def test_statistics_page_drills_down_inside_the_scope_only(
    client, village_a, village_b, township_reviewer_a, county_admin
):
    household_with_members(2, village=village_a, review_state=ReviewState.VERIFIED)
    url = reverse("reports:statistics")
    html = page(client, county_admin, f"{url}?region={village_a.parent.code}")
    assert "甲村" in html
    client.force_login(township_reviewer_a)
    assert client.get(f"{url}?region={village_b.parent.code}").status_code == 404


# ------------------------------------------------------------------ menus per role


def test_village_clerk_menu_is_entry_work(client, clerk_a):
    menu = menu_of(client, clerk_a)
    entries = [name for names in menu.values() for name in names]
    assert menu["录入"] == ["建档立卡户", "家庭成员", "帮扶措施", "Excel 导入", "变更申请", "我的待办"]
    for hidden in ("政策参数", "节假日安排", "重新核算任务", "月发放表", "待我审核（建档立卡户）", "用户"):
        assert hidden not in entries


def test_township_menu_adds_review_queues(client, township_reviewer_a):
    menu = menu_of(client, township_reviewer_a)
    assert list(menu)[0] == "审核"
    assert "待我审核（建档立卡户）" in menu["审核"]
    assert "变更申请" in menu["审核"]
    entries = [name for names in menu.values() for name in names]
    assert "政策参数" not in entries
    assert "重新核算任务" not in entries


def test_county_menu_adds_cases_rolls_ledgers_parameters_recalculation(client, county_admin):
    menu = menu_of(client, county_admin)
    assert {"低保案件", "低保渐退", "月发放表"} <= set(menu["低保与救助"])
    assert {"统计图表", "台账导出"} <= set(menu["台账与统计"])
    assert "政策参数" in menu["政策参数"]
    assert "重新核算任务" in menu["重新核算"]


def test_city_menu_is_statistics_ledgers_and_spot_checks(client, city_supervisor):
    menu = menu_of(client, city_supervisor)
    assert list(menu) == ["统计", "台账", "抽查"]
    entries = [name for names in menu.values() for name in names]
    assert "统计图表" in entries
    assert "台账导出" in entries
    for hidden in ("政策参数", "Excel 导入", "重新核算任务", "我的待办"):
        assert hidden not in entries


def test_system_admin_keeps_the_full_menu(client, village_a):
    from tests.factories import UserFactory

    admin_user = UserFactory(role="system_admin", region=None, is_superuser=True, is_staff=True)
    entries = [name for names in menu_of(client, admin_user).values() for name in names]
    assert "政策参数" in entries
    assert "用户" in entries


def test_backup_line_for_the_county_and_a_reminder_when_it_is_missing(
    client, county_admin, township_reviewer_a
):
    html = page(client, county_admin)
    assert "最近一次备份：从未成功备份" in html
    assert 'class="wb-card wb-alert" data-todo="backup"' in html
    assert "最近一次备份" not in page(client, township_reviewer_a)


def test_a_bar_opens_the_list_behind_it_with_the_same_count(client, village_a, village_b, county_admin):
    from reports.dashboard import charts_for

    for village, n in ((village_a, 3), (village_b, 2)):
        for _ in range(n):
            household_with_members(2, village=village, review_state=ReviewState.VERIFIED)
    household_with_members(2, village=village_a, review_state=ReviewState.DRAFT)
    _, charts = charts_for(county_admin)
    chart = next(c for c in charts if c["key"] == "poverty-status-households")
    client.force_login(county_admin)
    checked = 0
    for series in chart["series"]:
        for figure, link in zip(series["data"], series["links"], strict=True):
            assert "township=" in link
            response = client.get(link)
            assert response.status_code == 200
            assert response.context["cl"].result_count == figure, link
            checked += 1
    assert checked >= 2


def test_stop_proposals_wait_on_the_county_workbench(client, village_a, village_other, county_admin):
    from assistance.choices import StopGround, StopMode
    from assistance.models import DibaoCase, StopProposal

    household = household_with_members(2, village=village_a, review_state=ReviewState.VERIFIED)
    case = DibaoCase.objects.create(household=household, applied_on=dt.date(2026, 1, 5), status="active")
    StopProposal.objects.create(
        case=case,
        ground=StopGround.values[0],
        mode=StopMode.values[0],
        proposed_on=timezone.localdate(),
        reason="年人均收入高于保障标准，已不能渐退",
    )
    html = page(client, county_admin)
    assert "停保建议待决定" in html
    outsider = user_for(village_other.parent.parent)
    assert "停保建议待决定" not in page(client, outsider)
    assert "年人均收入高于保障标准，已不能渐退" in html


@pytest.fixture
def village_other():
    return region_chain("210102001001", ("辽宁省", "沈阳市", "和平区", "南湖街道", "丙村"))


def test_every_chained_record_kind_has_its_lists_on_the_workbench():
    from core.workflow.config import _KINDS

    assert set(todo.KINDS) == set(_KINDS)


def test_county_menu_has_the_crosscheck_pages(client, county_admin):
    assert "比对疑点" in menu_of(client, county_admin)["信息比对"]

"""The one search (issue 28): pinyin kept beside names on every write path, the search service in
scope, the results page and the API; scenarios 62 and 63."""

import datetime as dt
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from core.choices import ReviewState
from core.idcard import make_id
from households.choices import Relation
from households.excel.services import confirm_batch, preview_upload
from households.models import Household, Member
from households.pinyin import name_pinyin
from households.search import NameKind, parse, search
from households.workflow.models import ChangeRequest
from households.workflow.services import apply_change_request, open_change_request
from tests.excel.helpers import member_row, workbook_bytes
from tests.factories import HouseholdFactory, MemberFactory, region_chain

pytestmark = pytest.mark.django_db


def names(groups, kind="member"):
    return [r.title for g in groups if g.kind == kind for r in g.results]


# ------------------------------------------------------------------------------ pinyin
def test_pinyin_and_initials_follow_the_name_with_surname_readings():
    assert name_pinyin("王建国") == ("wangjianguo", "wjg")
    assert name_pinyin("单田芳") == ("shantianfang", "stf")
    assert name_pinyin("曾小贤") == ("zengxiaoxian", "zxx")
    assert name_pinyin("吕 布") == ("lvbu", "lb")
    assert name_pinyin("阿依古丽·买买提")[1] == "aygl" + "mmt"


def test_member_save_keeps_pinyin_current_also_with_update_fields(village_a):
    member = MemberFactory(household=HouseholdFactory(village=village_a), name="王建国")
    member.refresh_from_db()
    assert (member.name_pinyin, member.name_initials) == ("wangjianguo", "wjg")
    member.name = "李红"
    member.save(update_fields=["name"])
    member.refresh_from_db()
    assert (member.name_pinyin, member.name_initials) == ("lihong", "lh")


def test_excel_import_copy_writes_pinyin(clerk_a, village_a):
    head = make_id("211223", dt.date(1980, 1, 1), 1, male=True)
    rows = [member_row(village_a.code, "A001", "张三丰", head, "户主")]
    preview = preview_upload(data=workbook_bytes(rows), filename="甲村.xlsx", user=clerk_a)
    confirm_batch(batch=preview.batch, user=clerk_a)
    member = Member.objects.get(id_no=head)
    assert (member.name_pinyin, member.name_initials) == ("zhangsanfeng", "zsf")


def test_resurvey_change_of_a_name_updates_pinyin_when_applied(village_a, clerk_a, county_admin):
    household = HouseholdFactory(village=village_a, review_state=ReviewState.VERIFIED)
    member = MemberFactory(household=household, name="赵四", relation=Relation.HEAD)
    change = open_change_request(
        household=household, user=clerk_a, changes={"members": [{"id": member.pk, "name": "赵思远"}]}
    )
    apply_change_request(record=ChangeRequest.objects.get(pk=change.pk), user=county_admin)
    member.refresh_from_db()
    assert (member.name, member.name_pinyin, member.name_initials) == ("赵思远", "zhaosiyuan", "zsy")


def test_backfill_migration_fills_rows_written_without_pinyin(village_a):
    import importlib

    from django.db.migrations.state import ProjectState  # noqa: F401 - the migration needs no state

    member = MemberFactory(household=HouseholdFactory(village=village_a), name="孙悟空")
    Member.objects.filter(pk=member.pk).update(name_pinyin="", name_initials="")
    fill = importlib.import_module("households.migrations.0016_fill_member_pinyin").fill

    class Editor:
        connection = connection

    fill(None, Editor())
    member.refresh_from_db()
    assert (member.name_pinyin, member.name_initials) == ("sunwukong", "swk")


# ------------------------------------------------------------------------------ parsing
@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("王建国", NameKind.NAME),
        ("WJG", NameKind.PINYIN),
        ("w", NameKind.NONE),
        ("1234", NameKind.NUMBER),
        ("12345x", NameKind.NUMBER),
        ("123", NameKind.NONE),
        ("211223198001010011", NameKind.FULL_ID),
    ],
)
def test_what_was_typed_decides_what_is_searched(typed, kind):
    assert parse(typed).kind == kind


# ------------------------------------------------------------------------------ scenarios
@pytest.fixture
def township_world(village_a):
    """王建国 in village_a, 汪金贵 (also wjg) in a second village of the same township, 王建国 in
    another township of the county and in another county."""
    same_township = region_chain("211223100002", ("辽宁省", "铁岭市", "西丰县", "西丰镇", "丙村"))
    other_township = region_chain("211223101002", ("辽宁省", "铁岭市", "西丰县", "平岗镇", "乙村"))
    other_county = region_chain("211224100001", ("辽宁省", "铁岭市", "昌图县", "某镇", "丁村"))
    people = {}
    for key, village, name in [
        ("mine", village_a, "王建国"),
        ("neighbour", same_township, "汪金贵"),
        ("other_township", other_township, "王建国"),
        ("other_county", other_county, "王建国"),
    ]:
        people[key] = MemberFactory(household=HouseholdFactory(village=village), name=name)
    MemberFactory(household=HouseholdFactory(village=village_a), name="王建")  # starts with wj only
    return people


def test_scenario_62_initials_find_the_clerks_own_first_and_the_township_all_of_its_own(
    township_world, clerk_a, township_reviewer_a
):
    clerk_found = search("wjg", clerk_a)
    members = [g for g in clerk_found if g.kind == "member"][0].results
    assert members[0].title == "王建国"
    assert members[0].pk == township_world["mine"].pk
    assert {r.pk for r in members} == {township_world["mine"].pk}  # exact initials only; 王建 is wj
    assert names(search("wj", clerk_a)) == ["王建", "王建国"]  # exact initials before starting-with

    township_found = search("wjg", township_reviewer_a)
    pks = {r.pk for g in township_found if g.kind == "member" for r in g.results}
    assert pks == {township_world["mine"].pk, township_world["neighbour"].pk}
    # households are found by their head too, and nothing outside the township
    heads = {r.pk for g in township_found if g.kind == "household" for r in g.results}
    assert heads == {township_world["mine"].household_id, township_world["neighbour"].household_id}


def test_scenario_63_id_tail_finds_the_member_masked_and_only_the_typed_digits_travel(
    village_a, clerk_a, client, caplog
):
    member = MemberFactory(household=HouseholdFactory(village=village_a), name="刘备")
    tail = member.id_no[-6:]
    client.force_login(clerk_a)
    url = f"{reverse('households:search')}?q={tail}"
    with caplog.at_level(logging.INFO):
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "刘备" in body
    assert member.id_no not in body
    assert member.id_no[:6] + "********" + member.id_no[-4:] in body  # core.privacy mask
    assert page.wsgi_request.get_full_path() == url
    assert member.id_no not in caplog.text

    # a full number goes in the POST body; the redirect and the page carry a token, never the number
    with caplog.at_level(logging.INFO):
        posted = client.post(reverse("households:search"), {"q": member.id_no})
    assert posted.status_code == 302
    assert member.id_no not in posted["Location"]
    assert "t=" in posted["Location"]
    shown = client.get(posted["Location"]).content.decode()
    assert "刘备" in shown
    assert member.id_no not in shown
    assert member.id_no not in caplog.text
    # typed into an address by hand it is not searched, nor echoed
    refused = client.get(reverse("households:search"), {"q": member.id_no}).content.decode()
    assert "刘备" not in refused
    assert member.id_no not in refused


def test_search_finds_by_part_of_name_pinyin_household_no_and_phone_tail(village_a, clerk_a):
    household = HouseholdFactory(village=village_a, household_no="2112231000010077", phone="13912345678")
    MemberFactory(household=household, name="欧阳娜娜", relation=Relation.HEAD)
    assert names(search("娜娜", clerk_a)) == ["欧阳娜娜"]
    assert names(search("欧", clerk_a)) == ["欧阳娜娜"]
    assert names(search("ouyang", clerk_a)) == ["欧阳娜娜"]
    assert names(search("yangna", clerk_a)) == ["欧阳娜娜"]
    found = search("10077", clerk_a)
    assert [r.pk for g in found if g.kind == "household" for r in g.results] == [household.pk]
    found = search("5678", clerk_a)
    assert [r.pk for g in found if g.kind == "household" for r in g.results] == [household.pk]
    assert "139****5678" in found[0].results[0].detail


def test_cases_are_found_by_their_people(village_a, clerk_a):
    from tests.assistance.factories import tekun_case

    case = tekun_case(member=MemberFactory(household=HouseholdFactory(village=village_a), name="周通"))
    found = [g for g in search("zt", clerk_a) if g.kind == "case"]
    assert [r.pk for r in found[0].results] == [case.pk]
    assert found[0].results[0].title == "特困 · 周通"


@pytest.mark.parametrize("n", [3, 30])
def test_search_query_count_is_bounded_by_kinds_not_tiers_or_matches(village_a, clerk_a, n):
    """A kind's tiers are one round trip (a UNION ALL of LIMIT reads) carrying what a result shows:
    households 1 (their heads' rows), members 1, the cases of all three kinds 1 together, with the 低保
    households' heads (it was 7 with no case found and 9 with 低保 cases: the rows read again after
    their ids, a read a kind of case, then the 低保 households' heads); the same for 3 matches as for 30."""
    from assistance.models import DibaoCase
    from tests.assistance.factories import disability_subsidy, tekun_case

    for i in range(n):
        head = MemberFactory(
            household=HouseholdFactory(village=village_a), name="王建国", relation=Relation.HEAD
        )
        DibaoCase.objects.create(household=head.household, applied_on=dt.date(2024, 1, 10))
        if i < 2:
            tekun_case(member=head)
            disability_subsidy(member=head)
    with CaptureQueriesContext(connection) as queries:
        found = {g.kind: g for g in search("wjg", clerk_a)}
    assert len(queries) == 3
    titles = [r.title for r in found["case"].results]
    assert titles[:3] == ["低保 · 王建国户"] * 3
    if n == 3:  # room on the page for the people's kinds, after the 低保 cases
        assert titles[3:] == ["特困 · 王建国"] * 2 + ["两项补贴 · 王建国"] * 2
        assert not found["case"].more
    else:
        assert len(titles) == 20
        assert found["case"].more


def test_case_results_show_the_head_the_masked_number_and_the_state(village_a, clerk_a, village_b):
    """What a case result shows: 低保 by the household's head (the active one), 特困 and 两项补贴 by
    their person; masked ID, village, state; the best tier first (exact before starting with);
    nothing of another township."""
    from assistance.models import DibaoCase
    from tests.assistance.factories import tekun_case

    household = HouseholdFactory(village=village_a, household_no="2112231000010101")
    MemberFactory(
        household=household,
        name="赵云飞",
        relation=Relation.HEAD,
        member_status="deceased",
        status_date=dt.date(2023, 5, 1),
    )
    head = MemberFactory(household=household, name="赵云", relation=Relation.HEAD)
    MemberFactory(household=household, name="赵云龙", relation=Relation.SON)
    case = DibaoCase.objects.create(household=household, applied_on=dt.date(2024, 1, 10), status="active")
    later = tekun_case(member=MemberFactory(household=HouseholdFactory(village=village_a), name="赵云"))
    elsewhere = MemberFactory(household=HouseholdFactory(village=village_b), name="赵云")
    DibaoCase.objects.create(household=elsewhere.household, applied_on=dt.date(2024, 1, 10))

    results = [g for g in search("赵云", clerk_a) if g.kind == "case"][0].results
    assert [(r.title, r.pk) for r in results] == [("低保 · 赵云户", case.pk), ("特困 · 赵云", later.pk)]
    first = results[0]
    assert first.detail == "整户保 · 户编号 2112231000010101"
    assert first.masked_id == head.id_no[:6] + "********" + head.id_no[-4:]
    assert (first.village, first.state, first.household_id) == ("甲村", "保障中", household.pk)
    assert first.url == reverse("admin:assistance_dibaocase_change", args=[case.pk])
    assert results[1].state == "发放中"


def test_a_dibao_tier_reads_its_first_people_in_the_indexs_order(village_a, clerk_a, monkeypatch):
    """A 低保 tier looks among the scope's first PEOPLE_READ matching members: the first in the search
    index's order (byte order of the name), read as an index scan that stops there, not those a
    bitmap of the name's whole range happens to give first (the table's order)."""
    from assistance import search as case_search
    from assistance.models import DibaoCase

    monkeypatch.setattr(case_search, "PEOPLE_READ", 1)
    cases = {}
    for name in ["胡甲", "胡乙", "胡丙"]:  # written in this order; 丙 (U+4E19) < 乙 (U+4E59) < 甲 (U+7532)
        head = MemberFactory(household=HouseholdFactory(village=village_a), name=name, relation=Relation.HEAD)
        cases[name] = DibaoCase.objects.create(household=head.household, applied_on=dt.date(2024, 1, 10))
    found = [g for g in search("胡", clerk_a) if g.kind == "case"][0].results
    assert [r.pk for r in found] == [cases["胡丙"].pk]


@pytest.mark.parametrize("typed", ["李明", "lm"])
def test_the_exact_match_comes_first_when_more_than_a_page_start_with_it(village_a, clerk_a, typed):
    """Is and starts with are one read in the key's order (households.search.Tier): the exact
    name or initials first, even written last after more than a page of longer ones — members,
    households by their head, and 特困 cases by their person."""
    from tests.assistance.factories import tekun_case

    given = "安宝昌德尔福歌华吉佳凯乐美宁欧平琪瑞顺泰伟祥雅振卓"  # 25 characters
    for char in given:
        tekun_case(member=MemberFactory(household=HouseholdFactory(village=village_a), name=f"李明{char}"))
    exact = MemberFactory(household=HouseholdFactory(village=village_a), name="李明")
    case = tekun_case(member=exact)

    found = {g.kind: g for g in search(typed, clerk_a)}
    assert found["member"].results[0].pk == exact.pk
    assert found["member"].more
    assert found["household"].results[0].pk == exact.household_id
    assert found["case"].results[0].pk == case.pk
    assert len(found["case"].results) == 20


@pytest.mark.parametrize("typed", ["李明", "lm"])
def test_a_dibao_case_of_the_exact_name_comes_first_among_more_than_a_page(village_a, clerk_a, typed):
    """A 低保 tier reads the people starting with what was typed (the exact ones first, in the index's
    order) and puts the cases whose household has an exact one first: the household of 李明, written
    last after 25 households of 李明X, is the first 低保 result."""
    from assistance.models import DibaoCase

    given = "安宝昌德尔福歌华吉佳凯乐美宁欧平琪瑞顺泰伟祥雅振卓"  # 25 characters
    for char in given:
        head = MemberFactory(household=HouseholdFactory(village=village_a), name=f"李明{char}")
        DibaoCase.objects.create(household=head.household, applied_on=dt.date(2024, 1, 10))
    exact = MemberFactory(household=HouseholdFactory(village=village_a), name="李明", relation=Relation.HEAD)
    case = DibaoCase.objects.create(household=exact.household, applied_on=dt.date(2024, 1, 10))

    results = [g for g in search(typed, clerk_a) if g.kind == "case"][0]
    assert results.results[0].pk == case.pk
    assert len(results.results) == 20
    assert results.more


# ------------------------------------------------------------------------------ API
def test_api_search_is_scoped_masked_and_refuses_a_full_id_in_the_url(township_world, clerk_a):
    api = APIClient()
    api.force_authenticate(clerk_a)
    answer = api.get("/api/v1/search/", {"q": "wjg"}).json()
    members = [g for g in answer["groups"] if g["kind"] == "member"][0]["results"]
    assert [m["id"] for m in members] == [township_world["mine"].pk]
    full = township_world["mine"].id_no
    assert members[0]["masked_id"] == full[:6] + "********" + full[-4:]
    refused = api.get("/api/v1/search/", {"q": full})
    assert refused.status_code == 400
    assert full not in refused.content.decode()
    posted = api.post("/api/v1/search/", {"q": full}, format="json").json()
    assert [m["title"] for g in posted["groups"] if g["kind"] == "member" for m in g["results"]] == ["王建国"]
    assert full not in str(posted)
    other = township_world["other_county"].id_no
    assert api.post("/api/v1/search/", {"q": other}, format="json").json()["groups"] == []


def test_header_has_the_search_box(client, clerk_a):
    client.force_login(clerk_a)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="fupin-search-box"' in page
    assert "households/search_box.js" in page


def test_household_list_unchanged_for_archived(village_a, clerk_a):
    household = HouseholdFactory(village=village_a, archived_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    MemberFactory(household=household, name="钱七")
    assert search("钱七", clerk_a) == []
    assert Household.objects.filter(pk=household.pk).exists()


def test_admin_lists_search_box_matches_like_the_search_page(village_a, village_b, clerk_a, client):
    """The household list's and the member list's own search box: pinyin, initials, the end of a
    name, an ID tail, a 户编号 tail (any member of a household), inside the scope only."""
    household = HouseholdFactory(village=village_a, household_no="2112231000010077")
    head = MemberFactory(household=household, name="王建国", relation=Relation.HEAD)
    MemberFactory(household=household, name="李红", relation=Relation.SPOUSE)
    MemberFactory(household=HouseholdFactory(village=village_b), name="王建国", relation=Relation.HEAD)
    client.force_login(clerk_a)
    households = reverse("admin:households_household_changelist")
    members = reverse("admin:households_member_changelist")
    for typed in ["wjg", "wangjianguo", "建国", "王建国", "lh", head.id_no[-6:], "0077"]:
        page = client.get(households, {"q": typed})
        assert page.status_code == 200
        assert list(page.context["cl"].result_list) == [household], typed
    for typed, expected in [("wjg", ["王建国"]), ("红", ["李红"]), (head.id_no[-4:], ["王建国"])]:
        page = client.get(members, {"q": typed})
        assert [m.name for m in page.context["cl"].result_list] == expected, typed

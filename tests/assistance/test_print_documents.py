"""Printable documents (issue 17, item 7): a village's 公示 list and a 低保 case's 审批表, in the admin
frame with a 打印 button and a print stylesheet; scoped; ID numbers masked."""

import datetime as dt

import pytest
from django.urls import reverse

from assistance.amounts import case_amount
from assistance.services import cases
from core.idcard import mask_id
from programs.services import set_parameter
from tests.assistance.factories import active_case, dibao_household
from tests.factories import user_for

pytestmark = pytest.mark.django_db

PUBLICITY = reverse("admin:assistance_dibaocase_print_publicity")
START = dt.date(2019, 10, 1)


def _case_in_publicity(village):
    household = dibao_household(village=village, persons=2, income_per_person=1000)
    case = cases.apply_case(household=household, user=user_for(village), applied_on=dt.date(2019, 9, 1))
    township = user_for(village.parent)
    cases.start_investigation(case=case, user=township)
    cases.start_publicity(case=case, user=township, start=START, place="东屏村村务公开栏")
    return case, township


def test_village_publicity_list_has_title_period_phone_names_masked_ids_and_amounts(client, village_a):
    case, township = _case_in_publicity(village_a)
    set_parameter(
        key="publicity.objection_phone", value="024-7788123", valid_from=dt.date(2016, 1, 1),
        source="县民政局通知", region_prefix=village_a.code[:6], kind="text",
    )  # fmt: skip
    benefit = case_amount(case, as_of=START).amount
    client.force_login(township)
    response = client.get(PUBLICITY, {"village": village_a.code, "on": "2019-10-03"})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"{village_a.name}农村最低生活保障拟保障对象名单公示" in body
    assert "公示期：2019年10月1日 至 2019年10月7日" in body
    assert "024-7788123" in body
    assert "东屏村村务公开栏" in body
    head = case.household.members.get(relation="head")
    assert head.name in body
    assert mask_id(head.id_no) in body
    for member in case.household.members.all():
        assert member.id_no not in body  # never a full ID number on a 公示
    assert benefit.total > 0
    assert f"{benefit.total:.2f}" in body
    assert 'id="print-button"' in body
    assert "@media print" in body


def test_publicity_list_outside_its_period_is_empty_and_phone_left_blank(client, village_a):
    _, township = _case_in_publicity(village_a)
    client.force_login(township)
    body = client.get(PUBLICITY, {"village": village_a.code, "on": "2019-11-01"}).content.decode()
    assert "该日期本村没有进行中的公示" in body
    assert '监督（异议）电话：<span class="blank"></span>' in body


def test_publicity_list_of_a_village_out_of_scope_is_refused(client, village_a, clerk_b):
    case, _ = _case_in_publicity(village_a)
    client.force_login(clerk_b)
    response = client.get(PUBLICITY, {"village": village_a.code, "on": "2019-10-03"})
    body = response.content.decode()
    assert response.status_code in (200, 404)
    assert case.household.members.get(relation="head").name not in body  # not a choice, not listed


def test_approval_form_shows_the_case_family_amounts_and_opinions_with_masked_ids(
    client, village_a, county_admin
):
    household = dibao_household(village=village_a, persons=3, income_per_person=1000)
    case = active_case(household=household, county_user=county_admin)
    client.force_login(county_admin)
    response = client.get(reverse("admin:assistance_dibaocase_print_approval", args=[case.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "农村最低生活保障审批表" in body
    for member in household.members.all():
        assert member.name in body
        assert mask_id(member.id_no) in body
        assert member.id_no not in body
    assert f"{case.monthly_amount:.2f} 元" in body
    assert "乡镇人民政府（街道办事处）审核意见" in body
    assert "县级人民政府民政部门审批意见" in body
    assert "2019-10-15 县审核确认" in body  # the county's note on its approval
    assert "村务公开栏公示，结果：期满无异议" in body
    assert 'id="print-button"' in body
    page = client.get(reverse("admin:assistance_dibaocase_change", args=[case.pk])).content.decode()
    assert reverse("admin:assistance_dibaocase_print_approval", args=[case.pk]) in page


def test_approval_form_out_of_scope_is_404(client, village_a, county_admin, clerk_b):
    case = active_case(household=dibao_household(village=village_a), county_user=county_admin)
    client.force_login(clerk_b)
    assert client.get(reverse("admin:assistance_dibaocase_print_approval", args=[case.pk])).status_code == 404

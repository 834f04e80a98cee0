"""Entry that fits a clerk (issue 17, item 6): the household form in tabs, 户编号 assigned on entry
(village code + sequence, race-safe), the member ID checked as typed without naming the right
digit, birth date and sex from the ID."""

import json
import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from households import numbering
from households.models import Household
from tests.factories import HouseholdFactory, valid_id
from tests.households.workflow.admin_forms import admin_form_data, set_row

ADD = reverse("admin:households_household_add")
ID_CHECK = reverse("households:id-check")


def _add(client, clerk, name="张大山"):
    client.force_login(clerk)
    form = client.get(ADD)
    data = admin_form_data(form)
    data.update(household_no="TYPED-BY-HAND", main_cause="illness")
    set_row(data, form, "member", 0, {"name": name, "id_no": valid_id(), "sex": "male", "relation": "head"})
    response = client.post(ADD, data, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    return Household.objects.filter(created_by=clerk).latest("id")


@pytest.mark.django_db
def test_household_form_is_in_tabs_with_every_fieldset_and_inline_in_one(client, clerk_a):
    client.force_login(clerk_a)
    body = client.get(ADD).content.decode()
    config = json.loads(re.search(r'id="entry-tabs-config"[^>]*>(.*?)</script>', body, re.S).group(1))
    labels = [tab["label"] for tab in config]
    assert labels[:5] == ["基本信息", "家庭成员", "收入", "住房与生产生活条件", "帮扶"]
    inlines = {prefix for tab in config for prefix in tab["inlines"]}
    for prefix in inlines:
        assert f'id="{prefix}-group"' in body
    fieldsets = re.findall(r'<fieldset class="module aligned([^"]*)"', body)
    main = [classes for classes in fieldsets if "tab-" in classes]
    assert len(main) >= 5
    assert {c.split("tab-")[1].split()[0] for c in main} >= {"basic", "living"}
    assert "households/entry.js" in body


@pytest.mark.django_db
def test_household_no_is_assigned_from_the_village_code_not_typed(client, clerk_a, village_a):
    HouseholdFactory(village=village_a, household_no="IMPORTED-17")  # an imported number is kept
    HouseholdFactory(village=village_a, household_no=f"{village_a.code}0007")
    client.force_login(clerk_a)
    assert "保存后自动分配（村代码＋4位顺序号）" in client.get(ADD).content.decode()
    first = _add(client, clerk_a)
    second = _add(client, clerk_a, name="李四")
    assert first.household_no == f"{village_a.code}0008"
    assert second.household_no == f"{village_a.code}0009"
    assert Household.objects.filter(household_no="IMPORTED-17").exists()


@pytest.mark.django_db
def test_household_no_taken_meanwhile_is_retried_with_the_next(monkeypatch, village_a, clerk_a):
    taken = HouseholdFactory(village=village_a, household_no=f"{village_a.code}0001")
    real = numbering.next_household_no
    answers = iter([taken.household_no])  # as if another clerk saved 0001 after we looked

    def stale_then_real(code):
        return next(answers, None) or real(code)

    monkeypatch.setattr(numbering, "next_household_no", stale_then_real)
    household = numbering.save_with_new_number(
        Household(village=village_a, main_cause="illness", created_by=clerk_a)
    )
    assert household.household_no == f"{village_a.code}0002"


@pytest.mark.django_db(transaction=True)
def test_two_clerks_saving_at_once_get_different_numbers(monkeypatch, village_a, clerk_a):
    real = numbering.next_household_no
    barrier = threading.Barrier(2, timeout=60)
    first_call = threading.local()

    def together(code):
        number = real(code)
        if not getattr(first_call, "done", False):  # both threads read the same highest number
            first_call.done = True
            barrier.wait()
        return number

    monkeypatch.setattr(numbering, "next_household_no", together)
    results, errors = [], []

    def enter():
        try:
            results.append(
                numbering.save_with_new_number(
                    Household(village=village_a, main_cause="illness", created_by=clerk_a)
                ).household_no
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enter) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == [f"{village_a.code}0001", f"{village_a.code}0002"]


@pytest.mark.django_db
def test_id_check_says_checksum_wrong_without_the_right_digit(client, clerk_a):
    client.force_login(clerk_a)
    good = valid_id()
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post(ID_CHECK, {"members-0-id_no": wrong})
    text = re.sub(r"<[^>]+>", "", response.content.decode())
    assert "校验码错误" in text
    assert good[17] not in text  # the right check digit is not revealed
    assert not re.search(r"[0-9X]", text)


@pytest.mark.django_db
def test_id_check_gives_birth_date_and_sex_from_the_id(client, clerk_a):
    import datetime as dt

    client.force_login(clerk_a)
    female = valid_id(dt.date(1985, 3, 9), male=False)
    body = client.post(ID_CHECK, {"members-2-id_no": female}).content.decode()
    assert 'data-sex="female"' in body
    assert 'data-birth="1985-03-09"' in body
    assert "出生日期 1985年3月9日，女" in body
    assert client.post(ID_CHECK, {"members-0-id_no": "12345"}).content.decode().count("18位") == 1


@pytest.mark.django_db
def test_id_check_is_post_only_and_for_staff(client, clerk_a):
    assert client.post(ID_CHECK, {"members-0-id_no": valid_id()}).status_code == 302  # to the login
    client.force_login(clerk_a)
    assert client.get(ID_CHECK, {"members-0-id_no": valid_id()}).status_code == 405


@pytest.mark.django_db
def test_member_id_input_posts_to_the_check_as_typed(client, clerk_a):
    client.force_login(clerk_a)
    body = client.get(ADD).content.decode()
    assert f'hx-post="{ID_CHECK}"' in body
    assert 'name="members-0-id_no"' in body
    assert "django_htmx/htmx-2.min.js" in body


@pytest.mark.django_db
def test_id_check_answers_for_the_row_being_typed(client, clerk_a):
    import datetime as dt

    client.force_login(clerk_a)
    data = {
        "members-0-id_no": valid_id(male=True),
        "members-1-id_no": valid_id(dt.date(1990, 5, 6), male=False),
    }
    body = client.post(ID_CHECK, data, headers={"HX-Trigger-Name": "members-1-id_no"}).content.decode()
    assert 'data-birth="1990-05-06"' in body
    assert 'data-sex="female"' in body

"""疑似同一人 (issue 28): ID numbers a typing slip apart with names alike, or the same name and birth
date, in two active households; one 疑点 a pair; 不是同一人 is never raised again; the city checks its
counties together."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.idcard import check_digit, make_id
from reports.crosscheck import services
from reports.crosscheck.choices import Answer, HitStatus, Rule, RunTrigger
from reports.crosscheck.models import Hit
from tests.factories import HouseholdFactory, MemberFactory, region_chain, user_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2019, 12, 5)
BORN = dt.date(1975, 3, 14)


def nightly(village):
    return services.run_checks(county=village.parent.parent, as_of=TODAY, trigger=RunTrigger.NIGHTLY)


def person(village, name, id_no, **kwargs):
    """A member stored as a bulk load would (a mistyped check character is not refused there)."""
    kwargs.setdefault("birth_date", BORN)
    return MemberFactory(household=HouseholdFactory(village=village), name=name, id_no=id_no, **kwargs)


def pair_hits():
    return Hit.objects.filter(rule=Rule.LIKELY_DUPLICATE)


def test_scenario_64_swapped_digits_same_name_one_hit_and_not_raised_again_when_not_same(
    village_a, village_b, clerk_b, township_reviewer_a
):
    first = make_id("211223", BORN, 23, male=True)  # …1234-like: the last two characters swapped below
    swapped = first[:16] + first[17] + first[16]
    assert swapped != first
    older = person(village_a, "王建国", first)
    newer = person(village_b, "王建国", swapped)
    run = nightly(village_a)
    hit = pair_hits().get()
    assert run.timings[Rule.LIKELY_DUPLICATE] >= 0
    assert (hit.member_id, hit.other_member_id) == (newer.pk, older.pk)
    assert (hit.household_id, hit.other_household_id) == (newer.household_id, older.household_id)
    assert hit.village_id == village_b.code  # the newer record's village answers
    assert "第17、18位互换" in hit.reason
    assert "姓名相同" in hit.reason
    assert first not in hit.reason
    assert swapped not in hit.reason
    assert first[:6] + "********" + first[-4:] in hit.reason  # both records, masked

    with pytest.raises(ValidationError):  # a pair is answered 不是同一人 or 同一人
        services.answer_hit(hit=hit, user=clerk_b, answer=Answer.VERIFIED_OK, reason="核实无误")
    services.answer_hit(hit=hit, user=clerk_b, answer=Answer.NOT_SAME_PERSON, reason="两人为同名堂兄弟")
    township_b = user_for(village_b.parent)
    services.confirm_hit(hit=hit, user=township_b)
    assert Hit.objects.get(pk=hit.pk).status == HitStatus.CLOSED

    again = nightly(village_a)
    assert pair_hits().count() == 1
    assert again.hits_found == 0


def test_one_digit_apart_with_check_recomputed_and_a_homophone_name(village_a, village_b):
    body = make_id("211223", BORN, 40, male=False)[:17]
    other = body[:13] + "9" + body[14:]  # a slip in the birth date's day: 14 → 19
    other += check_digit(other)
    person(village_a, "李娜", body + check_digit(body), sex="female")
    person(village_b, "李纳", other, sex="female", birth_date=dt.date(1975, 3, 19))
    nightly(village_a)
    hit = pair_hits().get()
    assert "第14位不同，校验码随之不同" in hit.reason
    assert "姓名读音相同" in hit.reason


def test_same_name_and_birth_date_whatever_the_numbers(village_a, village_b):
    person(village_a, "赵卫东", make_id("211223", BORN, 11, male=True))
    person(village_b, "赵卫东", make_id("211224", BORN, 57, male=True))
    nightly(village_a)
    hit = pair_hits().get()
    assert "出生日期相同" in hit.reason


def test_not_raised_for_strangers_twins_or_left_members(village_a, village_b):
    born_same_day = [make_id("211223", BORN, n, male=True) for n in (20, 21)]  # one digit apart
    person(village_a, "钱一", born_same_day[0])
    person(village_b, "孙二", born_same_day[1])  # other name: strangers born the same day
    twins = HouseholdFactory(village=village_a)
    for n, relation in ((30, "head"), (31, "son")):
        MemberFactory(
            household=twins, name="周甲", id_no=make_id("211223", BORN, n, male=True), relation=relation
        )
    left = make_id("211223", BORN, 50, male=True)
    person(village_a, "吴三", left)
    person(
        village_b, "吴三", left[:16] + left[17] + left[16], member_status="moved_out",
        status_date=dt.date(2019, 1, 1),
    )  # fmt: skip
    nightly(village_a)
    assert not pair_hits().exists()


def test_same_person_is_answered_with_the_correction_on_either_record(village_a, village_b, clerk_b):
    from households.workflow.models import ChangeRequest

    first = make_id("211223", BORN, 61, male=True)
    older = person(village_a, "郑和", first)
    person(village_b, "郑和", first[:16] + first[17] + first[16])
    nightly(village_a)
    hit = pair_hits().get()
    with pytest.raises(ValidationError, match="同一人须关联"):
        services.answer_hit(hit=hit, user=clerk_b, answer=Answer.SAME_PERSON, reason="重复登记")
    change = ChangeRequest.objects.create(household=older.household, created_by=clerk_b, note="迁出重复登记")
    services.answer_hit(
        hit=hit, user=clerk_b, answer=Answer.SAME_PERSON, reason="重复登记", change_request=change
    )
    assert Hit.objects.get(pk=hit.pk).answer == Answer.SAME_PERSON


def test_the_city_finds_the_same_person_in_two_counties(village_a):
    other_county = region_chain("211224100001", ("辽宁省", "铁岭市", "昌图县", "某镇", "丁村"))
    first = make_id("211223", BORN, 72, male=True)
    person(village_a, "冯七", first)
    person(other_county, "冯七", first[:16] + first[17] + first[16])
    nightly(village_a)
    nightly(other_county)
    assert not pair_hits().exists()  # each county sees one side only
    run = services.run_duplicate_check(region=village_a.parent.parent.parent, as_of=TODAY)
    assert run.hits_found == 1
    assert pair_hits().get().village_id == other_county.code
    assert services.run_duplicate_check(region=village_a.parent.parent.parent, as_of=TODAY).hits_found == 0

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from households.choices import MemberStatus, Relation
from households.income import IncomeComponents, dibao_basis_annual, poverty_basis_per_capita
from households.models import Member
from households.validators import check_causes
from tests.factories import HouseholdFactory, MemberFactory, valid_id

pytestmark = pytest.mark.django_db


def test_scenario_05_pension_age_reached_on_sixtieth_birthday():
    member = MemberFactory(id_no=valid_id(dt.date(1959, 6, 30)))
    assert member.birth_date == dt.date(1959, 6, 30)
    assert member.age_on(dt.date(2019, 6, 30)) == 60
    assert member.age_on(dt.date(2019, 6, 29)) == 59


@pytest.mark.parametrize(("main", "others"), [([], []), (["illness", "disability"], [])])
def test_scenario_06_main_cause_must_be_exactly_one(main, others):
    with pytest.raises(ValidationError) as exc:
        check_causes(main, others)
    assert "主要致贫原因必须且只能选择一项" in exc.value.message_dict["main_cause"][0]


def test_scenario_06_three_other_causes_are_rejected():
    with pytest.raises(ValidationError) as exc:
        check_causes(["illness"], ["disability", "schooling", "disaster"])
    assert "最多选择两项" in exc.value.message_dict["other_causes"][0]
    check_causes(["illness"], ["disability", "schooling"])  # two are fine


def test_scenario_06_database_refuses_three_other_causes():
    household = HouseholdFactory()
    household.other_causes = ["disability", "schooling", "disaster"]
    with pytest.raises(IntegrityError), transaction.atomic():
        household.save()


def test_same_id_cannot_be_active_in_two_households():
    id_no = valid_id()
    MemberFactory(id_no=id_no)
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(id_no=id_no)


def test_member_who_left_frees_the_id_for_a_new_household():
    id_no = valid_id()
    first = MemberFactory(id_no=id_no)
    first.member_status = MemberStatus.MOVED_OUT
    first.status_date = dt.date(2020, 1, 1)
    first.save()
    MemberFactory(id_no=id_no)
    assert Member.objects.filter(id_no=id_no).count() == 2


def test_leaving_member_needs_a_date():
    member = MemberFactory()
    member.member_status = MemberStatus.DECEASED
    with pytest.raises(ValidationError) as exc:
        member.full_clean()
    assert "变动日期" in exc.value.message_dict["status_date"][0]


def test_member_clean_fills_birth_date_and_checks_sex():
    household = HouseholdFactory()
    member = Member(household=household, name="李四", id_no="11010519491231002X", sex="male", relation="head")
    with pytest.raises(ValidationError) as exc:
        member.full_clean()
    assert "sex" in exc.value.message_dict
    member.sex = "female"
    member.full_clean()
    assert member.birth_date == dt.date(1949, 12, 31)


def test_one_active_head_per_household():
    household = HouseholdFactory()
    MemberFactory(household=household, relation=Relation.HEAD)
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(household=household, relation=Relation.HEAD)


def test_household_number_unique_within_county_only(village_a, village_b):
    HouseholdFactory(household_no="X1", village=village_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdFactory(household_no="X1", village=village_b)  # same county 211223


def test_scenario_11_two_income_bases_differ_by_dibao_paid():
    # 3 persons, dibao-basis income 6000; 5628 of 低保金 paid in the year.
    before = IncomeComponents(wage=Decimal("6000"))
    after = IncomeComponents(wage=Decimal("6000"), transfer_dibao=Decimal("5628"))
    assert dibao_basis_annual(after) == dibao_basis_annual(before) == Decimal("6000")
    rise = poverty_basis_per_capita(after, 3) * 3 - poverty_basis_per_capita(before, 3) * 3
    assert rise == Decimal("5628.00")

"""The internal rules, the severity of list hits, holds, and the answer chain's refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.models import PaymentHold
from assistance.services import rolls
from households.models import Member
from programs.models import Parameter
from reports.crosscheck import services
from reports.crosscheck.choices import Answer, HitStatus, ListKind, Rule, RunTrigger, Severity
from reports.crosscheck.models import Hit
from reports.crosscheck.selectors import counts_by_county, open_hits_for
from tests.assistance.factories import active_case, dibao_household
from tests.factories import HouseholdFactory, IncomeYearFactory, MemberFactory, valid_id
from tests.reports.helpers import gbk_csv

pytestmark = pytest.mark.django_db

TODAY = dt.date(2019, 12, 5)


def nightly(village):
    return services.run_checks(county=village.parent.parent, as_of=TODAY, trigger=RunTrigger.NIGHTLY)


def listed(user, village, people, kind=ListKind.DEATH):
    batch = services.upload_list(
        user=user, data=gbk_csv(people), filename="名单.csv", kind=kind,
        cutoff_date=dt.date(2019, 11, 30), source_agency="县公安局", today=TODAY,
    )  # fmt: skip
    return services.run_checks(
        county=village.parent.parent, as_of=TODAY, batch=batch, trigger=RunTrigger.UPLOAD
    )


def test_id_birth_date_and_sex_against_the_record(village_a):
    household = HouseholdFactory(village=village_a, review_state="verified")
    number = valid_id(dt.date(1980, 5, 1), male=True)
    wrong = MemberFactory(household=household, id_no=number, sex="female", birth_date=dt.date(1980, 5, 2))
    MemberFactory(household=household, relation="son")  # consistent
    nightly(village_a)
    hit = Hit.objects.get(rule=Rule.ID_MISMATCH)
    assert hit.member_id == wrong.pk
    assert "19800501" in hit.reason
    assert "19800502" in hit.reason
    assert "性别为男" in hit.reason


def test_pupil_age_outside_the_stage(village_a):
    household = HouseholdFactory(village=village_a)
    MemberFactory(household=household, id_no=valid_id(dt.date(1990, 1, 1)), school_status="primary")
    MemberFactory(
        household=household, relation="son", id_no=valid_id(dt.date(2010, 1, 1)), school_status="primary"
    )
    nightly(village_a)
    hit = Hit.objects.get(rule=Rule.SCHOOL_AGE)
    assert "小学" in hit.reason
    assert "29 周岁" in hit.reason


def test_dead_member_still_covered_by_a_single_person_case(village_a, county_admin):
    household = dibao_household(village=village_a, persons=2)
    covered = household.members.order_by("id")[1]
    case = active_case(
        household=household, county_user=county_admin, case_type="single", covered_members=[covered]
    )
    Member.objects.filter(pk=covered.pk).update(member_status="deceased", status_date=dt.date(2019, 11, 3))
    run = nightly(village_a)
    hit = Hit.objects.get(rule=Rule.DECEASED_COVERED)
    assert (hit.severity, hit.on_payee, hit.member_id) == (Severity.HIGH, True, covered.pk)
    assert run.holds_placed == 1
    assert PaymentHold.objects.get().household_id == case.household_id


def test_dibao_attribute_without_a_case_and_implausible_income(village_a):
    household = HouseholdFactory(village=village_a, review_state="verified", attribute="dibao")
    MemberFactory(household=household)
    IncomeYearFactory(household=household, wage=Decimal("900000"))
    nightly(village_a)
    assert set(Hit.objects.values_list("rule", flat=True)) == {Rule.DIBAO_REGISTRY, Rule.INCOME_IMPLAUSIBLE}


def test_vehicle_list_is_medium_on_an_unpaid_household_and_low_when_the_kind_does_not_exclude(
    village_a, county_admin
):
    household = dibao_household(village=village_a, persons=1)
    member = household.members.get()
    listed(county_admin, village_a, [(member.name, member.id_no, "", "川A12345")], kind=ListKind.VEHICLE)
    assert Hit.objects.get().severity == Severity.MEDIUM
    listed(county_admin, village_a, [(member.name, member.id_no, "", "")], kind=ListKind.PENSION)
    assert Hit.objects.get(batch__kind=ListKind.PENSION).severity == Severity.LOW


def test_a_county_that_does_not_hold_gets_the_hit_without_a_hold(village_a, county_admin):
    Parameter.objects.create(
        key="crosscheck.hold_high_severity", region_prefix=village_a.code[:6], kind="boolean", value="false",
        valid_from=dt.date(2019, 1, 1), source="县民政局文件",
    )  # fmt: skip
    household = dibao_household(village=village_a, persons=2)
    active_case(household=household, county_user=county_admin)
    dead = household.members.order_by("id")[1]
    run = listed(county_admin, village_a, [(dead.name, dead.id_no, "2019-11-20", "")])
    assert run.hits_found == 1
    assert run.holds_placed == 0
    assert Hit.objects.get().severity == Severity.HIGH
    roll = rolls.generate_roll(county=village_a.parent.parent, month=dt.date(2019, 12, 1))
    assert not roll.lines.get().held


def test_death_after_the_roll_month_is_not_high(village_a, county_admin):
    household = dibao_household(village=village_a, persons=2)
    active_case(household=household, county_user=county_admin)
    member = household.members.order_by("id")[1]
    listed(county_admin, village_a, [(member.name, member.id_no, "2020-02-01", "")])
    assert Hit.objects.get().severity == Severity.MEDIUM


def test_chain_refusals_and_return(village_a, clerk_a, township_reviewer_a, county_admin):
    household = dibao_household(village=village_a, persons=1)
    member = household.members.get()
    listed(county_admin, village_a, [(member.name, member.id_no, "", "")], kind=ListKind.BUSINESS)
    hit = Hit.objects.get()
    with pytest.raises(PermissionDenied):
        services.answer_hit(hit=hit, user=township_reviewer_a, answer=Answer.CORRECTED, reason="x")
    with pytest.raises(ValidationError, match="变更申请或停保"):
        services.answer_hit(hit=hit, user=clerk_a, answer=Answer.CORRECTED, reason="已注销")
    with pytest.raises(ValidationError, match="不能确认"):
        services.confirm_hit(hit=hit, user=township_reviewer_a)
    assert list(open_hits_for(clerk_a)) == [hit]
    assert not open_hits_for(township_reviewer_a).exists()
    from django.core.files.uploadedfile import SimpleUploadedFile

    proof = SimpleUploadedFile("注销证明.jpg", b"\xff\xd8proof")
    services.answer_hit(
        hit=hit, user=clerk_a, answer=Answer.VERIFIED_OK, reason="企业已注销", attachment=proof
    )
    assert list(open_hits_for(township_reviewer_a)) == [hit]
    with pytest.raises(PermissionDenied):
        services.confirm_hit(hit=hit, user=county_admin)
    services.return_hit(hit=hit, user=township_reviewer_a, reason="材料不清晰")
    hit.refresh_from_db()
    assert (hit.status, hit.return_reason) == (HitStatus.OPEN, "材料不清晰")
    [row] = counts_by_county(county_admin)
    assert (row["open"], row["total"]) == (1, 1)


@pytest.mark.parametrize("n", [1, 6])
def test_crosscheck_ledger_lists_hits_in_scope_masked_for_the_village_in_a_fixed_number_of_queries(
    village_a, village_b, clerk_a, county_admin, n, django_assert_num_queries, tmp_path
):
    import openpyxl

    from reports.exporting import export_context, write_workbook
    from reports.ledgers import CROSSCHECK

    people = []
    for village in (village_a, village_b):
        for _ in range(n):
            member = dibao_household(village=village, persons=1).members.get()
            people.append((member.name, member.id_no, "", "县编办"))
    listed(county_admin, village_a, people, kind=ListKind.PUBLIC_PAYROLL)
    ctx = export_context(user=clerk_a)
    clerk_a.has_perm("households.view_full_identity")  # the permission cache first
    with django_assert_num_queries(3):  # region names (2) and the hits
        counts = write_workbook(str(tmp_path / "c.xlsx"), key=CROSSCHECK.key, ctx=ctx)
    assert counts["比对疑点台账"] == n
    rows = list(openpyxl.load_workbook(tmp_path / "c.xlsx")["比对疑点台账"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "序号")
    first = dict(zip(rows[header], rows[header + 1], strict=False))
    assert first["比对规则"] == "外部名单比中"
    assert first["比对名单"] == "财政供养"
    assert first["风险等级"] == "中"
    assert first["办理状态"] == "待核实"
    assert "*" in first["身份证号"]


def test_workbench_todo_shows_the_hits_each_level_acts_on(
    village_a, clerk_a, township_reviewer_a, county_admin, city_supervisor
):
    from reports import todo

    household = dibao_household(village=village_a, persons=1)
    member = household.members.get()
    listed(county_admin, village_a, [(member.name, member.id_no, "", "")], kind=ListKind.PUBLIC_PAYROLL)
    item = next(i for i in todo.items_for(clerk_a, TODAY) if i.key == "crosscheck")
    assert (item.title, item.count) == ("信息比对疑点待核实", 1)
    assert household.household_no in item.rows[0].text
    assert not [i for i in todo.items_for(township_reviewer_a, TODAY) if i.key == "crosscheck"]
    assert next(i for i in todo.items_for(county_admin, TODAY) if i.key == "crosscheck").count == 1
    assert not [i for i in todo.items_for(city_supervisor, TODAY) if i.key == "crosscheck"]

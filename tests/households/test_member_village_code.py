"""Member.village_code (issue 28): the household's village copied onto each member, so members are
scoped and searched by indexes of their own. It must stay current on every write path: a member
saved or moved to another household, a household moved to another village (by save() or by a
queryset update), the Excel import's COPY, a re-survey's change request, the synthetic generator's
COPY (triggers off there), the demo's bulk_create and the backfill migration."""

import datetime as dt
import importlib
import io

import pgtrigger
import pytest
from django.core.management import call_command
from django.db import connection

from core.choices import ReviewState
from core.idcard import make_id
from households.choices import Relation
from households.excel.services import confirm_batch, preview_upload
from households.models import Household, Member
from households.search import search
from households.workflow.models import ChangeRequest
from households.workflow.services import apply_change_request, open_change_request
from tests.excel.helpers import member_row, workbook_bytes
from tests.factories import HouseholdFactory, MemberFactory, region_chain

pytestmark = pytest.mark.django_db


def codes(**filters) -> set[tuple[str, str]]:
    """(member's village code, household's village) of the members matched: equal pairs when current."""
    return set(Member.objects.filter(**filters).values_list("village_code", "household__village_id"))


def assert_current(**filters) -> None:
    pairs = codes(**filters)
    assert pairs, "no members matched"
    assert all(own == household for own, household in pairs), pairs


def test_a_saved_member_takes_its_households_village_and_follows_a_move(village_a, village_b):
    member = MemberFactory(household=HouseholdFactory(village=village_a), name="王建国")
    member.refresh_from_db()
    assert member.village_code == village_a.code

    member.household = HouseholdFactory(village=village_b)
    member.save()
    member.refresh_from_db()
    assert member.village_code == village_b.code

    # A value written by hand never sticks: the database takes the household's.
    Member.objects.filter(pk=member.pk).update(village_code=village_a.code)
    member.refresh_from_db()
    assert member.village_code == village_b.code


def test_a_household_moved_to_another_village_takes_its_members_along(village_a, village_b, clerk_a, clerk_b):
    household = HouseholdFactory(village=village_a)
    MemberFactory(household=household, name="李四", relation=Relation.HEAD)
    MemberFactory(household=household, name="李小四", relation=Relation.SON)
    household.village = village_b
    household.save()
    assert codes(household=household) == {(village_b.code, village_b.code)}
    assert search("李四", clerk_a) == []
    assert [r.title for g in search("李四", clerk_b) if g.kind == "member" for r in g.results] == ["李四"]

    # A bulk update of households (no save()) too.
    Household.objects.filter(pk=household.pk).update(village=village_a)
    assert codes(household=household) == {(village_a.code, village_a.code)}


def test_bulk_created_members_get_the_code(village_a):
    household = HouseholdFactory(village=village_a)
    Member.objects.bulk_create(
        [
            Member(
                household=household,
                name="赵六",
                id_no=make_id("211223", dt.date(1970, 1, 1), n, male=True),
                sex="male",
                birth_date=dt.date(1970, 1, 1),
                relation=Relation.OTHER,
            )
            for n in (1, 2)
        ]
    )
    assert_current(household=household)


def test_excel_import_copy_sets_the_code(clerk_a, village_a):
    head = make_id("211223", dt.date(1980, 1, 1), 1, male=True)
    rows = [member_row(village_a.code, "A001", "张三丰", head, "户主")]
    preview = preview_upload(data=workbook_bytes(rows), filename="甲村.xlsx", user=clerk_a)
    confirm_batch(batch=preview.batch, user=clerk_a)
    assert codes(id_no=head) == {(village_a.code, village_a.code)}


def test_resurvey_change_request_adding_a_member_sets_the_code(village_a, clerk_a, county_admin):
    household = HouseholdFactory(village=village_a, review_state=ReviewState.VERIFIED)
    MemberFactory(household=household, name="赵四", relation=Relation.HEAD)
    new_id = make_id("211223", dt.date(2010, 5, 1), 3, male=False)
    change = open_change_request(
        household=household,
        user=clerk_a,
        changes={
            "members": [
                {
                    "id": None,
                    "name": "赵小花",
                    "id_no": new_id,
                    "sex": "female",
                    "relation": Relation.DAUGHTER,
                }
            ]
        },
    )
    apply_change_request(record=ChangeRequest.objects.get(pk=change.pk), user=county_admin)
    assert codes(id_no=new_id) == {(village_a.code, village_a.code)}


def test_synthetic_generator_copy_sets_the_code_with_triggers_off():
    from devdata.synthetic import generate

    generate(households=30, seed=2, county="219907")
    assert_current(household__village__code__startswith="219907")
    assert (
        Member.objects.filter(village_code__startswith="219907").count()
        == Member.objects.filter(household__village__code__startswith="219907").count()
    )


def test_demo_members_get_the_code():
    call_command("load_demo", "--households", "6", stdout=io.StringIO())
    assert_current()


def test_backfill_migration_fills_rows_written_without_the_code(village_a):
    member = MemberFactory(household=HouseholdFactory(village=village_a), name="孙悟空")
    with pgtrigger.ignore("households.Member:member_village_code"):
        Member.objects.filter(pk=member.pk).update(village_code="")
    member.refresh_from_db()
    assert member.village_code == ""
    fill = importlib.import_module("households.migrations.0021_fill_member_village_code").fill

    class Editor:
        connection = connection

    fill(None, Editor())
    member.refresh_from_db()
    assert member.village_code == village_a.code


def test_scope_of_members_is_their_own_code(village_a, clerk_a, township_reviewer_a):
    """scoped() reads a member's own column: no join to the household for the scope."""
    from core.scoping import scoped

    other = region_chain("211223101002", ("辽宁省", "铁岭市", "西丰县", "平岗镇", "乙村"))
    mine = MemberFactory(household=HouseholdFactory(village=village_a))
    MemberFactory(household=HouseholdFactory(village=other))
    query = scoped(Member.objects.all(), clerk_a)
    assert list(query) == [mine]
    assert "households_household" not in str(query.query)
    assert list(scoped(Member.objects.all(), township_reviewer_a)) == [mine]

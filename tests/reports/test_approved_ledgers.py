"""The ledgers hold the approved register (scenario 34), work in progress has its own sheet
(待审核户清单), empty sheets say why, and every sheet is set up to print, sign and stamp."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from assistance.models import PhaseOut
from assistance.services import rolls
from core.choices import ReviewState
from core.workflow import services as chain
from households.models import Household
from households.workflow import services as workflow
from programs.services import evaluate_household
from reports.exporting import export_context, start_export, write_workbook
from reports.ledgers import COUNTY_WORKBOOK, COUNTY_WORKBOOK_KEY, PENDING_REVIEW
from tests.assistance.factories import active_case, dibao_household, disability_subsidy, tekun_case
from tests.assistance.monitoring.helpers import episode
from tests.factories import (
    HelperAssignmentFactory,
    IncomeYearFactory,
    MemberFactory,
    household_with_members,
    valid_id,
)
from tests.reports.test_ledgers import data_rows

pytestmark = pytest.mark.django_db
MONTH = dt.date(2019, 11, 1)
NOW = dt.datetime(2020, 1, 6, 9, 30, tzinfo=dt.UTC)


def stored(village, **kwargs):
    """A household with members, an income year and a helper."""
    household = household_with_members(3, village=village, **kwargs)
    IncomeYearFactory(household=household)
    HelperAssignmentFactory(household=household, helper__county=village.parent.parent)
    return household


def workbook_cells(user, tmp_path, name) -> dict[str, list[tuple]]:
    """Every cell of every sheet of the county workbook, at a fixed export time."""
    ctx = export_context(user=user)
    ctx.now = NOW
    path = tmp_path / f"{name}.xlsx"
    write_workbook(str(path), key=COUNTY_WORKBOOK_KEY, ctx=ctx)
    book = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


@pytest.fixture
def register(village_a, village_b, county_admin):
    """A county with data on every sheet: registry, incomes, helpers, a D-level house, a flagged
    household, students and patients with stored decisions, a paid 低保 roll, 特困 and 两项补贴."""
    a = [stored(village_a, review_state=ReviewState.VERIFIED) for _ in range(2)]
    b = stored(village_b, review_state=ReviewState.VERIFIED, danger_level="D")
    MemberFactory(household=a[0], relation="son", name="学生甲", school_status="grade_8", boarding=True)
    MemberFactory(household=a[1], relation="son", name="病人甲", health="chronic")
    episode(b)
    poor = dibao_household(village=village_a, disability_grades=(1,))
    case = active_case(household=poor, county_user=county_admin)
    PhaseOut.objects.create(
        case=case, trigger="other", proposed_on=MONTH, proposed_income=4000, base_amount=100
    )
    rolls.generate_roll(county=village_a.parent.parent, month=MONTH)
    tekun_case(member=a[1].members.first())
    for household in Household.objects.all():
        evaluate_household(household=household, as_of=dt.date(2021, 6, 30))
    return {"a": a, "b": b, "poor": poor}


def test_scenario_34_draft_household_and_pending_change_never_change_a_ledger_cell_or_total(
    register, village_a, county_admin, clerk_a, township_reviewer_a, tmp_path
):
    before = workbook_cells(county_admin, tmp_path, "before")
    for sheet, rows in before.items():  # every sheet has rows to compare, none is empty
        assert not any(str(row[0]).startswith("本期无数据") for row in rows), sheet

    # A draft household that would show on every registry sheet: members, a student, a patient,
    # an income, a helper, a D-level house, a 监测 flag, and decisions stored from its entries.
    draft = stored(village_a, danger_level="D", monitoring_state="at_risk", created_by=clerk_a)
    episode(draft)  # a 纳入监测 record of a household not in the register: not a ledger row
    MemberFactory(household=draft, relation="daughter", sex="female", name="学生乙", school_status="grade_3")
    MemberFactory(household=draft, relation="son", name="病人乙", health="serious")
    evaluate_household(household=draft, as_of=dt.date(2021, 6, 30), approved_only=False)
    tekun_case(member=draft.members.first())
    disability_subsidy(member=draft.members.first())
    # A second household submitted and approved by the township: still in review (待县核查).
    in_review = stored(village_a, created_by=clerk_a)
    chain.submit(record=in_review, user=clerk_a)
    chain.approve(record=in_review, user=township_reviewer_a)

    # A pending change request to a stored household: every kind of row changes.
    household = register["a"][0]
    member = household.members.order_by("id").first()
    income = household.incomes.get()
    changes = {
        "household": {"phone": "13911112222", "danger_level": "D", "main_cause": "disability"},
        "members": [
            {"id": member.pk, "health": "serious", "name": "改名"},
            {
                "id": None,
                "name": "新生儿",
                "id_no": valid_id(dt.date(2019, 3, 1)),
                "sex": "male",
                "relation": "grandchild",
            },
        ],  # fmt: skip
        "incomes": [{"id": income.pk, "wage": Decimal("99999.00")}],
    }
    change = workflow.open_change_request(household=household, user=clerk_a, changes=changes)
    chain.approve(record=change, user=township_reviewer_a)  # 待县核查: pending at the county

    after = workbook_cells(county_admin, tmp_path, "after")
    assert after.keys() == before.keys() == {ledger.sheet_name for ledger in COUNTY_WORKBOOK}
    for sheet, rows in before.items():
        assert after[sheet] == rows, sheet

    # The comparison can see a change: once the county approves the request, the roster moves.
    chain.approve(record=change, user=county_admin)
    approved = workbook_cells(county_admin, tmp_path, "approved")
    assert approved["建档立卡户花名册"] != before["建档立卡户花名册"]
    assert len(approved["人口明细"]) == len(before["人口明细"]) + 1


def test_pending_review_sheet_lists_work_in_progress_with_state_and_holder(
    village_a, village_b, county_admin, clerk_a, township_reviewer_a, city_supervisor
):
    draft = household_with_members(2, village=village_a, created_by=clerk_a)
    returned = household_with_members(2, village=village_a, created_by=clerk_a)
    chain.submit(record=returned, user=clerk_a)
    chain.return_to_lower(record=returned, user=township_reviewer_a, reason="缺少收入证明")
    reopened = household_with_members(2, village=village_a, created_by=clerk_a)
    chain.submit(record=reopened, user=clerk_a)
    chain.approve(record=reopened, user=township_reviewer_a)
    chain.approve(record=reopened, user=county_admin)
    chain.city_objection(record=reopened, user=city_supervisor, reason="抽查发现收入不实")
    verified = household_with_members(2, village=village_a, review_state=ReviewState.VERIFIED)
    IncomeYearFactory(household=verified)
    workflow.open_change_request(
        household=verified, user=clerk_a, changes={"household": {"phone": "13911112222"}}, note="换号"
    )
    household_with_members(2, village=village_b, review_state=ReviewState.VERIFIED)  # in the register

    outcome = start_export(user=county_admin, key=PENDING_REVIEW.key)
    with open(outcome.path, "rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read()))["待审核户清单"]
    assert "不计入台账" in sheet["A1"].value
    rows = {row[3]: row for row in data_rows(sheet)}
    assert set(rows) == {
        draft.household_no,
        returned.household_no,
        reopened.household_no,
        verified.household_no,
    }
    assert rows[draft.household_no][6:9] == ("新户录入", "草稿", "甲村（村）")
    assert rows[returned.household_no][6:9] == ("新户录入", "村修正", "甲村（村）")
    assert rows[returned.household_no][10] == "退回"
    assert rows[reopened.household_no][6:9] == ("市抽查异议复核", "待县核查", "西丰县（县核查）")
    assert rows[reopened.household_no][10] == "市抽查异议"
    change = rows[verified.household_no]
    assert change[6:9] == ("变更申请", "待镇审核", "西丰镇（镇审核）")
    assert change[13] == "户信息：联系电话（换号）"
    assert change[5] == 2  # the approved household's own columns

    # The township sees its own township only; the city exports summaries only.
    outcome = start_export(user=township_reviewer_a, key=PENDING_REVIEW.key)
    with open(outcome.path, "rb") as handle:
        township_rows = data_rows(openpyxl.load_workbook(io.BytesIO(handle.read()))["待审核户清单"])
    assert {row[2] for row in township_rows} == {"甲村"}
    with pytest.raises(PermissionDenied):
        start_export(user=city_supervisor, key=PENDING_REVIEW.key)


def test_empty_sheets_say_why_instead_of_a_lone_total(village_a, county_admin, clerk_a, tmp_path):
    household_with_members(2, village=village_a, created_by=clerk_a)  # a draft only: nothing approved
    cells = workbook_cells(county_admin, tmp_path, "empty")
    for ledger in COUNTY_WORKBOOK:
        if ledger.sheet_name == "村级汇总":
            continue  # the village is listed with zero households
        rows = [r for r in cells[ledger.sheet_name][2:] if any(v not in (None, "") for v in r)]
        assert rows[0][0].startswith("本期无数据："), ledger.sheet_name
        assert len(rows[0][0]) > len("本期无数据："), ledger.sheet_name
        assert not any(r[0] == "合计" for r in rows), ledger.sheet_name
    roster = cells["建档立卡户花名册"][2][0]
    assert roster == "本期无数据：所选区划没有已入库的建档立卡户（草稿和审核中的户见待审核户清单）"


def test_every_sheet_prints_landscape_one_page_wide_with_titles_page_numbers_and_signatures(
    register, county_admin, tmp_path
):
    ctx = export_context(user=county_admin)
    path = tmp_path / "print.xlsx"
    write_workbook(str(path), key=COUNTY_WORKBOOK_KEY, ctx=ctx)
    book = openpyxl.load_workbook(path)
    papers = {}
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # One page wide (fitToWidth left out means 1 in the file format), as many pages tall as needed.
        assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.print_title_rows == "$1:$2", sheet.title
        assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页", sheet.title
        papers[sheet.title] = int(setup.paperSize)
        last = [r for r in sheet.iter_rows(values_only=True) if any(v not in (None, "") for v in r)][-1]
        assert [v for v in last if v] == [
            "制表人：",
            "审核人：",
            "单位（盖章）：",
            "日期：      年    月    日",
        ]
    assert papers["建档立卡户花名册"] == papers["人口明细"] == papers["收入测算表"] == 8  # A3
    assert papers["村级汇总"] == papers["特困供养台账"] == 9  # A4


@pytest.mark.parametrize("n", [2, 12])
def test_pending_review_sheet_queries_do_not_grow(
    village_a, county_admin, clerk_a, n, django_assert_num_queries, tmp_path
):
    for _ in range(n):
        household_with_members(2, village=village_a, created_by=clerk_a)
        verified = household_with_members(2, village=village_a, review_state=ReviewState.VERIFIED)
        workflow.open_change_request(
            household=verified, user=clerk_a, changes={"household": {"phone": "13911112222"}}
        )
    ctx = export_context(user=county_admin)
    county_admin.has_perm("households.view_full_identity")  # load the permission cache first
    # region names (2), the households, the change requests and their items (one prefetch per chunk)
    with django_assert_num_queries(5):
        counts = write_workbook(str(tmp_path / "p.xlsx"), key=PENDING_REVIEW.key, ctx=ctx)
    assert counts["待审核户清单"] == 2 * n

"""The demo county has life in it: after load_demo every county ledger sheet and every money page has
rows, 低保 cases stand in every state, and a second run adds nothing (idempotent)."""

import io

import openpyxl
import pytest
from django.core.management import call_command

from assistance.choices import (
    LOCKED_ROLL_STATUSES,
    CaseStatus,
    LineKind,
    LineResult,
    PhaseOutStatus,
    RollStatus,
)
from assistance.models import DibaoCase, PaymentFailure, PaymentLine, PaymentRoll, PhaseOut
from core.models import User
from core.workflow.models import Publicity, PublicityObjection
from households.models import Household
from households.workflow.models import ChangeRequest
from reports.exporting import export_context, write_workbook
from reports.ledgers import COUNTY_WORKBOOK_KEY
from tests.reports.test_ledgers import data_rows

pytestmark = pytest.mark.django_db

MONEY_PAGES = [
    "assistance/dibaocase",
    "assistance/phaseout",
    "assistance/tekuncase",
    "assistance/disabilitysubsidy",
    "assistance/changeledgerentry",
    "assistance/paymentroll",
    "assistance/paymentline",
    "assistance/alert",
    "programs/eligibilityresult",
    "programs/villagepopulation",
    "core/publicity",
    "assistance/banklayout",
    "assistance/bankbatch",
    "assistance/bankline",
    "assistance/bankreturn",
    "assistance/paymentfailure",
]


@pytest.fixture
def demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_county_has_life_on_every_ledger_sheet_and_money_page(demo, client, tmp_path):
    assert "已生成业务数据" in demo
    county = User.objects.get(username="xian_xifeng")
    path = tmp_path / "county.xlsx"
    write_workbook(str(path), key=COUNTY_WORKBOOK_KEY, ctx=export_context(user=county))
    book = openpyxl.load_workbook(path)
    empty = [sheet.title for sheet in book.worksheets if not data_rows(sheet)]
    assert empty == []

    client.force_login(county)
    for page in MONEY_PAGES:
        response = client.get(f"/admin/{page}/")
        assert response.status_code == 200, page
        assert response.context["cl"].result_count > 0, page

    states = set(DibaoCase.objects.values_list("status", flat=True))
    assert {
        CaseStatus.APPLIED,
        CaseStatus.INVESTIGATING,
        CaseStatus.IN_PUBLICITY,
        CaseStatus.CONFIRMING,
        CaseStatus.ACTIVE,
        CaseStatus.PHASING_OUT,
        CaseStatus.REFUSED,
        CaseStatus.STOPPED,
    } <= states
    assert {PhaseOutStatus.ACTIVE, PhaseOutStatus.ENDED} <= set(
        PhaseOut.objects.values_list("status", flat=True)
    )
    assert PaymentRoll.objects.filter(status__in=LOCKED_ROLL_STATUSES).count() >= 6
    # Paid means paid: a roll sent and reconciled with two failures, one corrected and re-issued.
    failed = PaymentRoll.objects.get(bank_batch__failed_count=2)
    assert failed.status == RollStatus.RECONCILED
    assert sorted(PaymentFailure.objects.values_list("reason", "status")) == [
        ("account_closed", "reissued"), ("name_mismatch", "open"),
    ]  # fmt: skip
    reissue = PaymentLine.objects.get(kind=LineKind.REISSUE)
    assert (reissue.reissue_of.batch.roll, reissue.bank_line.result) == (failed, LineResult.PAID)
    assert PaymentRoll.objects.filter(status=RollStatus.SENT).exists()
    assert Publicity.objects.filter(result="open").exists()
    assert PublicityObjection.objects.exists()
    assert Household.objects.filter(review_state="returned_to_village").exists()
    assert ChangeRequest.objects.filter(state="returned_to_village").exists()
    assert ChangeRequest.objects.filter(state="pending_township").exists()
    # 扶贫项目库 (issue 29): a project in every stage; the 光伏电站's 2020 income shared by 30 households.
    from projects.models import IncomeShare, Project

    states = {(p.review_state, p.stage) for p in Project.objects.all()}
    assert {s for s, _ in states} >= {"draft", "pending_township", "returned_to_village", "pending_county"}
    assert {stage for _, stage in states} >= {
        "in_library",
        "announced",
        "implementing",
        "accepted",
        "publicized",
    }
    shares = IncomeShare.objects.filter(income__asset__asset_type="pv", income__year=2020)
    assert (shares.count(), {s.amount for s in shares}) == (30, {1000})
    assert all(s.income_year.property_dividend >= 1000 for s in shares.select_related("income_year"))


def test_demo_rerun_adds_nothing(demo):
    counts = (Household.objects.count(), DibaoCase.objects.count(), PaymentRoll.objects.count())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "未重复生成" in out.getvalue()
    assert (Household.objects.count(), DibaoCase.objects.count(), PaymentRoll.objects.count()) == counts

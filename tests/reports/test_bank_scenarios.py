"""Scenarios 59–61 (issue 27): paid means paid — the 代发 file out, the 回盘 in, failures followed up
and re-issued once; seen on the 发放对账表, the 工作台 and the household page."""

import datetime as dt
from decimal import Decimal

import pytest

from assistance.banking.panel import payments_panel
from assistance.choices import FailureStatus, LineKind, LineResult, RollStatus
from assistance.models import BankLine, BankReturn, PaymentFailure, PaymentLine, PaymentRoll
from assistance.services import bank, bank_failures, rolls
from core.workflow import services as chain
from households.workflow import services as workflow
from reports import bank_todo
from reports.ledgers import RECONCILIATION
from reports.ledgers.base import ExportContext
from tests.assistance.bank_helpers import bank_return, confirmed_roll, county_layout, payee_household
from tests.factories import user_for

pytestmark = pytest.mark.django_db
TODAY = dt.date(2019, 12, 5)
NEXT = dt.date(2019, 12, 1)
HEADERS = [c.header for c in RECONCILIATION.columns]


@pytest.fixture
def sent(village_a, village_b, county_admin):
    """A roll of 10 lines (5 households in each of two villages) sent to the 一卡通 platform."""
    households = [payee_household(village_a) for _ in range(5)] + [
        payee_household(village_b) for _ in range(5)
    ]
    roll = confirmed_roll(households=households, county_user=county_admin)
    batch, _ = bank.send_roll(
        roll=roll, layout=county_layout(roll.county), user=county_admin, reason="送一卡通平台"
    )
    return batch


def _line_of(batch, village):
    return batch.lines.filter(household__village=village).order_by("line_no").first()


def ledger_row(user) -> dict:
    rows = list(RECONCILIATION.rows(ExportContext(user=user, region=None)))
    assert len(rows) == 1
    return dict(zip(HEADERS, rows[0], strict=True))


def test_scenario_59_reconciled_eight_paid_two_failed_and_a_task_for_each_village(
    sent, village_a, village_b, county_admin, clerk_a, clerk_b
):
    closed, mismatch = _line_of(sent, village_a), _line_of(sent, village_b)
    data = bank_return(sent, failed={closed.line_no: "销户", mismatch.line_no: "户名不符"})
    bank.upload_return(batch=sent, user=county_admin, data=data, filename="回盘.xlsx")

    assert PaymentRoll.objects.get(pk=sent.roll_id).status == RollStatus.RECONCILED
    assert BankLine.objects.filter(result=LineResult.PAID).count() == 8
    row = ledger_row(county_admin)
    assert (row["发放表状态"], row["明细笔数"], row["送银行笔数"], row["送银行金额"]) == (
        "已对账", 10, 10, Decimal("3000.00"),
    )  # fmt: skip
    assert (row["已发放笔数"], row["已发放金额"], row["发放失败笔数"], row["发放失败金额"]) == (
        8, Decimal("2400.00"), 2, Decimal("600.00"),
    )  # fmt: skip
    assert (row["待回盘笔数"], row["失败待处理笔数"], row["批次号"]) == (0, 2, sent.batch_no)

    for clerk, line, reason in ((clerk_a, closed, "账户已销户"), (clerk_b, mismatch, "户名与账号不符")):
        [item] = bank_todo.village_items(clerk, TODAY)
        assert item.count == 1
        assert item.rows[0].text.startswith(line.household.household_no)
        assert item.rows[0].detail == reason
    county = {i.key: i for i in bank_todo.county_items(county_admin, TODAY)}
    assert county["bank.rolls"].count == 0
    assert sorted(r.text for r in county["bank.failures"].rows) == ["户名与账号不符 1 笔", "账户已销户 1 笔"]


def test_scenario_60_reissued_once_whatever_is_uploaded_or_approved_again(
    sent, village_a, county_admin, clerk_a
):
    closed = _line_of(sent, village_a)
    data = bank_return(sent, failed={closed.line_no: "销户"})
    bank.upload_return(batch=sent, user=county_admin, data=data, filename="回盘.xlsx")
    failure = PaymentFailure.objects.get()

    change = bank_failures.correct_account(
        failure=failure, user=clerk_a, bank_name="西丰农商银行", bank_account="6221000012345678901"
    )
    chain.approve(record=change, user=user_for(village_a.parent))
    chain.approve(record=change, user=user_for(village_a.parent.parent))
    next_roll = rolls.generate_roll(county=village_a.parent.parent, month=NEXT)
    reissue = PaymentLine.objects.get(roll=next_roll, kind=LineKind.REISSUE)
    assert reissue.reissue_of == closed
    assert reissue.note.startswith("补发2019年11月发放失败款（账户已销户")
    assert (reissue.total_amount, reissue.bank_account) == (Decimal("300.00"), "6221000012345678901")

    # The same 回盘 again, then a second approved correction of the account: nothing more to pay.
    again = bank.upload_return(batch=sent, user=county_admin, data=data, filename="回盘（重发）.xlsx")
    assert again.applied_count == 0
    second = workflow.open_change_request(
        household=failure.household,
        user=clerk_a,
        changes={"household": {"bank_account": "6221000099990000111"}},
    )
    chain.approve(record=second, user=user_for(village_a.parent))
    chain.approve(record=second, user=user_for(village_a.parent.parent))
    rolls.generate_roll(county=village_a.parent.parent, month=NEXT)
    assert PaymentLine.objects.filter(kind=LineKind.REISSUE).count() == 1
    assert PaymentFailure.objects.get().status == FailureStatus.REISSUED
    assert ledger_row(county_admin)["失败已补发笔数"] == 1

    # The household page shows the month: due, sent, paid (0), failed and the 补发.
    panel = payments_panel(failure.household)
    assert "2019年11月" in panel
    assert "2019年12月发放表补发 300.00 元（发放表未确认）" in panel


def test_scenario_61_bad_return_is_refused_whole_and_nothing_changes(sent, county_admin):
    wrong_totals = bank_return(sent, total_amount=Decimal("2999.00"), total_count=9)
    with pytest.raises(bank.ReturnRejected) as refused:
        bank.upload_return(batch=sent, user=county_admin, data=wrong_totals, filename="回盘.xlsx")
    assert "第12行（汇总行）：总笔数 9 与本批次送银行笔数 10 不符" in refused.value.messages
    assert "第12行（汇总行）：总金额 2999.00 元与本批次送银行金额 3000.00 元不符" in refused.value.messages

    other_batch = bank_return(sent, batch_no="2112232019100101", failed={1: "销户"})
    with pytest.raises(bank.ReturnRejected) as refused:
        bank.upload_return(batch=sent, user=county_admin, data=other_batch, filename="回盘.xlsx")
    assert "第2行：批次号“2112232019100101”不是本批次（2112232019110101）" in refused.value.messages
    assert len(refused.value.rows) == 10  # every line names another batch

    assert not BankReturn.objects.exists()
    assert not PaymentFailure.objects.exists()
    assert set(sent.lines.values_list("result", flat=True)) == {LineResult.PENDING}
    assert PaymentRoll.objects.get(pk=sent.roll_id).status == RollStatus.SENT

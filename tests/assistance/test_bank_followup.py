"""Failed payments followed up: the village corrects the account through a change request (or names
another payee the county confirms), the amount is re-issued once on the next roll, and nothing —
a 回盘 uploaded again, a second correction, a regenerated roll, a hand-written line — pays it twice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from assistance.choices import FailureStatus, LineKind
from assistance.models import PaymentFailure, PaymentLine, PaymentRoll
from assistance.services import bank, bank_failures, holds, rolls
from core.workflow import services as chain
from households.workflow import services as workflow
from households.workflow.choices import ChangeState
from tests.assistance.bank_helpers import MONTH, bank_return, confirmed_roll, county_layout, payee_household
from tests.factories import user_for, valid_id

pytestmark = pytest.mark.django_db
NEXT = dt.date(2019, 12, 1)
NEW_ACCOUNT = "6221 0000 9999 8888 777"


@pytest.fixture
def failed(village_a, county_admin):
    """A sent, reconciled roll of two lines; line 1 failed (销户)."""
    roll = confirmed_roll(households=[payee_household(village_a) for _ in range(2)], county_user=county_admin)
    batch, _ = bank.send_roll(roll=roll, layout=county_layout(roll.county), user=county_admin, reason="代发")
    data = bank_return(batch, failed={1: "销户"})
    bank.upload_return(batch=batch, user=county_admin, data=data, filename="回盘.xlsx")
    failure = PaymentFailure.objects.get()
    failure.data = data
    return failure


def approve_change(change, village):
    chain.approve(record=change, user=user_for(village.parent))
    chain.approve(record=change, user=user_for(village.parent.parent))
    change.refresh_from_db()
    assert change.state == ChangeState.VERIFIED


def reissues():
    return PaymentLine.objects.filter(kind=LineKind.REISSUE)


def test_account_correction_opens_a_change_request_and_its_approval_reissues_next_roll(
    failed, clerk_a, village_a
):
    change = bank_failures.correct_account(
        failure=failed, user=clerk_a, bank_name="西丰农商银行", bank_account=NEW_ACCOUNT
    )
    failed.refresh_from_db()
    assert (failed.status, failed.change_request) == (FailureStatus.CORRECTING, change)
    assert change.active_items().get().new_values == {"bank_account": "6221000099998888777"}
    approve_change(change, village_a)
    failed.refresh_from_db()
    assert failed.status == FailureStatus.CORRECTED
    roll = rolls.generate_roll(county=village_a.parent.parent, month=NEXT)
    line = reissues().get()
    failed.refresh_from_db()
    assert failed.status == FailureStatus.REISSUED
    assert (line.roll, line.reissue_of, line.total_amount) == (roll, failed.bank_line, Decimal("300.00"))
    assert line.bank_account == "6221000099998888777"
    assert line.note.startswith("补发2019年11月发放失败款（账户已销户；原批次 ")
    assert roll.total_amount == Decimal("300.00")


def test_correction_lands_on_a_draft_roll_that_already_exists(failed, clerk_a, village_a):
    draft = rolls.generate_roll(county=village_a.parent.parent, month=NEXT)
    change = bank_failures.correct_account(
        failure=failed, user=clerk_a, bank_name="西丰农商银行", bank_account=NEW_ACCOUNT
    )
    approve_change(change, village_a)
    draft.refresh_from_db()
    assert reissues().get().roll == draft
    assert draft.total_amount == Decimal("300.00")


def test_same_return_again_a_second_correction_and_a_regenerated_roll_pay_nothing_more(
    failed, clerk_a, village_a, county_admin
):
    change = bank_failures.correct_account(
        failure=failed, user=clerk_a, bank_name="西丰农商银行", bank_account=NEW_ACCOUNT
    )
    approve_change(change, village_a)
    county = village_a.parent.parent
    rolls.generate_roll(county=county, month=NEXT)
    batch = failed.bank_line.batch
    upload = bank.upload_return(batch=batch, user=county_admin, data=failed.data, filename="again.xlsx")
    assert upload.applied_count == 0
    second = workflow.open_change_request(
        household=failed.household,
        user=clerk_a,
        changes={"household": {"bank_account": "6221000011112222333"}},
    )
    approve_change(second, village_a)
    rolls.generate_roll(county=county, month=NEXT)
    rolls.generate_roll(county=county, month=dt.date(2020, 1, 1))
    assert reissues().count() == 1
    assert PaymentFailure.objects.count() == 1
    with pytest.raises(ValidationError, match="不能纠正账户"):
        bank_failures.correct_account(
            failure=failed, user=clerk_a, bank_name="甲银行", bank_account="62210000"
        )


def test_the_database_refuses_a_second_reissue_or_one_for_a_paid_line(failed, clerk_a, village_a):
    change = bank_failures.correct_account(
        failure=failed, user=clerk_a, bank_name="西丰农商银行", bank_account=NEW_ACCOUNT
    )
    approve_change(change, village_a)
    roll = rolls.generate_roll(county=village_a.parent.parent, month=NEXT)
    first = reissues().get()
    fields = {
        "roll": roll, "month": NEXT, "program": "dibao", "case_id": first.case_id, "kind": LineKind.REISSUE,
        "household": first.household, "payee_name": "某", "total_amount": first.total_amount,
    }  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(**fields, reissue_of=failed.bank_line)
    paid = failed.bank_line.batch.lines.get(line_no=2)
    with pytest.raises(DatabaseError, match="补发只能针对发放失败"), transaction.atomic():
        PaymentLine.objects.create(**{**fields, "total_amount": paid.amount}, reissue_of=paid)
    with pytest.raises(DatabaseError, match="补发只能针对发放失败"), transaction.atomic():
        PaymentLine.objects.filter(pk=first.pk).update(total_amount=Decimal("600.00"))


def test_other_payee_is_confirmed_by_the_county_then_paid_to_that_account(
    failed, clerk_a, county_admin, village_a
):
    bank_failures.propose_payee(
        failure=failed, user=clerk_a, payee_name="王小二", payee_id_no=valid_id(), bank_name="邮储银行",
        bank_account="6210981234567890123", reason="户主长期卧床，由其子代领",
    )  # fmt: skip
    failed.refresh_from_db()
    assert failed.status == FailureStatus.PAYEE_PROPOSED
    with pytest.raises(PermissionDenied):
        bank_failures.confirm_payee(failure=failed, user=clerk_a)
    bank_failures.confirm_payee(failure=failed, user=county_admin)
    rolls.generate_roll(county=village_a.parent.parent, month=NEXT)
    line = reissues().get()
    assert (line.payee_name, line.bank_name, line.bank_account) == (
        "王小二",
        "邮储银行",
        "6210981234567890123",
    )


def test_county_returns_a_payee_with_a_reason_and_may_decide_not_to_reissue(failed, clerk_a, county_admin):
    bank_failures.propose_payee(
        failure=failed, user=clerk_a, payee_name="王小二", payee_id_no=valid_id(), bank_name="邮储银行",
        bank_account="6210981234567890123", reason="代领",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        bank_failures.return_payee(failure=failed, user=county_admin, reason="")
    bank_failures.return_payee(failure=failed, user=county_admin, reason="代领须有委托书")
    failed.refresh_from_db()
    assert (failed.status, failed.decision_note) == (FailureStatus.OPEN, "代领须有委托书")
    bank_failures.waive(failure=failed, user=county_admin, reason="该户当月已停保")
    rolls.generate_roll(county=failed.household.village.parent.parent, month=NEXT)
    assert not reissues().exists()


def test_only_the_village_of_the_household_corrects(failed, clerk_b, township_reviewer_a):
    for user in (clerk_b, township_reviewer_a):
        with pytest.raises(PermissionDenied):
            bank_failures.correct_account(failure=failed, user=user, bank_name="甲", bank_account=NEW_ACCOUNT)


def test_bad_accounts_and_payees_get_chinese_field_errors(failed, clerk_a):
    with pytest.raises(ValidationError) as bad:
        bank_failures.correct_account(failure=failed, user=clerk_a, bank_name="甲", bank_account="12ab")
    assert bad.value.message_dict == {"bank_account": ["银行账号应为 8 至 32 位数字"]}
    with pytest.raises(ValidationError, match="账号相同"):
        bank_failures.correct_account(
            failure=failed, user=clerk_a, bank_name=failed.household.bank_name,
            bank_account=failed.household.bank_account,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        bank_failures.propose_payee(
            failure=failed, user=clerk_a, payee_name="王", payee_id_no="123", bank_name="甲",
            bank_account="6210981234567890123", reason="代领",
        )  # fmt: skip
    assert PaymentFailure.objects.get().status == FailureStatus.OPEN


def test_withdrawn_change_request_lets_the_village_try_again(failed, clerk_a):
    change = bank_failures.correct_account(
        failure=failed, user=clerk_a, bank_name="西丰农商银行", bank_account=NEW_ACCOUNT
    )
    chain.withdraw(record=change, user=clerk_a)
    again = bank_failures.correct_account(
        failure=failed, user=clerk_a, bank_name="西丰农商银行", bank_account="6221000077776666555"
    )
    failed.refresh_from_db()
    assert failed.change_request == again


def test_a_held_household_waits_for_its_reissue(failed, clerk_a, village_a):
    change = bank_failures.correct_account(
        failure=failed, user=clerk_a, bank_name="西丰农商银行", bank_account=NEW_ACCOUNT
    )
    approve_change(change, village_a)
    holds.place_holds(
        holds=[(failed.household_id, "1", "死亡名单疑点", dt.date(2019, 1, 1))], source="crosscheck"
    )
    rolls.generate_roll(county=village_a.parent.parent, month=NEXT)
    assert not reissues().exists()
    holds.clear_holds(source="crosscheck", source_ref="1")
    rolls.generate_roll(county=village_a.parent.parent, month=NEXT)
    assert reissues().count() == 1


def test_a_failed_reissue_is_followed_up_and_reissued_once_more(failed, clerk_a, village_a, county_admin):
    change = bank_failures.correct_account(
        failure=failed, user=clerk_a, bank_name="西丰农商银行", bank_account=NEW_ACCOUNT
    )
    approve_change(change, village_a)
    roll = rolls.generate_roll(county=village_a.parent.parent, month=NEXT)
    roll = rolls.confirm_roll(roll=roll, user=county_admin)
    batch, _ = bank.send_roll(roll=roll, layout=county_layout(roll.county, "rcc_fixed"), user=county_admin,
                              reason="代发")  # fmt: skip
    bank.upload_return(
        batch=batch, user=county_admin, data=bank_return(batch, failed={1: "E105"}), filename="r"
    )
    second = PaymentFailure.objects.exclude(pk=failed.pk).get()
    assert (second.month, second.reason, second.amount) == (MONTH, "card_inactive", Decimal("300.00"))
    assert PaymentRoll.objects.get(pk=roll.pk).status == "reconciled"

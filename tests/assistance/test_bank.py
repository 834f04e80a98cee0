"""代发 and 回盘: the batch a confirmed roll becomes, the file in every layout format, the 回盘 matched
by batch and line number and applied whole or not at all, and the database guards."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from python_calamine import CalamineWorkbook

from assistance.banking.layouts import create_from_preset, layout_problems, spec_of
from assistance.choices import FailureReason, FailureStatus, LineResult, RollStatus
from assistance.models import BankLayoutColumn, BankLine, BankReturn, PaymentFailure, PaymentLine, PaymentRoll
from assistance.services import bank, rolls
from core.excel.parsing import FileRejected
from core.models import AccessLog
from tests.assistance.bank_helpers import bank_return, confirmed_roll, county_layout, payee_household
from tests.factories import user_for

pytestmark = pytest.mark.django_db
REASON = "送西丰农商银行代发2019年11月低保金"


@pytest.fixture
def county(village_a):
    return village_a.parent.parent


@pytest.fixture
def roll(village_a, county_admin):
    return confirmed_roll(households=[payee_household(village_a) for _ in range(3)], county_user=county_admin)


def send(roll, county_admin, preset="yikatong_xlsx"):
    layout = county_layout(roll.county, preset)
    return bank.send_roll(roll=roll, layout=layout, user=county_admin, reason=REASON)


def test_sending_numbers_the_lines_moves_the_roll_and_logs_the_full_value_export(roll, county_admin):
    batch, file = send(roll, county_admin)
    roll.refresh_from_db()
    assert roll.status == RollStatus.SENT
    assert batch.batch_no == f"{roll.county_id[:6]}201911" + "0101"
    assert (batch.line_count, batch.total_amount) == (3, Decimal("900.00"))
    assert list(batch.lines.order_by("line_no").values_list("line_no", "result")) == [
        (1, "pending"), (2, "pending"), (3, "pending"),
    ]  # fmt: skip
    log = AccessLog.objects.get(record_kind="assistance.bankbatch")
    assert (log.channel, log.reason, log.rows, log.record_id) == ("export", REASON, 3, batch.pk)
    assert log.fields == "银行账号、身份证号"
    assert file.filename == f"代发{batch.batch_no}.xlsx"


def test_excel_file_has_full_accounts_as_text_project_code_and_a_totals_row(roll, county_admin):
    batch, file = send(roll, county_admin)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(file.content)).get_sheet_by_index(0).to_python()
    header = rows[0]
    assert header[:4] == ["序号", "批次号", "补贴项目代码", "补贴项目名称"]
    line = batch.lines.get(line_no=1)
    first = dict(zip(header, rows[1], strict=True))
    assert first["社会保障卡号或银行账号"] == line.bank_account  # full, and still text (19 digits)
    assert first["补贴项目代码"] == "2080501"
    assert first["发放金额（元）"] == 300.0
    assert first["备注"] == "2019年11月农村最低生活保障金"
    assert rows[-1][:3] == ["合计", 3.0, 900.0]


def test_fixed_width_gbk_file_counts_bytes_and_puts_the_totals_first(roll, county_admin):
    batch, file = send(roll, county_admin, "rcc_fixed")
    lines = file.content.split(b"\r\n")
    assert lines[-1] == b""
    head, detail = lines[0], lines[1:-1]
    assert head[:16].decode() == batch.batch_no
    assert head[16:24] == b"00000003"
    assert head[24:39] == b"000000000090000"
    widths = 16 + 8 + 32 + 40 + 18 + 15 + 10 + 40
    assert all(len(line) == widths for line in detail)  # a Chinese name is 2 bytes a character in GBK
    line = batch.lines.get(line_no=1)
    assert detail[0][56:96].decode("gbk").strip() == line.payee_name


def test_only_a_user_who_may_reveal_sends_and_always_with_a_reason(roll, county_admin, village_a):
    layout = county_layout(roll.county)
    with pytest.raises(ValidationError, match="事由"):
        bank.send_roll(roll=roll, layout=layout, user=county_admin, reason=" ")
    with pytest.raises(PermissionDenied):
        bank.send_roll(roll=roll, layout=layout, user=user_for(village_a.parent), reason=REASON)
    assert PaymentRoll.objects.get(pk=roll.pk).status == RollStatus.CONFIRMED
    assert not AccessLog.objects.exists()


def test_a_draft_roll_is_not_sent_and_a_sent_one_not_twice(village_a, county_admin, roll):
    draft = PaymentRoll.objects.create(
        county=roll.county, month=roll.month.replace(month=12), program="dibao"
    )
    layout = county_layout(roll.county)
    with pytest.raises(ValidationError, match="尚未确认"):
        bank.send_roll(roll=draft, layout=layout, user=county_admin, reason=REASON)
    bank.send_roll(roll=roll, layout=layout, user=county_admin, reason=REASON)
    with pytest.raises(ValidationError, match="已送银行"):
        bank.send_roll(roll=roll, layout=layout, user=county_admin, reason=REASON)


def test_line_without_account_is_not_sent_and_fails_at_once(village_a, county_admin):
    households = [payee_household(village_a), payee_household(village_a, bank_account="")]
    roll = confirmed_roll(households=households, county_user=county_admin)
    batch, file = send(roll, county_admin)
    unsent = batch.lines.get(household=households[1])
    assert (unsent.line_no, unsent.result, unsent.reason) == (None, "failed", "no_account")
    assert (batch.line_count, batch.unsent_count) == (1, 1)
    assert PaymentFailure.objects.get(bank_line=unsent).status == FailureStatus.OPEN


def test_layout_checks_name_what_is_missing_in_chinese(county):
    layout = create_from_preset(county=county, preset="rcc_fixed")
    BankLayoutColumn.objects.filter(layout=layout, section="detail", field="account").delete()
    BankLayoutColumn.objects.filter(layout=layout, section="result", field="line_no").update(width=None)
    problems = layout_problems(spec_of(layout, "dibao"), "dibao")
    assert "“代发明细行”缺少“账号（卡号）”" in problems
    assert "定长文本的“回盘明细行”第2列（序号）没有填写宽度" in problems


def test_return_marks_paid_and_failed_reconciles_and_opens_follow_ups(roll, county_admin):
    batch, _ = send(roll, county_admin)
    upload = bank.upload_return(
        batch=batch, user=county_admin, data=bank_return(batch, failed={2: "E101"}), filename="回盘.xlsx"
    )
    assert (upload.line_count, upload.paid_count, upload.failed_count, upload.applied_count) == (3, 2, 1, 3)
    batch.refresh_from_db()
    assert (batch.paid_count, batch.paid_amount, batch.failed_count) == (2, Decimal("600.00"), 1)
    assert batch.reconciled_at is not None
    assert PaymentRoll.objects.get(pk=roll.pk).status == RollStatus.RECONCILED
    failed = batch.lines.get(line_no=2)
    assert (failed.result, failed.reason, failed.bank_code) == (
        "failed",
        FailureReason.ACCOUNT_CLOSED,
        "E101",
    )
    failure = PaymentFailure.objects.get()
    assert (failure.bank_line, failure.amount, failure.month, failure.status) == (
        failed, Decimal("300.00"), roll.month, FailureStatus.OPEN,
    )  # fmt: skip


def test_pending_lines_wait_for_a_later_return_and_final_results_never_change(roll, county_admin):
    batch, _ = send(roll, county_admin, "rcc_fixed")
    bank.upload_return(batch=batch, user=county_admin, data=bank_return(batch, pending=[3]), filename="1.txt")
    assert PaymentRoll.objects.get(pk=roll.pk).status == RollStatus.SENT
    second = bank_return(batch, failed={3: "E105"})
    upload = bank.upload_return(batch=batch, user=county_admin, data=second, filename="2.txt")
    assert upload.applied_count == 1
    assert PaymentRoll.objects.get(pk=roll.pk).status == RollStatus.RECONCILED
    assert batch.lines.get(line_no=3).reason == FailureReason.CARD_INACTIVE


def test_changing_a_final_result_is_refused_in_the_service_and_the_database(roll, county_admin):
    batch, _ = send(roll, county_admin, "rcc_fixed")
    bank.upload_return(batch=batch, user=county_admin, data=bank_return(batch, pending=[1]), filename="1.txt")
    with pytest.raises(bank.ReturnRejected) as refused:
        bank.upload_return(batch=batch, user=county_admin, data=bank_return(batch, failed={2: "E101"}),
                           filename="2.txt")  # fmt: skip
    assert (
        "第3行：序号 2 已有回盘结果“已发放”，本次为“发放失败”；结果已确定，不能更改" in refused.value.messages
    )
    line = BankLine.objects.get(batch=batch, line_no=2)
    with pytest.raises(DatabaseError, match="回盘结果已确定"), transaction.atomic():
        BankLine.objects.filter(pk=line.pk).update(result=LineResult.FAILED, reason="other")
    with pytest.raises(DatabaseError), transaction.atomic():
        BankLine.objects.filter(pk=line.pk).delete()


def test_a_sent_roll_is_still_locked(roll, county_admin):
    send(roll, county_admin)
    with pytest.raises(DatabaseError, match="发放表已确认"), transaction.atomic():
        PaymentRoll.objects.filter(pk=roll.pk).update(total_amount=1)
    with pytest.raises(DatabaseError, match="发放表已确认"), transaction.atomic():
        PaymentRoll.objects.filter(pk=roll.pk).update(status="confirmed")
    with pytest.raises(DatabaseError, match="发放表已确认"), transaction.atomic():
        PaymentLine.objects.filter(roll=roll).update(total_amount=1)
    with pytest.raises(ValidationError):
        rolls.generate_roll(county=roll.county, month=roll.month)


def test_unreadable_return_is_refused_as_a_file(roll, county_admin):
    batch, _ = send(roll, county_admin)
    with pytest.raises(FileRejected, match="未找到回盘表头"):
        bank.upload_return(
            batch=batch, user=county_admin, data="甲,乙\n1,2\n".encode("gbk"), filename="x.csv"
        )
    assert not BankReturn.objects.exists()


def test_return_rows_with_bad_values_are_listed_by_row(roll, county_admin):
    batch, _ = send(roll, county_admin, "rcc_fixed")
    data = bank_return(batch).replace(b"S    ", b"X    ", 1)
    with pytest.raises(bank.ReturnRejected) as refused:
        bank.upload_return(batch=batch, user=county_admin, data=data, filename="r.txt")
    assert refused.value.rows[0]["row"] == 2
    assert refused.value.rows[0]["message"].startswith("第2行：处理结果“X”无法识别")


def test_duplicate_unknown_and_wrong_amount_lines_are_refused_whole(roll, county_admin):
    batch, _ = send(roll, county_admin)
    data = bank_return(
        batch, skip=[3], extra=[9], amounts={2: Decimal("299.00")}, total_amount=Decimal("899.00")
    )
    with pytest.raises(bank.ReturnRejected) as refused:
        bank.upload_return(batch=batch, user=county_admin, data=data, filename="r.xlsx")
    messages = refused.value.messages
    assert "第3行：序号 2 的金额 299.00 元与送银行的 300.00 元不符" in messages
    assert "第4行：本批次没有序号为 9 的代发明细" in messages
    assert "回盘缺少序号为 3 的明细" in messages
    assert not BankLine.objects.exclude(result="pending").exists()

"""The bank in the demo (and in the tests).

`bank_return` is a simulated bank: the 回盘 it sends back for a batch, built from the batch's lines and
the layout it was sent with (Excel, csv or text, totals row where the layout has one). Every sent
line is 成功 unless named in `failed` ({line number: the bank's code}) or `pending`; the other
arguments make a wrong file on purpose (tests of the 回盘 checks).

`pay` takes each demo roll through the real services: sent to the 一卡通 platform (低保) or the
农村信用社 (特困, 两项补贴) and reconciled; two months ago two 低保 lines failed (销户, 户名不符), the
village corrected the first account through a change request the township and county approved, and
last month's roll re-issued it; last month's 特困 roll waits for its 回盘 and the 两项补贴 roll for
sending, so the county's 工作台 has both."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import xlsxwriter

from assistance.banking.files import codec
from assistance.banking.layouts import create_from_preset
from assistance.choices import BankFileFormat, LayoutField, LayoutSection, Program, TotalsRow
from assistance.models import PaymentFailure
from assistance.services import bank, bank_failures
from core.workflow import services as chain

F = LayoutField


def _values(batch, line, failed: dict, pending: set, amounts: dict, batch_no: str) -> dict:
    values = batch.layout_spec["values"]
    if line.line_no in failed:
        result, code = values["failed"][0], failed[line.line_no]
    elif line.line_no in pending:
        result, code = values["pending"][0], ""
    else:
        result, code = values["paid"][0], ""
    amount = amounts.get(line.line_no, line.amount)
    return {
        F.BATCH_NO: batch_no, F.LINE_NO: line.line_no, F.ACCOUNT: line.bank_account,
        F.PAYEE_NAME: line.payee_name, F.ID_NO: line.payee_id_no, F.AMOUNT: f"{amount:.2f}",
        F.AMOUNT_FEN: str(int(amount * 100)), F.RESULT: result, F.REASON_CODE: code, F.REASON_TEXT: "",
    }  # fmt: skip


def _cells(columns: list[dict], values: dict) -> list[str]:
    return [c["header"] if c["field"] == F.LABEL else str(values.get(c["field"], "")) for c in columns]


def _sheet(spec: dict, table: list[list[str]]) -> bytes:
    if spec["file_format"] == BankFileFormat.CSV:
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(table)
        return out.getvalue().encode(codec(spec))
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("回盘")
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()


def _text(spec: dict, columns: list[dict], values: dict) -> bytes:
    encoding = codec(spec)
    if spec["file_format"] == BankFileFormat.DELIMITED:
        return (spec.get("separator") or "|").join(_cells(columns, values)).encode(encoding)
    return b"".join(
        text.encode(encoding)[: c["width"]].ljust(c["width"], b" ")
        for c, text in zip(columns, _cells(columns, values), strict=True)
    )


def bank_return(
    batch, *, failed=None, pending=(), amounts=None, batch_no=None, total_amount=None, total_count=None,
    skip=(), extra=(),
) -> bytes:  # fmt: skip
    spec = batch.layout_spec
    failed, amounts, batch_no = failed or {}, amounts or {}, batch_no or batch.batch_no
    lines = batch.lines.filter(line_no__isnull=False).exclude(line_no__in=list(skip)).order_by("line_no")
    rows = [_values(batch, line, failed, set(pending), amounts, batch_no) for line in lines]
    rows += [dict(rows[0], **{F.LINE_NO: n}) for n in extra]
    amount = Decimal(total_amount) if total_amount is not None else batch.total_amount
    count = total_count if total_count is not None else batch.line_count
    totals = {
        F.BATCH_NO: batch_no,
        F.COUNT: count,
        F.AMOUNT: f"{amount:.2f}",
        F.AMOUNT_FEN: str(int(amount * 100)),
    }
    detail = spec["sections"][LayoutSection.RESULT]
    total = spec["sections"][LayoutSection.RESULT_TOTAL]
    at = spec["totals_row"]
    if spec["file_format"] in (BankFileFormat.XLSX, BankFileFormat.CSV):
        table = [[c["header"] for c in detail], *(_cells(detail, r) for r in rows)]
        if at == TotalsRow.BOTTOM:
            table.append(_cells(total, totals))
        return _sheet(spec, table)
    text = [_text(spec, detail, r) for r in rows]
    if at == TotalsRow.TOP:
        text.insert(0, _text(spec, total, totals))
    elif at == TotalsRow.BOTTOM:
        text.append(_text(spec, total, totals))
    return b"\r\n".join(text) + b"\r\n"


# ------------------------------------------------------------------ the demo's bank work

SEND_REASON = "送代发机构发放（演示）"
FAILED = {1: "销户", 2: "户名不符"}


def layouts(county) -> dict[str, object]:
    """The demo county's two layouts: 低保 through the 一卡通 platform, the rest through the 农信社."""
    platform = create_from_preset(county=county, preset="yikatong_xlsx", payer="西丰县惠民惠农“一卡通”平台")
    rcc = create_from_preset(county=county, preset="rcc_fixed", payer="西丰县农村信用合作联社")
    return {Program.DIBAO: platform, Program.TEKUN: rcc, Program.DISABILITY: rcc}


def pay(*, roll, back: int, users: dict, layouts: dict, life) -> None:
    """Send a confirmed demo roll and apply the bank's 回盘 (see the module docstring)."""
    if roll.total_amount <= 0 or (roll.program == Program.DISABILITY and back == 1):
        return  # nothing to pay; or 待送银行
    batch, _ = bank.send_roll(
        roll=roll, layout=layouts[roll.program], user=users["county"], reason=SEND_REASON
    )
    life.add("已送银行的发放表")
    if roll.program == Program.TEKUN and back == 1:
        return  # 待回盘
    failed = FAILED if roll.program == Program.DIBAO and back == 2 and batch.line_count > 2 else {}
    data = bank_return(batch, failed=failed)
    bank.upload_return(batch=batch, user=users["county"], data=data, filename=f"回盘{batch.batch_no}.xlsx")
    life.add("已对账的发放表")
    if failed:
        life.add("发放失败", len(failed))
        _correct_first(batch, users, life)


def _correct_first(batch, users: dict, life) -> None:
    """The village corrects the closed account; township and county approve the change request."""
    failure = PaymentFailure.objects.get(bank_line__batch=batch, bank_line__line_no=1)
    account = f"6217{failure.household_id:015d}"
    change = bank_failures.correct_account(
        failure=failure, user=users["clerk"], bank_name="西丰农村商业银行", bank_account=account,
        note="原存折已销户，已改用新开社保卡",
    )  # fmt: skip
    chain.approve(record=change, user=users["township"])
    chain.approve(record=change, user=users["county"])
    life.add("发放失败：已纠正账户")

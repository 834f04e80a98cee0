"""The bank's side of the tests: a confirmed roll of a few lines, a county layout from a preset, and
the 回盘 a bank would send back for a batch (built from the batch's lines and the layout it kept)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from itertools import count

import xlsxwriter

from assistance.banking.layouts import create_from_preset
from assistance.choices import LayoutField, LayoutSection, Program, TotalsRow
from assistance.models import BankLine, PaymentLine, PaymentRoll
from assistance.services import rolls
from households.choices import Relation, ReviewState
from tests.factories import HouseholdFactory, MemberFactory

F = LayoutField
MONTH = dt.date(2019, 11, 1)
AMOUNT = Decimal("300.00")
_accounts = count(1)


def payee_household(village, **kwargs):
    """An approved household with a head and an account at the 农商银行."""
    household = HouseholdFactory(
        village=village,
        review_state=ReviewState.VERIFIED,
        bank_name="西丰农商银行",
        bank_account=kwargs.pop("bank_account", f"62210000{next(_accounts):011d}"),
        **kwargs,
    )
    MemberFactory(household=household, relation=Relation.HEAD)
    return household


def confirmed_roll(*, households, county_user, month=MONTH, amount=AMOUNT, program=Program.DIBAO):
    """A confirmed roll with one line per household (as generate_roll would write it)."""
    county = households[0].village.parent.parent
    roll = PaymentRoll.objects.create(county=county, month=month, program=program)
    for household in households:
        head = household.members.get(relation=Relation.HEAD)
        PaymentLine.objects.create(
            roll=roll, month=month, program=program, case_id=household.pk, household=household,
            payee_name=head.name, payee_id_no=head.id_no, bank_name=household.bank_name,
            bank_account=household.bank_account, covered_persons=1, topup_amount=amount, total_amount=amount,
        )  # fmt: skip
    rolls.refresh_totals(roll)
    return rolls.confirm_roll(roll=roll, user=county_user)


def county_layout(county, preset: str = "yikatong_xlsx"):
    return create_from_preset(county=county, preset=preset)


def _result_values(batch, line: BankLine, failed: dict, pending: set, amounts: dict, batch_no: str) -> dict:
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
        F.PAYEE_NAME: line.payee_name,
        F.ID_NO: line.payee_id_no, F.AMOUNT: f"{amount:.2f}", F.AMOUNT_FEN: str(int(amount * 100)),
        F.RESULT: result, F.REASON_CODE: code, F.REASON_TEXT: "",
    }  # fmt: skip


def bank_return(
    batch, *, failed=None, pending=(), amounts=None, batch_no=None, total_amount=None, total_count=None,
    skip=(), extra=(),
) -> bytes:  # fmt: skip
    """The 回盘 of `batch`: every sent line 成功 unless named in `failed` ({line_no: bank code}) or
    `pending`; `amounts`, `batch_no`, `total_*`, `skip` and `extra` make it wrong on purpose."""
    spec = batch.layout_spec
    failed, amounts = failed or {}, amounts or {}
    batch_no = batch_no or batch.batch_no
    lines = [
        line
        for line in batch.lines.filter(line_no__isnull=False).order_by("line_no")
        if line.line_no not in skip
    ]
    rows = [_result_values(batch, line, failed, set(pending), amounts, batch_no) for line in lines]
    rows += [dict(rows[0], **{F.LINE_NO: n}) for n in extra]
    amount = total_amount if total_amount is not None else batch.total_amount
    totals = {F.BATCH_NO: batch_no, F.COUNT: total_count if total_count is not None else batch.line_count,
              F.AMOUNT: f"{amount:.2f}", F.AMOUNT_FEN: str(int(amount * 100))}  # fmt: skip
    detail = spec["sections"][LayoutSection.RESULT]
    total = spec["sections"][LayoutSection.RESULT_TOTAL]

    def cells(columns, values):
        return [c["header"] if c["field"] == F.LABEL else values.get(c["field"], "") for c in columns]

    fmt = spec["file_format"]
    if fmt in ("xlsx", "csv"):
        table = [[c["header"] for c in detail], *(cells(detail, r) for r in rows)]
        if spec["totals_row"] == TotalsRow.BOTTOM:
            table.append(cells(total, totals))
        if fmt == "csv":
            out = io.StringIO()
            csv.writer(out).writerows(table)
            return out.getvalue().encode("gbk")
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
        sheet = book.add_worksheet()
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                sheet.write_string(r, c, str(value))
        book.close()
        return out.getvalue()
    encoding = "gbk"

    def fixed(columns, values):
        out = b""
        for c in columns:
            raw = str(c["header"] if c["field"] == F.LABEL else values.get(c["field"], "")).encode(encoding)
            out += raw[: c["width"]].ljust(c["width"], b" ")
        return out

    text = [fixed(detail, r) for r in rows]
    head = fixed(total, totals)
    if spec["totals_row"] == TotalsRow.TOP:
        text = [head, *text]
    elif spec["totals_row"] == TotalsRow.BOTTOM:
        text = [*text, head]
    return b"\r\n".join(text) + b"\r\n"

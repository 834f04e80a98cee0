"""Sending a confirmed roll to the bank (代发) and applying the bank's 回盘 (R28).

Sending writes the batch and one bank line per paid line (INSERT … SELECT), moves the roll to
已送银行 and returns the file. The file carries full account numbers (and ID numbers when the layout
prints them): it is a full-value export under the personal-data policy, so only a user who may
reveal sends or downloads it, always with a reason, each time written to the access log.

A 回盘 is all or nothing. Rows are read (assistance.banking.returns), checked against the batch on
their own (batch number, totals row, count and sum), then COPY'd into a temporary table and matched
to the batch's lines by line number — never by name — in a few set-based queries (duplicates,
unknown numbers, amounts, accounts, results already final). Any error: nothing is written. Else one
UPDATE … FROM sets the results of lines still 待回盘, one INSERT opens a follow-up per new failure,
and the roll becomes 已对账 once no line waits. A line's result is final (database trigger), so the
same 回盘 uploaded again changes nothing. 200,000 lines: see bench/bank_return.py.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from assistance.banking import files
from assistance.banking.files import BatchFile
from assistance.banking.layouts import check_layout
from assistance.banking.returns import ReturnFile, read_return
from assistance.choices import FailureReason, LayoutField, LayoutSection, LineResult, Program, RollStatus
from assistance.copy import copy_rows
from assistance.models import BankBatch, BankLayout, BankLine, BankReturn, PaymentRoll
from assistance.services.common import require_county
from core import privacy
from core.models import AccessLog

ROLL_NOT_CONFIRMED = "发放表尚未确认，确认后才能送银行"
ROLL_ALREADY_SENT = "该发放表已送银行（批次号 {batch_no}），如需文件请在代发批次中重新下载"
ROLL_NOTHING_TO_PAY = "发放表中没有需要发放的明细"
EXPORT_FORBIDDEN = "您的角色不能导出含完整账号的代发文件"
REASON_REQUIRED = "导出代发文件须填写事由（如：送农村信用社代发）"
MAX_ERRORS = 500
MORE_ERRORS = "另有 {n} 处错误未列出"

ROW_OTHER_BATCH = "第{row}行：批次号“{value}”不是本批次（{batch_no}）"
TOTALS_OTHER_BATCH = "第{row}行（汇总行）：批次号“{value}”不是本批次（{batch_no}）"
TOTALS_COUNT = "第{row}行（汇总行）：总笔数 {found} 与本批次送银行笔数 {want} 不符"
TOTALS_AMOUNT = "第{row}行（汇总行）：总金额 {found} 元与本批次送银行金额 {want} 元不符"
FILE_COUNT = "回盘明细共 {found} 笔，与本批次送银行 {want} 笔不符"
FILE_AMOUNT = "回盘明细金额合计 {found} 元，与本批次送银行金额 {want} 元不符"
ROW_DUPLICATE = "第{row}行：序号 {line_no} 与第{first}行重复"
ROW_UNKNOWN = "第{row}行：本批次没有序号为 {line_no} 的代发明细"
ROW_AMOUNT_DIFFERS = "第{row}行：序号 {line_no} 的金额 {found} 元与送银行的 {want} 元不符"
ROW_ACCOUNT_DIFFERS = "第{row}行：序号 {line_no} 的账号（尾号 {found}）与送银行的账号（尾号 {want}）不符"
ROW_RESULT_FINAL = "第{row}行：序号 {line_no} 已有回盘结果“{old}”，本次为“{new}”；结果已确定，不能更改"
LINE_MISSING = "回盘缺少序号为 {line_no} 的明细"

# Two digits per program in the batch number: county (6) + month (6) + program (2) + sequence (2).
PROGRAM_CODES = {Program.DIBAO: "01", Program.TEKUN: "02", Program.DISABILITY: "03", Program.MEDICAL: "04"}


class ReturnRejected(ValidationError):
    """A 回盘 refused whole: `rows` are the row errors ({row, message}); nothing was written."""

    def __init__(self, rows: list[dict]) -> None:
        shown = rows[:MAX_ERRORS]
        if len(rows) > MAX_ERRORS:
            shown = [*shown, {"row": 0, "message": MORE_ERRORS.format(n=len(rows) - MAX_ERRORS)}]
        super().__init__([r["message"] for r in shown])
        self.rows = shown


class _County:
    """require_county() checks a household's village code; a roll has its county's code."""

    def __init__(self, code: str) -> None:
        self.village_id = code


def batch_number(roll: PaymentRoll) -> str:
    return f"{roll.county_id[:6]}{roll.month:%Y%m}{PROGRAM_CODES[roll.program]}01"


def check_full_export(*, user, reason: str) -> str:
    if not privacy.may_reveal(user, [privacy.Kind.ID_NO, privacy.Kind.BANK_ACCOUNT]):
        raise PermissionDenied(EXPORT_FORBIDDEN)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    return reason


def _log_export(*, batch: BankBatch, user, request, reason: str) -> None:
    printed = {c["field"] for c in batch.layout_spec["sections"][LayoutSection.DETAIL]}
    kinds = [privacy.Kind.BANK_ACCOUNT] + ([privacy.Kind.ID_NO] if LayoutField.ID_NO in printed else [])
    privacy.record_access(
        user=user,
        request=request,
        channel=AccessLog.Channel.EXPORT,
        region_code=batch.roll.county_id,
        record_kind="assistance.bankbatch",
        record_id=batch.pk,
        subject=f"{batch.roll} 代发文件（批次号 {batch.batch_no}）",
        kinds=kinds,
        reason=reason,
        rows=batch.line_count,
    )


# Lines paying something go to the bank, numbered by village and household; a line without an
# account is not sent: it fails at once (无银行账号) and the village gets the task.
INSERT_LINES = """
    INSERT INTO assistance_bankline (batch_id, line_no, payment_line_id, household_id, payee_name,
        payee_id_no, bank_name, bank_account, amount, result, reason, bank_code, bank_message)
    SELECT %(batch)s,
           CASE WHEN l.sendable THEN row_number() OVER (
               PARTITION BY l.sendable ORDER BY h.village_id, h.household_no, l.id) END,
           l.id, l.household_id, l.payee_name, l.payee_id_no, l.bank_name, l.account, l.total_amount,
           CASE WHEN l.sendable THEN 'pending' ELSE 'failed' END,
           CASE WHEN l.sendable THEN '' ELSE 'no_account' END, '', ''
    FROM (SELECT pl.*, regexp_replace(pl.bank_account, '\\s', '', 'g') AS account,
                 regexp_replace(pl.bank_account, '\\s', '', 'g') <> '' AS sendable
          FROM assistance_paymentline pl WHERE pl.roll_id = %(roll)s AND pl.total_amount > 0) l
    JOIN households_household h ON h.id = l.household_id
"""

# A follow-up for each failed line that has none yet (ON CONFLICT: a 回盘 applied twice opens none).
OPEN_FAILURES = """
    INSERT INTO assistance_paymentfailure (bank_line_id, household_id, program, month, amount, reason,
        status, payee_name, payee_id_no, bank_name, bank_account, payee_reason, decision_note, created_at)
    SELECT b.id, b.household_id, l.program, COALESCE((l.rates ->> 'for_month')::date, l.month), b.amount,
           b.reason, 'open', '', '', '', '', '', '', now()
    FROM assistance_bankline b
    JOIN assistance_paymentline l ON l.id = b.payment_line_id
    WHERE b.batch_id = %(batch)s AND b.result = 'failed'
    ON CONFLICT (bank_line_id) DO NOTHING
"""


def _refresh_batch(batch: BankBatch) -> BankBatch:
    """Counts and sums of the batch's lines; the roll becomes 已对账 when no sent line waits."""
    sums = BankLine.objects.filter(batch=batch).aggregate(
        sent=Count("id", filter=Q(line_no__isnull=False)),
        sent_amount=Sum("amount", filter=Q(line_no__isnull=False)),
        unsent=Count("id", filter=Q(line_no__isnull=True)),
        paid=Count("id", filter=Q(result=LineResult.PAID)),
        paid_amount=Sum("amount", filter=Q(result=LineResult.PAID)),
        failed=Count("id", filter=Q(result=LineResult.FAILED)),
        failed_amount=Sum("amount", filter=Q(result=LineResult.FAILED)),
        pending=Count("id", filter=Q(result=LineResult.PENDING)),
    )
    zero = Decimal("0.00")
    batch.line_count, batch.total_amount = sums["sent"], sums["sent_amount"] or zero
    batch.unsent_count = sums["unsent"]
    batch.paid_count, batch.paid_amount = sums["paid"], sums["paid_amount"] or zero
    batch.failed_count, batch.failed_amount = sums["failed"], sums["failed_amount"] or zero
    fields = ["line_count", "total_amount", "unsent_count", "paid_count", "paid_amount", "failed_count",
              "failed_amount"]  # fmt: skip
    if not sums["pending"] and batch.reconciled_at is None:
        batch.reconciled_at = timezone.now()
        fields.append("reconciled_at")
        roll = batch.roll
        roll.status = RollStatus.RECONCILED
        roll.save(update_fields=["status"])
    batch.save(update_fields=fields)
    return batch


@transaction.atomic
def send_roll(
    *, roll: PaymentRoll, layout: BankLayout, user, reason: str, request=None
) -> tuple[BankBatch, BatchFile]:
    """已确认 → 已送银行: the batch, its lines and the file for the bank (recorded in the access log)."""
    require_county(user, _County(roll.county_id))
    reason = check_full_export(user=user, reason=reason)
    roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
    if roll.status == RollStatus.DRAFT:
        raise ValidationError(ROLL_NOT_CONFIRMED)
    if roll.status != RollStatus.CONFIRMED:
        raise ValidationError(ROLL_ALREADY_SENT.format(batch_no=roll.bank_batch.batch_no))
    spec = check_layout(layout, county_code=roll.county_id, program=roll.program)
    batch = BankBatch.objects.create(
        roll=roll, batch_no=batch_number(roll), layout=layout, layout_spec=spec, sent_at=timezone.now(),
        sent_by=user, send_reason=reason,
    )  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(INSERT_LINES, {"batch": batch.pk, "roll": roll.pk})
        if not cur.rowcount:
            raise ValidationError(ROLL_NOTHING_TO_PAY)
        cur.execute(OPEN_FAILURES, {"batch": batch.pk})
    roll.status = RollStatus.SENT
    roll.save(update_fields=["status"])
    batch.roll = roll
    _refresh_batch(batch)
    content = files.render(batch)
    _log_export(batch=batch, user=user, request=request, reason=reason)
    return batch, content


def batch_file(*, batch: BankBatch, user, reason: str, request=None) -> BatchFile:
    """The batch's file again (the bank lost it, a second copy for the archive): recorded each time."""
    require_county(user, _County(batch.roll.county_id))
    reason = check_full_export(user=user, reason=reason)
    content = files.render(batch)
    _log_export(batch=batch, user=user, request=request, reason=reason)
    return content


# ------------------------------------------------------------------ the 回盘


def _check_against_batch(parsed: ReturnFile, batch: BankBatch) -> list[dict]:
    """What the file says about itself: batch numbers, the totals row, count and sum."""
    errors = list(parsed.errors)
    for row in parsed.rows:
        if row.batch_no is not None and row.batch_no != batch.batch_no:
            errors.append({"row": row.row_no, "message": ROW_OTHER_BATCH.format(
                row=row.row_no, value=row.batch_no, batch_no=batch.batch_no)})  # fmt: skip
    totals = parsed.totals
    if totals is not None:
        if totals.batch_no is not None and totals.batch_no != batch.batch_no:
            errors.append({"row": totals.row_no, "message": TOTALS_OTHER_BATCH.format(
                row=totals.row_no, value=totals.batch_no, batch_no=batch.batch_no)})  # fmt: skip
        if totals.count is not None and totals.count != batch.line_count:
            errors.append({"row": totals.row_no, "message": TOTALS_COUNT.format(
                row=totals.row_no, found=totals.count, want=batch.line_count)})  # fmt: skip
        if totals.amount is not None and totals.amount != batch.total_amount:
            errors.append({"row": totals.row_no, "message": TOTALS_AMOUNT.format(
                row=totals.row_no, found=totals.amount, want=batch.total_amount)})  # fmt: skip
    if not parsed.errors:
        if len(parsed.rows) != batch.line_count:
            errors.append(
                {"row": 0, "message": FILE_COUNT.format(found=len(parsed.rows), want=batch.line_count)}
            )
        found = sum((r.amount for r in parsed.rows), Decimal("0.00"))
        if found != batch.total_amount:
            errors.append({"row": 0, "message": FILE_AMOUNT.format(found=found, want=batch.total_amount)})
    return errors


_TEMP_COLUMNS = ["row_no", "line_no", "amount", "result", "reason", "account", "bank_code", "bank_message"]

DUPLICATES = f"""
    SELECT t.row_no, t.line_no, d.first_row FROM tmp_bank_return t
    JOIN (SELECT line_no, min(row_no) AS first_row FROM tmp_bank_return GROUP BY line_no
          HAVING count(*) > 1) d ON d.line_no = t.line_no
    WHERE t.row_no <> d.first_row ORDER BY t.row_no LIMIT {MAX_ERRORS + 1}
"""
UNKNOWN = f"""
    SELECT t.row_no, t.line_no FROM tmp_bank_return t
    WHERE NOT EXISTS (SELECT 1 FROM assistance_bankline b
                      WHERE b.batch_id = %(batch)s AND b.line_no = t.line_no)
    ORDER BY t.row_no LIMIT {MAX_ERRORS + 1}
"""
DIFFERENT = f"""
    SELECT t.row_no, t.line_no, t.amount, b.amount, right(t.account, 4), right(b.bank_account, 4),
           t.amount <> b.amount,
           t.account IS NOT NULL AND t.account <> '' AND position('*' IN t.account) = 0
               AND t.account <> b.bank_account,
           b.result <> 'pending' AND t.result <> b.result, b.result, t.result
    FROM tmp_bank_return t
    JOIN assistance_bankline b ON b.batch_id = %(batch)s AND b.line_no = t.line_no
    WHERE t.amount <> b.amount
       OR (t.account IS NOT NULL AND t.account <> '' AND position('*' IN t.account) = 0
           AND t.account <> b.bank_account)
       OR (b.result <> 'pending' AND t.result <> b.result)
    ORDER BY t.row_no LIMIT {MAX_ERRORS + 1}
"""
MISSING = f"""
    SELECT b.line_no FROM assistance_bankline b
    WHERE b.batch_id = %(batch)s AND b.line_no IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM tmp_bank_return t WHERE t.line_no = b.line_no)
    ORDER BY b.line_no LIMIT {MAX_ERRORS + 1}
"""
APPLY = """
    UPDATE assistance_bankline b
    SET result = t.result, reason = t.reason, bank_code = t.bank_code, bank_message = t.bank_message,
        result_at = now(), bank_return_id = %(return)s
    FROM tmp_bank_return t
    WHERE b.batch_id = %(batch)s AND b.line_no = t.line_no AND b.result = 'pending' AND t.result <> 'pending'
"""


def _match_errors(cur, batch: BankBatch, *, complete: bool) -> list[dict]:
    """Set-based checks of the rows (in tmp_bank_return) against the batch's lines; lines missing
    from the file only when every row could be read (`complete`)."""
    p = {"batch": batch.pk}
    labels = dict(LineResult.choices)
    errors = []
    cur.execute(DUPLICATES)
    for row, line_no, first in cur.fetchall():
        errors.append({"row": row, "message": ROW_DUPLICATE.format(row=row, line_no=line_no, first=first)})
    cur.execute(UNKNOWN, p)
    for row, line_no in cur.fetchall():
        errors.append({"row": row, "message": ROW_UNKNOWN.format(row=row, line_no=line_no)})
    cur.execute(DIFFERENT, p)
    for (
        row,
        n,
        amount,
        want,
        tail,
        want_tail,
        amount_differs,
        account_differs,
        final,
        old,
        new,
    ) in cur.fetchall():
        if amount_differs:
            errors.append({"row": row, "message": ROW_AMOUNT_DIFFERS.format(row=row, line_no=n, found=amount,
                                                                            want=want)})  # fmt: skip
        if account_differs:
            errors.append({"row": row, "message": ROW_ACCOUNT_DIFFERS.format(row=row, line_no=n, found=tail,
                                                                             want=want_tail)})  # fmt: skip
        if final:
            errors.append({"row": row, "message": ROW_RESULT_FINAL.format(row=row, line_no=n, old=labels[old],
                                                                          new=labels[new])})  # fmt: skip
    if complete:
        cur.execute(MISSING, p)
        errors += [{"row": 0, "message": LINE_MISSING.format(line_no=n)} for (n,) in cur.fetchall()]
    return errors


@transaction.atomic
def upload_return(*, batch: BankBatch, user, data: bytes, filename: str) -> BankReturn:
    """Apply a 回盘 whole or not at all. Raises FileRejected (unreadable file) or ReturnRejected
    (row errors); otherwise returns the accepted upload with its counts. The same 回盘 again (also
    after reconciliation) is accepted and changes nothing: applied_count 0."""
    require_county(user, _County(batch.roll.county_id))
    batch = BankBatch.objects.select_for_update().select_related("roll").get(pk=batch.pk)
    parsed = read_return(data, filename, batch.layout_spec)
    errors = _check_against_batch(parsed, batch)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS tmp_bank_return")
        cur.execute(
            "CREATE TEMP TABLE tmp_bank_return (row_no int, line_no int, amount numeric(12, 2), result text, "
            "reason text, account text, bank_code text, bank_message text) ON COMMIT DROP"
        )
        copy_rows(cur, "tmp_bank_return", _TEMP_COLUMNS, (
            (r.row_no, r.line_no, r.amount, r.result, r.reason, r.account, r.bank_code, r.bank_message)
            for r in parsed.rows
        ))  # fmt: skip
        cur.execute("CREATE INDEX ON tmp_bank_return (line_no)")
        cur.execute("ANALYZE tmp_bank_return")
        errors += _match_errors(cur, batch, complete=not parsed.errors)
        if errors:
            raise ReturnRejected(sorted(errors, key=lambda e: e["row"]))
        results = [r.result for r in parsed.rows]
        upload = BankReturn.objects.create(
            batch=batch, filename=filename[:200], sha256=hashlib.sha256(data).hexdigest(),
            line_count=len(results), paid_count=results.count(LineResult.PAID),
            failed_count=results.count(LineResult.FAILED), pending_count=results.count(LineResult.PENDING),
            uploaded_by=user,
        )  # fmt: skip
        cur.execute(APPLY, {"batch": batch.pk, "return": upload.pk})
        upload.applied_count = cur.rowcount
        upload.save(update_fields=["applied_count"])
        cur.execute(OPEN_FAILURES, {"batch": batch.pk})
    _refresh_batch(batch)
    return upload


def reason_counts(lines) -> dict[str, int]:
    """Failed lines by reason (for messages after an upload)."""
    counts = dict(lines.filter(result=LineResult.FAILED).values_list("reason").annotate(n=Count("id")))
    return {FailureReason(k).label: v for k, v in counts.items()}

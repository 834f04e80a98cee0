"""Following up a failed payment until it is re-issued once (R29).

A failed bank line opens a follow-up (assistance.models.PaymentFailure) for the household's village:

- 纠正账户: the village opens a change request of the household's bank account (the registry's own
  change-request chain, 镇审核 → 县核查); its final approval calls `on_change_applied` (a hook the
  registry offers), which marks every follow-up it corrects as 已纠正待补发;
- 更换领款人 (or the same payee whose account works again, e.g. the card is now activated): the
  village names the payee and account with a reason, the county confirms or returns it;
- the county may decide 不予补发 with a reason (e.g. the case was stopped for that month).

A corrected follow-up is paid as a 补发 line on the next draft roll of its program (`add_reissues`,
set-based, called when a roll is generated and when a correction lands while a later draft exists).
The database allows one 补发 line per failed bank line, for its amount only: a second correction or a
回盘 uploaded again cannot pay twice.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from assistance.choices import FailureReason, FailureStatus, RollStatus
from assistance.models import PaymentFailure, PaymentRoll
from assistance.services.common import require_county
from core.choices import Role
from core.idcard import parse_id
from core.permissions import role_of
from core.scoping import is_in_scope
from households.workflow import services as workflow
from households.workflow.choices import ChangeState

ONLY_VILLAGE = "发放失败由户所在村的录入员纠正"
OUT_OF_SCOPE = "该户不在您的管辖范围内"
WRONG_STATUS = "该笔发放失败当前为“{status}”，不能{action}"
ACCOUNT_REQUIRED = "请填写银行账号"
ACCOUNT_FORMAT = "银行账号应为 8 至 32 位数字"
BANK_NAME_REQUIRED = "请填写开户银行"
ACCOUNT_UNCHANGED = "新账号与该户现有账号相同；如原账户已恢复可用，请改用“更换领款人或核实原账户”并说明情况"
PAYEE_NAME_REQUIRED = "请填写领款人姓名"
PAYEE_REASON_REQUIRED = "请填写更换领款人（或原账户已恢复可用）的事由"
NOTE_REQUIRED = "请填写理由"
ACTION_CORRECT = "纠正账户"
ACTION_PAYEE = "更换领款人"
ACTION_CONFIRM = "确认领款人"
ACTION_RETURN = "退回"
ACTION_WAIVE = "决定不予补发"
_DIGITS = re.compile(r"\d{8,32}")


def _lock(failure: PaymentFailure) -> PaymentFailure:
    return PaymentFailure.objects.select_for_update().select_related("household").get(pk=failure.pk)


def _require_village(user, failure: PaymentFailure) -> None:
    if role_of(user) != Role.VILLAGE_CLERK:
        raise PermissionDenied(ONLY_VILLAGE)
    if not is_in_scope(user, failure.household.village_id):
        raise PermissionDenied(OUT_OF_SCOPE)


def _correctable(failure: PaymentFailure) -> bool:
    """Open, or its account change request was withdrawn (the village tries again)."""
    if failure.status == FailureStatus.OPEN:
        return True
    return (
        failure.status == FailureStatus.CORRECTING
        and failure.change_request is not None
        and failure.change_request.state == ChangeState.WITHDRAWN
    )


def _require_status(failure: PaymentFailure, ok: bool, action: str) -> None:
    if not ok:
        raise ValidationError(WRONG_STATUS.format(status=failure.get_status_display(), action=action))


def normalize_account(value: str) -> str:
    account = re.sub(r"\s", "", value or "")
    if not account:
        raise ValidationError({"bank_account": ACCOUNT_REQUIRED})
    if not _DIGITS.fullmatch(account):
        raise ValidationError({"bank_account": ACCOUNT_FORMAT})
    return account


@transaction.atomic
def correct_account(*, failure: PaymentFailure, user, bank_name: str, bank_account: str, note: str = ""):
    """纠正账户: a change request of the household's account, linked to every follow-up of the
    household still waiting for a correction. Returns the change request (already submitted)."""
    failure = _lock(failure)
    _require_village(user, failure)
    _require_status(failure, _correctable(failure), ACTION_CORRECT)
    account = normalize_account(bank_account)
    bank_name = (bank_name or "").strip()
    if not bank_name:
        raise ValidationError({"bank_name": BANK_NAME_REQUIRED})
    household = failure.household
    if account == re.sub(r"\s", "", household.bank_account) and bank_name == household.bank_name:
        raise ValidationError({"bank_account": ACCOUNT_UNCHANGED})
    what = f"{failure.month:%Y年%m月}{failure.get_program_display()}"
    why = f"发放失败纠正账户：{what}（{failure.get_reason_display()}）"
    change = workflow.open_change_request(
        household=household,
        user=user,
        changes={"household": {"bank_name": bank_name, "bank_account": account}},
        note=f"{why}{'；' + note.strip() if note.strip() else ''}"[:200],
    )
    waiting = [
        f
        for f in PaymentFailure.objects.select_for_update(of=("self",))
        .select_related("change_request")
        .filter(household=household, status__in=[FailureStatus.OPEN, FailureStatus.CORRECTING])
        if _correctable(f)
    ]
    PaymentFailure.objects.filter(pk__in=[f.pk for f in waiting]).update(
        status=FailureStatus.CORRECTING, change_request=change, proposed_by=user
    )
    return change


def on_change_applied(*, change_request, user) -> None:
    """The registry's hook: a change request was approved and written. Follow-ups it corrects become
    已纠正待补发 and go onto a later draft roll if one exists. A follow-up not linked to this
    request (e.g. already corrected by an earlier one) is left alone."""
    ids = list(
        PaymentFailure.objects.select_for_update()
        .filter(change_request=change_request, status=FailureStatus.CORRECTING)
        .values_list("pk", flat=True)
    )
    if not ids:
        return
    PaymentFailure.objects.filter(pk__in=ids).update(
        status=FailureStatus.CORRECTED, corrected_at=timezone.now()
    )
    attach_to_drafts(PaymentFailure.objects.filter(pk__in=ids))


@transaction.atomic
def propose_payee(
    *, failure: PaymentFailure, user, payee_name: str, payee_id_no: str, bank_name: str, bank_account: str,
    reason: str,
) -> PaymentFailure:  # fmt: skip
    """更换领款人 (or the same one, account usable again): for the county to confirm."""
    failure = _lock(failure)
    _require_village(user, failure)
    _require_status(failure, _correctable(failure), ACTION_PAYEE)
    payee_name = (payee_name or "").strip()
    if not payee_name:
        raise ValidationError({"payee_name": PAYEE_NAME_REQUIRED})
    id_no = (payee_id_no or "").strip().upper()
    parse_id(id_no)  # ValidationError in Chinese
    account = normalize_account(bank_account)
    if not (bank_name or "").strip():
        raise ValidationError({"bank_name": BANK_NAME_REQUIRED})
    if not (reason or "").strip():
        raise ValidationError({"payee_reason": PAYEE_REASON_REQUIRED})
    failure.payee_name, failure.payee_id_no = payee_name[:50], id_no
    failure.bank_name, failure.bank_account = bank_name.strip()[:60], account
    failure.payee_reason = reason.strip()[:300]
    failure.status = FailureStatus.PAYEE_PROPOSED
    failure.proposed_by = user
    failure.decision_note = ""
    failure.save()
    return failure


def _county_decides(failure: PaymentFailure, user) -> PaymentFailure:
    locked = _lock(failure)
    require_county(user, locked.household)
    return locked


@transaction.atomic
def confirm_payee(*, failure: PaymentFailure, user, note: str = "") -> PaymentFailure:
    failure = _county_decides(failure, user)
    _require_status(failure, failure.status == FailureStatus.PAYEE_PROPOSED, ACTION_CONFIRM)
    failure.status = FailureStatus.CORRECTED
    failure.decided_by, failure.decision_note = user, (note or "").strip()[:300]
    failure.corrected_at = timezone.now()
    failure.save()
    attach_to_drafts(PaymentFailure.objects.filter(pk=failure.pk))
    failure.refresh_from_db()
    return failure


@transaction.atomic
def return_payee(*, failure: PaymentFailure, user, reason: str) -> PaymentFailure:
    failure = _county_decides(failure, user)
    _require_status(failure, failure.status == FailureStatus.PAYEE_PROPOSED, ACTION_RETURN)
    if not (reason or "").strip():
        raise ValidationError({"reason": NOTE_REQUIRED})
    failure.status = FailureStatus.OPEN
    failure.decided_by, failure.decision_note = user, reason.strip()[:300]
    failure.save()
    return failure


@transaction.atomic
def waive(*, failure: PaymentFailure, user, reason: str) -> PaymentFailure:
    """不予补发 (e.g. the case had stopped for that month): the county, with a reason."""
    failure = _county_decides(failure, user)
    ok = failure.status in (FailureStatus.OPEN, FailureStatus.CORRECTING, FailureStatus.PAYEE_PROPOSED,
                            FailureStatus.CORRECTED)  # fmt: skip
    _require_status(failure, ok, ACTION_WAIVE)
    if not (reason or "").strip():
        raise ValidationError({"reason": NOTE_REQUIRED})
    failure.status = FailureStatus.WAIVED
    failure.decided_by, failure.decision_note = user, reason.strip()[:300]
    failure.save()
    return failure


# ------------------------------------------------------------------ 补发 on the next roll

# Corrected follow-ups of the roll's county and program whose failed line was on an earlier roll,
# each as one 补发 line (ON CONFLICT: never a second one). A household with an open 暂停发放 waits.
INSERT_REISSUES = """
    WITH added AS (
        INSERT INTO assistance_paymentline (roll_id, month, program, case_id, kind, household_id,
            payee_name, payee_id_no, bank_name, bank_account, household_size, covered_persons,
            percap_income, standard_month, topup_amount, classified_amount, subsidy_amount, total_amount,
            in_phase_out, rates, parameter_ids, note, held, reissue_of_id)
        SELECT %(roll)s, %(month)s, pl.program, pl.case_id, 'reissue', pl.household_id,
               CASE WHEN f.payee_name <> '' THEN f.payee_name ELSE pl.payee_name END,
               CASE WHEN f.payee_name <> '' THEN f.payee_id_no ELSE pl.payee_id_no END,
               CASE WHEN f.payee_name <> '' THEN f.bank_name ELSE h.bank_name END,
               CASE WHEN f.payee_name <> '' THEN f.bank_account ELSE h.bank_account END,
               pl.household_size, pl.covered_persons, 0, 0, 0, 0, 0, b.amount, false,
               jsonb_build_object('for_month', f.month, 'batch_no', bb.batch_no, 'line_no', b.line_no,
                                  'reason', b.reason, 'failure_id', f.id),
               '[]'::jsonb,
               left(format('补发%%s年%%s月发放失败款（%%s；原批次 %%s 第 %%s 笔）',
                           extract(year FROM f.month), extract(month FROM f.month),
                           %(labels)s::jsonb ->> b.reason, bb.batch_no, COALESCE(b.line_no::text, '—')), 300),
               false, b.id
        FROM assistance_paymentfailure f
        JOIN assistance_bankline b ON b.id = f.bank_line_id
        JOIN assistance_bankbatch bb ON bb.id = b.batch_id
        JOIN assistance_paymentline pl ON pl.id = b.payment_line_id
        JOIN households_household h ON h.id = f.household_id
        WHERE f.status = 'corrected' AND pl.program = %(program)s AND pl.month < %(month)s
          AND h.village_id LIKE %(prefix)s
          AND NOT EXISTS (SELECT 1 FROM assistance_paymenthold ph
                          WHERE ph.household_id = f.household_id AND ph.cleared_at IS NULL
                            AND ph.from_month <= %(month)s)
        ORDER BY f.id
        ON CONFLICT (reissue_of_id) DO NOTHING
        RETURNING reissue_of_id
    )
    UPDATE assistance_paymentfailure f SET status = 'reissued'
    FROM added WHERE f.bank_line_id = added.reissue_of_id
"""


def add_reissues(roll: PaymentRoll) -> int:
    """Put every corrected follow-up due on this (draft) roll; returns how many were added."""
    import json

    with connection.cursor() as cur:
        cur.execute(
            INSERT_REISSUES,
            {
                "roll": roll.pk,
                "month": roll.month,
                "program": roll.program,
                "prefix": roll.county_id[:6] + "%",
                "labels": json.dumps(dict(FailureReason.choices), ensure_ascii=False),
            },
        )
        return cur.rowcount


def attach_to_drafts(failures) -> None:
    """Corrected follow-ups go onto the earliest later draft roll of their program, if one exists
    (otherwise the next roll generated picks them up)."""
    from assistance.services.rolls import refresh_totals

    wanted = failures.filter(status=FailureStatus.CORRECTED).values_list(
        "bank_line__batch__roll__county_id", "program", "bank_line__payment_line__month"
    )
    for county, program, month in set(wanted):
        roll = (
            PaymentRoll.objects.select_for_update()
            .filter(county_id=county, program=program, status=RollStatus.DRAFT, month__gt=month)
            .order_by("month")
            .first()
        )
        if roll is not None and add_reissues(roll):
            refresh_totals(roll)

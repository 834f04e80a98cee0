"""The 工作台 items of paying through the bank: for the county, rolls not yet reconciled (to send, or
waiting for the 回盘), failed payments by reason and payees to confirm; for the village, the failed
payments of its households to correct."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from assistance.banking import selectors
from assistance.choices import FailureReason, FailureStatus, RollStatus
from core.choices import Role
from core.permissions import role_of
from reports import todo

COUNTY_ROLES = {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}
FAILURES_TITLE = "发放失败未补发（按原因）"


def _roll_row(roll, today: dt.date) -> todo.TodoRow:
    batch = getattr(roll, "bank_batch", None) if roll.status == RollStatus.SENT else None
    if batch is None:
        return todo.TodoRow(
            f"{roll}（待送银行）", reverse("admin:assistance_paymentroll_send", args=[roll.pk]),
            detail=f"{roll.line_count} 笔，{roll.total_amount} 元",
        )  # fmt: skip
    waiting = batch.line_count - batch.paid_count - batch.failed_count + batch.unsent_count
    return todo.TodoRow(
        f"{roll}（已送银行，批次 {batch.batch_no}）",
        reverse("admin:assistance_bankbatch_return", args=[batch.pk]),
        detail=f"待回盘 {waiting} 笔",
        days=(today - timezone.localtime(batch.sent_at).date()).days,
    )


def county_items(user, today: dt.date) -> list[todo.TodoItem]:
    if role_of(user) not in COUNTY_ROLES:
        return []
    rolls = selectors.unreconciled_rolls(user).select_related("bank_batch").order_by("month", "program")
    first, count = todo.first_rows(rolls)
    url = reverse("admin:assistance_paymentroll_changelist")
    items = [
        todo.TodoItem(
            "bank.rolls", "发放表未对账（待送银行或待回盘）", count,
            f"{url}?{urlencode({'status__in': f'{RollStatus.CONFIRMED},{RollStatus.SENT}'})}",
            [_roll_row(r, today) for r in first],
        )
    ]  # fmt: skip
    failures = selectors.open_failures(user)
    failure_url = reverse("admin:assistance_paymentfailure_changelist")
    by_reason = list(
        failures.order_by()
        .values("reason")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("-n", "reason")
    )
    rows = [
        todo.TodoRow(
            f"{FailureReason(r['reason']).label} {r['n']} 笔",
            f"{failure_url}?{urlencode({'reason__exact': r['reason']})}",
            detail=f"{r['amount']} 元",
        )
        for r in by_reason
    ]
    # every open failure has a reason: the groups add up to the count
    items.append(
        todo.TodoItem("bank.failures", FAILURES_TITLE, sum(r["n"] for r in by_reason), failure_url, rows)
    )
    proposed = failures.filter(status=FailureStatus.PAYEE_PROPOSED).select_related("household")
    first, count = todo.first_rows(proposed.order_by("created_at", "pk"))
    items.append(
        todo.TodoItem(
            "bank.payees", "更换领款人待县级确认", count,
            f"{failure_url}?{urlencode({'status__exact': FailureStatus.PAYEE_PROPOSED})}",
            [
                todo.TodoRow(
                    f"{f.household.household_no} {f.month:%Y年%m月}{f.get_program_display()}",
                    reverse("admin:assistance_paymentfailure_confirm", args=[f.pk]),
                    detail=f.payee_reason, detail_label="事由：",
                )
                for f in first
            ],
        )
    )  # fmt: skip
    return items


def village_items(user, today: dt.date) -> list[todo.TodoItem]:
    if role_of(user) != Role.VILLAGE_CLERK:
        return []
    qs = selectors.failures_to_correct(user).select_related("household", "bank_line")
    qs = qs.order_by("created_at", "pk")
    rows = [
        todo.TodoRow(
            f"{f.household.household_no} {f.bank_line.payee_name} {f.month:%Y年%m月}{f.get_program_display()}"
            f" {f.amount} 元",
            reverse("admin:assistance_paymentfailure_change", args=[f.pk]),
            detail=f.decision_note or f.get_reason_display(),
            detail_label="县级退回：" if f.decision_note else "失败原因：",
            days=(today - timezone.localtime(f.created_at).date()).days,
        )
        for f in qs[: todo.ROWS_SHOWN]
    ]
    url = f"{reverse('admin:assistance_paymentfailure_changelist')}?{urlencode({'status__exact': 'open'})}"
    return [todo.TodoItem("bank.correct", "发放失败待纠正账户", qs.count(), url, rows)]


def register() -> None:
    todo.register("bank.county", county_items, order=47)
    todo.register("bank.village", village_items, order=48)

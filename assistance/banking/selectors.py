"""Reads of the 代发/回盘 data for pages, the 工作台 and the API; every one starts from scoped()."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from assistance.choices import (
    LOCKED_ROLL_STATUSES,
    OPEN_FAILURE_STATUSES,
    FailureStatus,
    LineKind,
    LineResult,
    Program,
    RollStatus,
)
from assistance.models import PaymentFailure, PaymentLine, PaymentRoll
from core.scoping import scoped
from households.workflow.choices import ChangeState

MONTHS_SHOWN = 24
DRAFT_NOTE = "发放表未确认"
UNSENT_NOTE = "待送银行"


def unreconciled_rolls(user) -> QuerySet:
    """Confirmed rolls not yet sent, and sent rolls still waiting for results (a roll paying nothing
    has nothing to send)."""
    rolls = PaymentRoll.objects.filter(status__in=[RollStatus.CONFIRMED, RollStatus.SENT], total_amount__gt=0)
    return scoped(rolls, user)


def open_failures(user) -> QuerySet:
    """Failed payments not yet re-issued (nor waived)."""
    return scoped(PaymentFailure.objects.filter(status__in=OPEN_FAILURE_STATUSES), user)


def failures_to_correct(user) -> QuerySet:
    """The village's work: open follow-ups, and those whose account change request was withdrawn."""
    waiting = Q(status=FailureStatus.OPEN) | Q(
        status=FailureStatus.CORRECTING, change_request__state=ChangeState.WITHDRAWN
    )
    return scoped(PaymentFailure.objects.filter(waiting), user)


@dataclass
class MonthRow:
    """One month of one program for a household: what was due, sent to the bank and paid."""

    month: dt.date
    program: str
    due: Decimal = Decimal("0.00")
    sent: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    failed: Decimal = Decimal("0.00")
    pending: Decimal = Decimal("0.00")
    notes: list[str] = field(default_factory=list)

    @property
    def program_label(self) -> str:
        return Program(self.program).label


def household_months(household) -> list[MonthRow]:
    """Per month (newest first) and program: due on the confirmed rolls, sent, paid, failed. A 补发
    line counts for the month it re-issues, named in its notes also while its roll is a draft (one
    query; a household has a few lines a month)."""
    fields = ["month", "program", "kind", "total_amount", "rates", "roll__month", "roll__status",
              "bank_line__line_no", "bank_line__amount", "bank_line__result"]  # fmt: skip
    lines = PaymentLine.objects.filter(household=household).order_by("month", "id").values_list(*fields)
    results = dict(LineResult.choices)
    rows: dict[tuple, MonthRow] = {}
    for month, program, kind, amount, rates, roll_month, status, line_no, sent, result in lines:
        reissue = kind == LineKind.REISSUE
        if status not in LOCKED_ROLL_STATUSES and not reissue:
            continue  # a draft roll is not due yet
        if reissue:
            month = dt.date.fromisoformat((rates or {}).get("for_month", str(month)))
        row = rows.setdefault((month, program), MonthRow(month, program))
        if reissue:
            state = results[result] if result else (DRAFT_NOTE if status == RollStatus.DRAFT else UNSENT_NOTE)
            row.notes.append(f"{roll_month:%Y年%m月}发放表补发 {amount} 元（{state}）")
        else:
            row.due += amount
        if sent is not None and line_no is not None:
            row.sent += sent
        if result == LineResult.PAID:
            row.paid += sent
        elif result == LineResult.FAILED:
            row.failed += sent
        elif result == LineResult.PENDING:
            row.pending += sent
    ordered = sorted(rows.values(), key=lambda r: (r.month, r.program), reverse=True)
    return ordered[: MONTHS_SHOWN * 2]

"""暂停发放 holds: placed and cleared by whoever found the reason (the cross-checks in reports), read
by the roll. A held household's regular lines stay on the draft roll, marked 暂停发放 with the
reason in the note and 0 paid, so the roll shows why; clearing the hold pays again from the next
draft (a confirmed roll is never changed).

A hold covers the months from its from_month on while it is open (issue 23, scenario 39): a death
on 20 December holds from January (December was due); another finding holds from the month of the
check. A roll for an earlier month pays as due, also when it is built or rebuilt after the hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from assistance.models import PaymentHold

HELD_NOTE = "暂停发放：{reason}"


@transaction.atomic
def place_holds(*, holds: Iterable[tuple[int, str, str, dt.date]], source: str, placed_by=None) -> int:
    """(household_id, source_ref, reason, from_month) rows; an open hold of the same source and ref
    stays as it is (running a check twice places nothing new). Returns how many were placed.
    placed_by: the person who decided, when a person did (scenario 66)."""
    rows = list(holds)
    if not rows:
        return 0
    created = PaymentHold.objects.bulk_create(
        [
            PaymentHold(
                household_id=h,
                source=source,
                source_ref=ref,
                reason=reason[:300],
                from_month=from_month.replace(day=1),
                placed_by=placed_by,
            )  # fmt: skip
            for h, ref, reason, from_month in rows
        ],
        ignore_conflicts=True,
    )
    return len(created)


def is_held(*, source: str, source_ref: str) -> bool:
    return PaymentHold.objects.filter(source=source, source_ref=source_ref, cleared_at__isnull=True).exists()


@transaction.atomic
def clear_holds(*, source: str, source_ref: str, user=None, reason: str = "") -> int:
    return PaymentHold.objects.filter(source=source, source_ref=source_ref, cleared_at__isnull=True).update(
        cleared_at=timezone.now(), cleared_by=user, cleared_reason=reason[:300]
    )


def apply_holds_to_roll(roll_id: int) -> None:
    """Mark the draft roll's regular lines of households held in the roll's month (0 paid, reason in
    the note); lines whose hold was cleared, or that lie before its first month, were already
    rewritten with their amounts by the roll's upsert."""
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH released AS (
                UPDATE assistance_paymentline l SET held = false
                WHERE l.roll_id = %(roll)s AND l.held AND NOT EXISTS (
                    SELECT 1 FROM assistance_paymenthold h
                    WHERE h.household_id = l.household_id AND h.cleared_at IS NULL
                      AND h.from_month <= l.month)
                RETURNING 1
            )
            UPDATE assistance_paymentline l
            SET held = true, total_amount = 0, note = left(replace(%(note)s, '{reason}', h.reasons), 300)
            FROM (SELECT household_id, string_agg(reason, '；' ORDER BY id) AS reasons
                  FROM assistance_paymenthold
                  WHERE cleared_at IS NULL
                    AND from_month <= (SELECT month FROM assistance_paymentroll WHERE id = %(roll)s)
                  GROUP BY household_id) h
            WHERE l.roll_id = %(roll)s AND l.kind = 'regular' AND h.household_id = l.household_id
              AND (NOT l.held OR l.total_amount <> 0
                   OR l.note IS DISTINCT FROM left(replace(%(note)s, '{reason}', h.reasons), 300))
            """,
            {"roll": roll_id, "note": HELD_NOTE},
        )

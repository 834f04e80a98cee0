"""Pure helpers of the assistance app: months and working days, the 特困 standard (R11). No ORM, no
clock; every figure is an argument. A 低保 amount is never computed here: R7–R10 live once, in
programs.rules.dibao.dibao_amount, and R12's schedule in programs.rules.phase_out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from core.money import to_yuan


def tekun_basic_standard(*, urban_standard_month: Decimal, multiplier: Decimal) -> Decimal:
    """R11: 特困 basic standard = urban 低保 standard × multiplier (S002: 570 × 1.3 = 741.00)."""
    return to_yuan(urban_standard_month * multiplier)


# ---- working days ---------------------------------------------------------------------------


def is_working_day(day: dt.date, overrides: Mapping[dt.date, bool]) -> bool:
    """Monday–Friday, unless the holiday calendar says otherwise (节假日 / 调休)."""
    if day in overrides:
        return overrides[day]
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int, overrides: Mapping[dt.date, bool]) -> dt.date:
    """The date `days` working days after `start` (start itself does not count)."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, overrides):
            left -= 1
    return day


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return first_of_month(day) + relativedelta(months=1)

"""R12 低保渐退: at most max_months (S000: 2 years), end = start + m months − 1 day, a schedule of
monthly amounts (flat / linear down / halving), review against the standard and the upper bound."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from core.money import to_yuan
from programs.rules.params import ParameterSet

MONTHS_OVER_MAX = "渐退期 {months} 个月超过当地规定的最长 {max} 个月"
MONTHS_TOO_FEW = "渐退期至少 1 个月"
NOT_REGISTERED = "非建档立卡低保户，当地规定不享受低保渐退"
SCHEDULE_UNKNOWN = "未知的渐退发放方式“{schedule}”"

CONTINUE = "continue"
BACK_TO_DIBAO = "back_to_dibao"
END_EARLY = "end_early"


def check_months(months: int, params: ParameterSet) -> None:
    maximum = params.integer("phase_out.max_months")
    if months < 1:
        raise ValidationError({"months": MONTHS_TOO_FEW})
    if months > maximum:
        raise ValidationError({"months": MONTHS_OVER_MAX.format(months=months, max=maximum)})


def check_household_may_phase_out(*, is_registered_poor: bool, params: ParameterSet) -> None:
    if not is_registered_poor and not params.boolean("phase_out.allow_non_registered"):
        raise ValidationError(NOT_REGISTERED)


def phase_out_end(start: dt.date, months: int) -> dt.date:
    """end = start + m months − 1 day (scenario 15)."""
    return start + relativedelta(months=months) - dt.timedelta(days=1)


def phase_out_schedule(*, monthly_amount: Decimal, months: int, schedule: str) -> list[Decimal]:
    """Monthly amounts over the period. linear: i-th month pays (m − i)/m; halving: the first
    ceil(m/2) months in full, then half. Each month rounded once from the original amount."""
    if months <= 0:
        return []
    if schedule == "flat":
        return [to_yuan(monthly_amount)] * months
    if schedule == "linear":
        return [to_yuan(monthly_amount * (months - i) / months) for i in range(months)]
    if schedule == "halving":
        full = (months + 1) // 2
        return [to_yuan(monthly_amount)] * full + [to_yuan(monthly_amount / 2)] * (months - full)
    raise ValidationError(SCHEDULE_UNKNOWN.format(schedule=schedule))


def months_between(start: dt.date, month: dt.date) -> int:
    return (month.year - start.year) * 12 + (month.month - start.month)


def phase_out_amount(*, schedule: Sequence[Decimal | str], start: dt.date, month: dt.date) -> Decimal | None:
    """The amount a 渐退 pays in a month (the schedule entry at the month's offset), None outside."""
    idx = months_between(start, month)
    if idx < 0 or idx >= len(schedule):
        return None
    return Decimal(str(schedule[idx]))


def review(*, percap_year: Decimal, standard_year: Decimal, params: ParameterSet) -> str:
    """Income back below the standard → normal 低保; above upper_bound × standard → end early."""
    if percap_year < standard_year:
        return BACK_TO_DIBAO
    if percap_year > params.decimal("phase_out.upper_bound_ratio") * standard_year:
        return END_EARLY
    return CONTINUE

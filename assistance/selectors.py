"""Reads of assistance data; every one starts from households.selectors.scoped()."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from assistance import integration
from assistance.choices import OPEN_PHASE_OUT_STATUSES, MeasureKind, PhaseOutStatus
from assistance.models import AssistanceMeasure, DibaoCase, PhaseOut, RecalculationRun
from core.scoping import scoped
from households.choices import Labor, MemberStatus
from households.models import Household, Member
from households.selectors import households_for

# Working age for the 稳定就业 goal (seed 003): 16 up to the pension age parameter.
WORK_AGE_FROM = 16


def cases_for(user) -> QuerySet:
    return scoped(DibaoCase.objects.select_related("household__village"), user)


def phase_outs_ending_before(*, user, day: dt.date) -> QuerySet:
    return scoped(PhaseOut.objects.filter(status=PhaseOutStatus.ACTIVE, end__lte=day), user).select_related(
        "case__household"
    )


def open_phase_outs(*, user) -> QuerySet:
    return scoped(PhaseOut.objects.filter(status__in=OPEN_PHASE_OUT_STATUSES), user)


def runs_for(user) -> QuerySet:
    return scoped(RecalculationRun.objects.select_related("region"), user)


def gap_annotations(*, as_of: dt.date, region_code: str = "") -> dict:
    """Seed 003's two goals as annotations of a Household queryset: ≥ 1 industry project, and ≥ 1
    member stably employed where the household has an able-bodied member of working age. Shared by
    the 帮扶缺口 list and the statistics summary (reports), so both count the same households."""
    pension_age = int(integration.param("pension.age", region_code=region_code or "00", as_of=as_of))
    stable = int(integration.param("employment.stable_months", region_code=region_code or "00", as_of=as_of))
    oldest_birth = as_of.replace(year=as_of.year - pension_age)
    youngest_birth = as_of.replace(year=as_of.year - WORK_AGE_FROM)
    able = Member.objects.filter(
        household=OuterRef("pk"),
        member_status=MemberStatus.NORMAL,
        labor__in=[Labor.ORDINARY, Labor.SKILLED],
        birth_date__gt=oldest_birth,
        birth_date__lte=youngest_birth,
    )
    employed_member = Member.objects.filter(
        household=OuterRef("pk"), member_status=MemberStatus.NORMAL, work_months__gte=stable
    )
    measures = AssistanceMeasure.objects.filter(household=OuterRef("pk"), cancelled_at__isnull=True)
    return {
        "has_industry": Exists(measures.filter(kind=MeasureKind.INDUSTRY)),
        "has_able_member": Exists(able),
        "has_stable_job": Exists(employed_member) | Exists(measures.filter(is_stable_employment=True)),
    }


def measure_gaps(*, user, as_of: dt.date, region_code: str = "") -> QuerySet:
    """Households annotated with seed 003's two goals (gap_annotations)."""
    return households_for(user).annotate(**gap_annotations(as_of=as_of, region_code=region_code))


def households_missing_goals(*, user, as_of: dt.date) -> QuerySet:
    return measure_gaps(user=user, as_of=as_of).filter(
        Q(has_industry=False) | Q(has_able_member=True, has_stable_job=False)
    )


__all__ = ["Household", "households_missing_goals", "measure_gaps"]

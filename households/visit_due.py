"""When a household is due a visit: a monitored household (风险未消除) every
`visit.interval_days.monitored` days, a household with a 帮扶责任人 every `visit.interval_days.assigned`
days (dated local parameters, read through core's parameter port at the user's region). One place for
the phone's 待办 (field), the 工作台 (reports) and the benchmark, so "overdue" means one thing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core import parameters
from households.choices import MonitoringState
from households.models import HelperAssignment, Visit


@dataclass(frozen=True)
class VisitIntervals:
    monitored_days: int
    assigned_days: int
    today: dt.date

    @property
    def monitored_cutoff(self) -> dt.date:
        return self.today - dt.timedelta(days=self.monitored_days)

    @property
    def assigned_cutoff(self) -> dt.date:
        return self.today - dt.timedelta(days=self.assigned_days)

    def is_overdue(self, *, monitored: bool, assigned: bool, last_visit: dt.date | None) -> bool:
        if monitored:
            return last_visit is None or last_visit < self.monitored_cutoff
        if assigned:
            return last_visit is None or last_visit < self.assigned_cutoff
        return False


def intervals(region_code: str | None, today: dt.date | None = None) -> VisitIntervals:
    today = today or timezone.localdate()
    code = (region_code or "").ljust(12, "0")
    return VisitIntervals(
        monitored_days=int(parameters.value("visit.interval_days.monitored", region_code=code, as_of=today)),
        assigned_days=int(parameters.value("visit.interval_days.assigned", region_code=code, as_of=today)),
        today=today,
    )


def current_assignment_q(today: dt.date, household_ref: str = "pk") -> Q:
    return Q(household=OuterRef(household_ref), start__lte=today) & (Q(end__isnull=True) | Q(end__gte=today))


def with_visit_facts(households: QuerySet, today: dt.date) -> QuerySet:
    """Each household's last 走访 date and whether it has a 帮扶责任人 today (indexed subqueries)."""
    last = Visit.objects.filter(household=OuterRef("pk")).order_by("-visit_date").values("visit_date")[:1]
    return households.annotate(
        last_visit=Subquery(last),
        has_helper=Exists(HelperAssignment.objects.filter(current_assignment_q(today))),
    )


def overdue_q(due: VisitIntervals) -> Q:
    """On a queryset from with_visit_facts(): households past their visit interval."""
    monitored = Q(monitoring_state=MonitoringState.AT_RISK)
    return (monitored & (Q(last_visit__isnull=True) | Q(last_visit__lt=due.monitored_cutoff))) | (
        ~monitored & Q(has_helper=True) & (Q(last_visit__isnull=True) | Q(last_visit__lt=due.assigned_cutoff))
    )


def who_can_be_overdue(households: QuerySet, today: dt.date) -> QuerySet:
    """The households of a queryset overdue_q() can match at all: monitored (风险未消除) or with a
    帮扶责任人 today. The same rows overdue_q() finds, narrowed first by two indexed reads (the
    monitored households of the scope, the current assignments) instead of testing every household of
    the scope: a township's 50,000 households took 30-50 ms, and the plan's cost estimate made
    PostgreSQL compile it with JIT (0.3 s) where that is on."""
    monitored = households.filter(monitoring_state=MonitoringState.AT_RISK).order_by().values("pk")
    assigned = (
        HelperAssignment.objects.filter(household__in=households.order_by().values("pk"), start__lte=today)
        .exclude(end__lt=today)
        .values("household_id")
    )  # of the same households: never every assignment of every county
    return households.filter(pk__in=monitored.union(assigned))


def overdue_expr(due: VisitIntervals) -> ExpressionWrapper:
    """overdue_q() as a column (to sort overdue households first)."""
    return ExpressionWrapper(overdue_q(due), output_field=BooleanField())

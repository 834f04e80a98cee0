"""Reads of 防返贫监测, every one through scoped(): leads with their current deadline and its colour,
monitored households without a measure."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, DateField, Exists, F, OuterRef, Q, QuerySet, When

from assistance.models import AssistanceMeasure
from assistance.monitoring.choices import Decision, LeadStatus, Purpose
from assistance.monitoring.models import MonitoringLead, MonitoringRecord
from assistance.monitoring.params import monitoring_params
from core.scoping import scoped


def episode_q(household_path: str = "household__") -> Q:
    """Approved 纳入监测 identifications (one monitoring episode each). Their households are flagged
    (records.on_decided sets monitoring_state and nothing clears it), so counting starts from the
    flagged households' partial index instead of a county's million (bench/monitoring.py)."""
    return Q(purpose=Purpose.IDENTIFY, decision=Decision.INCLUDED) & ~Q(
        **{f"{household_path}monitoring_state": "none"}
    )


def leads_for(user) -> QuerySet:
    return scoped(MonitoringLead.objects.all(), user)


def with_due(qs: QuerySet) -> QuerySet:
    """The deadline a lead is held to now: 入户核实 while open, 认定 while in review."""
    return qs.exclude(status=LeadStatus.CLOSED).annotate(
        due=Case(
            When(status=LeadStatus.OPEN, then=F("verify_deadline")),
            default=F("identify_deadline"),
            output_field=DateField(),
        )
    )


def red_days(user, today: dt.date) -> int:
    """monitor.overdue_red_days where the user sits (a county's own version, else the default)."""
    code = (user.region_id or "").ljust(12, "0") if getattr(user, "region_id", None) else "00"
    return int(monitoring_params(region_code=code, as_of=today)["monitor.overdue_red_days"])


def overdue_leads(user, today: dt.date, *, red_only: bool = False) -> QuerySet:
    qs = with_due(leads_for(user))
    limit = today - dt.timedelta(days=red_days(user, today)) if red_only else today
    return qs.filter(due__lt=limit)


def open_episodes(user) -> QuerySet:
    return scoped(
        MonitoringRecord.objects.filter(
            purpose=Purpose.IDENTIFY, decision=Decision.INCLUDED, eliminated_on__isnull=True
        ),
        user,
    )


def episodes_without_measure(user) -> QuerySet:
    measured = AssistanceMeasure.objects.filter(monitoring_record=OuterRef("pk"), cancelled_at__isnull=True)
    return open_episodes(user).filter(~Exists(measured))


def overdue_q(today: dt.date) -> Q:
    return Q(due__lt=today)

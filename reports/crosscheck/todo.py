"""The 工作台 to-do item of the cross-checks: the 疑点 the user's level acts on now."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from core.permissions import role_of
from reports import todo
from reports.crosscheck.choices import HitStatus, Severity
from reports.crosscheck.selectors import open_hits_for

TITLES = {
    Role.VILLAGE_CLERK: "信息比对疑点待核实",
    Role.TOWNSHIP_REVIEWER: "信息比对疑点待确认",
}
UNRESOLVED = "信息比对疑点未办结"


def open_hits(user, today: dt.date) -> list[todo.TodoItem]:
    role = role_of(user)
    if role == Role.CITY_SUPERVISOR:
        return []  # the city sees counts per county (/api/v1/cross-checks/counts/), not 疑点
    qs = open_hits_for(user)
    # The first rows by deadline, then their village, household and member: joined before the limit,
    # the planner hashed every household of the county to sort 11,000 疑点 (0.3-0.5 s at 1,000,000
    # households, bench/pages.py); limited first it reads five.
    first = qs.order_by("deadline", "pk").values("pk")[: todo.ROWS_SHOWN]
    rows = [
        todo.TodoRow(
            f"{hit.village.name} {hit.household.household_no} {hit.get_rule_display()}"
            f"（风险{hit.get_severity_display()}）",
            reverse("admin:reports_hit_change", args=[hit.pk]),
            detail=hit.reason,
            detail_label=f"核实期限 {hit.deadline:%Y-%m-%d}：",
            days=(today - timezone.localdate(hit.created_at)).days,
        )
        for hit in qs.filter(pk__in=first).order_by("deadline", "pk")
    ]
    status = HitStatus.ANSWERED if role == Role.TOWNSHIP_REVIEWER else HitStatus.OPEN
    url = f"{reverse('admin:reports_hit_changelist')}?status__exact={status}"
    # The count and whether any is overdue or 高: one pass over the scope's 疑点.
    figures = qs.order_by().aggregate(
        n=Count("pk"),
        overdue=Count("pk", filter=Q(status=HitStatus.OPEN, deadline__lt=today)),
        high=Count("pk", filter=Q(severity=Severity.HIGH)),
    )
    item = todo.TodoItem(
        "crosscheck",
        TITLES.get(role, UNRESOLVED),
        figures["n"],
        url,
        rows,
        alert=bool(figures["overdue"] or figures["high"]),
    )
    return [item]


def register() -> None:
    todo.register("crosscheck", open_hits, order=55)

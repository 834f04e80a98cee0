"""The 工作台 to-do item of the cross-checks: the 疑点 the user's level acts on now."""

from __future__ import annotations

import datetime as dt

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
    rows = [
        todo.TodoRow(
            f"{hit.village.name} {hit.household.household_no} {hit.get_rule_display()}"
            f"（风险{hit.get_severity_display()}）",
            reverse("admin:reports_hit_change", args=[hit.pk]),
            detail=hit.reason,
            detail_label=f"核实期限 {hit.deadline:%Y-%m-%d}：",
            days=(today - timezone.localdate(hit.created_at)).days,
        )
        for hit in qs.order_by("deadline", "pk")[: todo.ROWS_SHOWN]
    ]
    status = HitStatus.ANSWERED if role == Role.TOWNSHIP_REVIEWER else HitStatus.OPEN
    url = f"{reverse('admin:reports_hit_changelist')}?status__exact={status}"
    overdue = qs.filter(status=HitStatus.OPEN, deadline__lt=today).exists()
    high = qs.filter(severity=Severity.HIGH).exists()
    item = todo.TodoItem(
        "crosscheck", TITLES.get(role, UNRESOLVED), qs.count(), url, rows, alert=overdue or high
    )
    return [item]


def register() -> None:
    todo.register("crosscheck", open_hits, order=55)

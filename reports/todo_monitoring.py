"""The 工作台 items of 防返贫监测: leads waiting for 入户核实, deadlines missed — orange (逾期) on the
village's and township's 工作台, red on the county's once past the second limit
(monitor.overdue_red_days) — and monitored households without a measure."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse

from assistance.monitoring import rules
from assistance.monitoring import selectors as sel
from assistance.monitoring.choices import LeadStatus
from core.choices import Role
from core.permissions import role_of
from programs.rules.params import ParameterMissing
from reports import todo

LOCAL = {Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER}
COUNTY = {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}


def _lead_text(lead) -> str:
    who = lead.household.household_no if lead.household_id else (lead.name or "未登记人员")
    return f"{lead.village.name} {who} {lead.get_source_display()}"


def _rows(qs, today: dt.date, red: int) -> tuple[list[todo.TodoRow], int]:
    """The first leads by deadline and how many there are (todo.first_rows)."""
    leads, count = todo.first_rows(qs.select_related("village", "household").order_by("due", "pk"))
    rows = []
    for lead in leads:
        label = "入户核实" if lead.status == LeadStatus.OPEN else "认定"
        rows.append(
            todo.TodoRow(
                _lead_text(lead),
                reverse("admin:assistance_monitoringlead_change", args=[lead.pk]),
                detail=f"{label}期限 {lead.due:%Y-%m-%d}",
                tone=rules.overdue(lead.due, today, red),
            )
        )
    return rows, count


def _url(**query) -> str:
    return f"{reverse('admin:assistance_monitoringlead_changelist')}?{urlencode(query)}"


def leads(user, today: dt.date) -> list[todo.TodoItem]:
    role = role_of(user)
    if role not in LOCAL | COUNTY:
        return []
    try:
        red = sel.red_days(user, today)
    except ParameterMissing:  # no monitoring parameters on that day (before 2021): no monitoring work
        return []
    items = []
    if role in LOCAL:
        waiting = sel.with_due(sel.leads_for(user).filter(status=LeadStatus.OPEN))
        rows, count = _rows(waiting, today, red)
        items.append(
            todo.TodoItem("monitoring.leads", "监测线索待入户核实", count, _url(status="open"), rows)
        )
        rows, count = _rows(sel.overdue_leads(user, today), today, red)
        items.append(
            todo.TodoItem(
                "monitoring.overdue", "监测线索逾期（入户核实或认定超期）", count,
                _url(overdue="verify"), rows, alert=True, tone="orange",
            )
        )  # fmt: skip
    else:
        rows, count = _rows(sel.overdue_leads(user, today, red_only=True), today, red)
        items.append(
            todo.TodoItem(
                "monitoring.overdue_red", f"监测线索严重逾期（超期{red}天以上）", count,
                _url(overdue="verify"), rows, alert=True, tone="red",
            )
        )  # fmt: skip
    gaps = sel.episodes_without_measure(user).select_related("household")
    episodes, count = todo.first_rows(gaps.order_by("first_measure_deadline", "pk"))
    rows = [
        todo.TodoRow(
            f"监测户 {e.household.household_no}",
            reverse("admin:assistance_monitoringrecord_change", args=[e.pk]),
            detail=f"首次帮扶期限 {e.first_measure_deadline:%Y-%m-%d}" if e.first_measure_deadline else "",
            tone=rules.overdue(e.first_measure_deadline, today, red),
        )
        for e in episodes
    ]
    url = f"{reverse('admin:assistance_monitoringrecord_changelist')}?decision=included"
    items.append(todo.TodoItem("monitoring.no_measure", "监测户未落实帮扶措施", count, url, rows, alert=True))
    return items


def register() -> None:
    todo.register("monitoring", leads, order=35)

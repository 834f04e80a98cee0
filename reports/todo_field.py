"""The 工作台 items of field work (issue 26): visits this month per village (a status line for every
level), and households past their visit interval (households.visit_due: the phone's 待办 counts the
same) per 帮扶责任人 — orange, on the village's and the township's 工作台, where the visits are arranged.
The county's 工作台 leaves the per-household list out: a county of a million households is read by
the statistics, not a to-do card."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from core.choices import Role
from core.permissions import role_of
from core.scoping import scoped
from households import visit_due, visit_proposals
from households.choices import FieldChange
from households.models import HelperAssignment, Visit
from households.selectors import households_for
from programs.rules.params import ParameterMissing
from reports import todo

LOCAL = {Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER}
COUNTED = LOCAL | {Role.COUNTY_ADMIN, Role.CITY_SUPERVISOR, Role.SYSTEM_ADMIN}
OVERDUE_LISTED = 200  # households looked at for the per-helper rows (the count covers them all)
UNASSIGNED = "未分配帮扶责任人的监测户"


def _households_url(**query) -> str:
    return f"{reverse('admin:households_household_changelist')}?{urlencode(query)}"


def visits_this_month(user, today: dt.date) -> list[dict]:
    """[{village, name, visits, households}] of the month so far, in the user's scope (scoped())."""
    return list(
        scoped(Visit.objects.filter(visit_date__gte=today.replace(day=1), visit_date__lte=today), user)
        .values("household__village_id", "household__village__name")
        .annotate(visits=Count("pk"), households=Count("household", distinct=True))
        .order_by("household__village_id")
    )


def overdue_by_helper(user, due: visit_due.VisitIntervals) -> tuple[int, list[tuple[str, list]]]:
    """(households overdue, [(helper label, [households …]), …]) in the user's scope."""
    today = due.today
    households = visit_due.who_can_be_overdue(households_for(user), today)
    overdue = visit_due.with_visit_facts(households, today).filter(visit_due.overdue_q(due))
    rows = list(
        overdue.only("pk", "household_no", "monitoring_state").order_by("last_visit", "pk")[:OVERDUE_LISTED]
    )
    count = len(rows) if len(rows) < OVERDUE_LISTED else overdue.count()
    helpers: dict[str, list] = defaultdict(list)
    current = HelperAssignment.objects.filter(
        household_id__in=[h.pk for h in rows], start__lte=today
    ).exclude(end__lt=today)
    helper_of = {a.household_id: str(a.helper) for a in current.select_related("helper")}
    for household in rows:
        helpers[helper_of.get(household.pk, UNASSIGNED)].append(household)
    return count, sorted(helpers.items(), key=lambda kv: -len(kv[1]))


def proposals_item(user) -> list[todo.TodoItem]:
    """走访发现信息变化 N 条: the village clerk turns each into a change request or dismisses it (on the
    phone pages, /m/change/N/)."""
    pending = visit_proposals.pending_for(user)
    count = pending.count()
    if not count:
        return []
    rows = [
        todo.TodoRow(
            f"户编号 {v.household.household_no}",
            reverse("field:proposal", args=[v.pk]),
            detail=f"{v.visitor} {v.visit_date:%m月%d日}走访发现"
            + FieldChange(v.proposed_changes.get("kind", FieldChange.OTHER)).label
            + "有变化",
        )
        for v in pending.select_related("household").order_by("visit_date", "pk")[: todo.ROWS_SHOWN]
    ]
    return [todo.TodoItem("field.proposals", "走访发现信息变化", count, reverse("field:todo"), rows)]


def items(user, today: dt.date) -> list[todo.TodoItem]:
    role = role_of(user)
    if role not in COUNTED:
        return []
    out = proposals_item(user) if role == Role.VILLAGE_CLERK else []
    months = visits_this_month(user, today)
    if months:
        total = sum(m["visits"] for m in months)
        rows = [
            todo.TodoRow(
                m["household__village__name"],
                _households_url(village=m["household__village_id"]),
                detail=f"本月走访 {m['visits']} 户次（{m['households']} 户）",
            )
            for m in months[: todo.ROWS_SHOWN]
        ]
        url = rows[0].url if len(rows) == 1 else _households_url()
        out.append(
            todo.TodoItem("field.visits_month", f"本月走访（{today.month}月）", total, url, rows, alert=True)
        )
    if role in LOCAL:
        try:
            due = visit_due.intervals(user.region_id, today)
        except ParameterMissing:  # no visit interval in force on that day (before 2021): nothing is overdue
            return out
        count, groups = overdue_by_helper(user, due)
        rows = [
            todo.TodoRow(
                f"{label} {len(households)} 户",
                reverse("admin:households_household_change", args=[households[0].pk]),
                detail="、".join(h.household_no for h in households[:6])
                + ("等" if len(households) > 6 else ""),
                tone="orange",
            )
            for label, households in groups[: todo.ROWS_SHOWN]
        ]
        out.append(
            todo.TodoItem(
                "field.overdue", f"逾期未走访（监测户{due.monitored_days}天、结对户{due.assigned_days}天）",
                count, _households_url(), rows, alert=True, tone="orange",
            )
        )  # fmt: skip
    return out


def register() -> None:
    todo.register("field", items, order=40)

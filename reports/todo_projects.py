"""扶贫项目库 items of the 工作台 (issue 29) besides the chain's (drafts, 退回, 待我审核: reports.todo's
KINDS): the county's own next steps, 入库未发布公告 and 验收未发布结果公示."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.choices import ReviewState, Role
from core.permissions import role_of
from core.scoping import scoped
from projects.choices import Stage
from projects.models import Project
from reports import todo

CHANGELIST = "admin:projects_project_changelist"
RECORD = "admin:projects_project_change"
# The county's next step on its own, and since when the project waits for it.
COUNTY_STEPS = (
    (Stage.IN_LIBRARY, "已入库未发布实施前公告的项目", "decided_at"),
    (Stage.ACCEPTED, "已验收未发布结果公示的项目", "updated_at"),
)


def _item(today: dt.date, key: str, title: str, qs) -> todo.TodoItem:
    records, count = todo.first_rows(qs.order_by("since", "pk"))
    rows = [
        todo.TodoRow(
            f"{r.year}年 {r.name}",
            reverse(RECORD, args=[r.pk]),
            days=(today - timezone.localdate(r.since)).days if r.since else None,
        )
        for r in records
    ]
    return todo.TodoItem(key, title, count, reverse(CHANGELIST), rows)


def projects(user, today: dt.date) -> list[todo.TodoItem]:
    role = role_of(user)
    items = []
    mine = scoped(Project.objects.all(), user)
    if role == Role.COUNTY_ADMIN:
        for stage, title, since in COUNTY_STEPS:
            qs = mine.filter(review_state=ReviewState.VERIFIED, stage=stage).annotate(since=F(since))
            items.append(_item(today, f"projects.{stage}", title, qs))
    return items


def register() -> None:
    todo.register("projects", projects, order=38)

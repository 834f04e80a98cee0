"""Reads of the registry's workflow: change requests, the transition log and field history of a household."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.db.models import Prefetch, QuerySet

from core import privacy
from core.models import WorkflowEvent
from core.scoping import scoped
from households.workflow.changes import MODELS, display_value
from households.workflow.choices import ChangeTarget
from households.workflow.models import ChangeItem, ChangeRequest


def change_requests_for(user) -> QuerySet:
    active = ChangeItem.objects.filter(superseded_at__isnull=True)
    return scoped(
        ChangeRequest.objects.select_related(
            "household", "household__village", "created_by"
        ).prefetch_related(Prefetch("items", queryset=active, to_attr="current_items")),
        user,
    )


def change_summary(change: ChangeRequest) -> str:
    """'户信息：联系电话、危房等级；家庭成员：健康状况' from prefetched items, without queries."""
    parts = []
    for item in getattr(change, "current_items", None) or change.active_items():
        model = MODELS[item.target]
        labels = "、".join(str(model._meta.get_field(n).verbose_name) for n in item.new_values)
        suffix = "（新增）" if item.target_id is None else ""
        parts.append(f"{ChangeTarget(item.target).label}{suffix}：{labels}")
    return "；".join(parts)


def events_for_household(*, household, user) -> QuerySet:
    """Every logged step of the household and of its change requests, newest first."""
    return scoped(WorkflowEvent.objects.filter(household_id=household.pk), user).select_related(
        "actor", "actor_region"
    )


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str
    what: str  # 户信息 / 家庭成员 / 年度收入
    label: str  # 新增 / 修改
    changes: list[tuple[str, str, str]]  # (field label, old, new)


_EVENT_MODELS = {
    "households.HouseholdEvent": ("户信息", "households.Household"),
    "households.MemberEvent": ("家庭成员", "households.Member"),
    "households.IncomeYearEvent": ("年度收入", "households.IncomeYear"),
}
_HIDDEN = {"updated_at", "created_at", "id", "household", "birth_date"}


def household_history(*, household, user=None, limit: int = 200) -> list[HistoryRow]:
    """Field-level history (who changed what, when) of the household, its members and incomes, from
    the pghistory trigger events. Two queries: the events, then the users named in their context."""
    from pghistory.models import Events

    User = apps.get_model("core", "User")
    events = list(
        Events.objects.references(household)
        .across(*_EVENT_MODELS)
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    user_ids = {(e.pgh_context or {}).get("user") for e in events} - {None}
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)}
    rows = []
    for event in events:
        what, model_label = _EVENT_MODELS.get(event.pgh_model, (event.pgh_model, None))
        if model_label is None:
            continue
        model = apps.get_model(model_label)
        user_id = (event.pgh_context or {}).get("user")
        changes = []
        if event.pgh_label == "update" and event.pgh_diff:
            for name, (old, new) in event.pgh_diff.items():
                field = _field(model, name)
                if field is None:
                    continue
                old, new = (
                    privacy.masked_text(model, name, display_value(field, v), user) for v in (old, new)
                )
                changes.append((str(field.verbose_name), old, new))
            if not changes:
                continue
        label = "新增" if event.pgh_label == "insert" else "修改"
        if event.pgh_model == "households.MemberEvent":
            what = f"{what}：{event.pgh_data.get('name', '')}"
        rows.append(HistoryRow(event.pgh_created_at, names.get(user_id, "系统"), what, label, changes))
    return rows


def _field(model, name: str):
    if name in _HIDDEN:
        return None
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    return None

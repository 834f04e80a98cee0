"""Change requests as structured diffs: building, validating and displaying them.

A change item holds, for one row (the household, a member, an income year), only the fields that
differ: {field: new} plus {field: old} as the row stood when the request was made. Values are
stored as JSON (Decimal and dates as strings) and read back through the model field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from core import privacy
from core.workflow.errors import TransitionError
from households.models import Household, IncomeYear, Member
from households.workflow import errors as e
from households.workflow.choices import ChangeTarget
from households.workflow.models import ChangeItem

# Fields a change request never touches: workflow state goes through its own services.
LOCKED_FIELDS = {
    ChangeTarget.HOUSEHOLD: {
        "id",
        "review_state",
        "poverty_status",
        "monitoring_state",
        "democratic_review_date",
        "exit_year",
        "created_by",
        "created_at",
        "updated_at",
        "archived_at",
        "archive_reason",
    },
    ChangeTarget.MEMBER: {"id", "household", "birth_date"},
    ChangeTarget.INCOME: {"id", "household"},
}
MODELS = {ChangeTarget.HOUSEHOLD: Household, ChangeTarget.MEMBER: Member, ChangeTarget.INCOME: IncomeYear}
ROW_KEYS = {"members": ChangeTarget.MEMBER, "incomes": ChangeTarget.INCOME}


def dump_value(value):
    """A Python value as JSON-safe data (Decimal and dates as strings, model instances as pk)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [dump_value(v) for v in value]
    return value


def load_value(field: models.Field, raw):
    if raw is None:
        return None
    if isinstance(field, models.ForeignKey):
        return field.target_field.to_python(raw)
    return field.to_python(raw)


def _field(model, name: str, target: str) -> models.Field:
    if name in LOCKED_FIELDS[target]:
        raise TransitionError(e.CHANGE_FIELD_LOCKED.format(label=name))
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        raise TransitionError(e.CHANGE_FIELD_LOCKED.format(label=name)) from None
    if not field.concrete or not field.editable:
        raise TransitionError(e.CHANGE_FIELD_LOCKED.format(label=field.verbose_name))
    return field


def _same(field, old, new) -> bool:
    return dump_value(load_value(field, dump_value(old))) == dump_value(load_value(field, dump_value(new)))


def _item_for(*, target: str, obj, values: dict) -> ChangeItem | None:
    model = MODELS[target]
    old_values, new_values = {}, {}
    for name, new in values.items():
        field = _field(model, name, target)
        if obj is None:
            if new in (None, "", []) and field.has_default():
                continue
            new_values[field.name] = dump_value(new)
            continue
        old = getattr(obj, field.attname)
        if not _same(field, old, new):
            old_values[field.name] = dump_value(old)
            new_values[field.name] = dump_value(load_value(field, dump_value(new)))
    if not new_values:
        return None
    return ChangeItem(
        target=target,
        target_id=obj.pk if obj is not None else None,
        old_values=old_values,
        new_values=new_values,
    )


def build_items(*, household: Household, changes: dict) -> list[ChangeItem]:
    """changes = {"household": {field: value}, "members": [{"id": pk|None, field: value}],
    "incomes": [...]}. Unchanged fields are dropped; rows of another household are refused."""
    items = []
    item = _item_for(target=ChangeTarget.HOUSEHOLD, obj=household, values=changes.get("household") or {})
    if item:
        items.append(item)
    for key, target in ROW_KEYS.items():
        rows = changes.get(key) or []
        ids = [r["id"] for r in rows if r.get("id")]
        existing = {o.pk: o for o in MODELS[target]._default_manager.filter(household=household, pk__in=ids)}
        for row in rows:
            values = {k: v for k, v in row.items() if k != "id"}
            pk = row.get("id")
            if pk and pk not in existing:
                raise TransitionError(e.CHANGE_UNKNOWN_ROW.format(target=ChangeTarget(target).label, pk=pk))
            item = _item_for(target=target, obj=existing.get(pk) if pk else None, values=values)
            if item:
                items.append(item)
    return items


def validate_items(*, household: Household, items: list[ChangeItem]) -> None:
    """Each proposed row must be valid on its own (field validators, clean(), constraints), as it
    would be after approval. Nothing is written."""
    for item in items:
        model = MODELS[item.target]
        if item.target == ChangeTarget.HOUSEHOLD:
            candidate = Household.objects.get(pk=household.pk)
        elif item.target_id is None:
            candidate = model(household=household)
        else:
            candidate = model._default_manager.get(pk=item.target_id)
        for name, raw in item.new_values.items():
            field = model._meta.get_field(name)
            setattr(candidate, field.attname, load_value(field, raw))
        candidate.full_clean(exclude=["household"] if item.target != ChangeTarget.HOUSEHOLD else None)


# ---- display


@dataclass(frozen=True)
class DiffRow:
    row: str  # "户信息", "家庭成员：张三", "年度收入：2018-10至2019-09"
    field: str  # Chinese label
    old: str
    new: str


def display_value(field: models.Field, raw) -> str:
    value = load_value(field, raw)
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(field, models.ForeignKey):
        obj = field.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else str(value)
    base = getattr(field, "base_field", None)
    if base is not None and base.choices:
        labels = dict(base.flatchoices)
        return "、".join(str(labels.get(v, v)) for v in value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def diff_rows(items, user=None) -> list[DiffRow]:
    """Field-by-field diff (old → new) in Chinese labels, in a fixed order."""
    rows = []
    for item in items:
        model = MODELS[item.target]
        label = ChangeTarget(item.target).label
        if item.target == ChangeTarget.HOUSEHOLD:
            row = label
        elif item.target_id is None:
            row = f"{label}（新增）{item.new_values.get('name', '')}"
        else:
            obj = model._default_manager.filter(pk=item.target_id).first()
            row = f"{label}：{obj}" if obj is not None else f"{label}#{item.target_id}"
        for name, raw in item.new_values.items():
            field = model._meta.get_field(name)
            old = display_value(field, item.old_values.get(name)) if item.target_id is not None else "—"
            # The personal-data policy: review pages show identifying values masked.
            old, new = (privacy.masked_text(model, name, v, user) for v in (old, display_value(field, raw)))
            rows.append(DiffRow(row=row, field=str(field.verbose_name), old=old, new=new))
    return rows


def validation_message(exc: ValidationError) -> str:
    return "；".join(exc.messages)

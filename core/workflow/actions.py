"""Actions on a record's own page: the status banner and the steps this user may take now.

Each chained record kind (household, change request, 低保/特困/两项补贴 case …) registers the steps
of its page with `register_actions()`; every step calls the same service as the list action. A
step is offered only when its service would accept it now: `available_actions()` runs each
candidate inside a savepoint that is always rolled back, so the buttons never disagree with the
services (role, scope, state, segregation of duties, dates) and nothing is written. A step may
name the roles its service lets take it at all (`roles`): for anyone else it is not tried (the
service would refuse it for the role before anything else), which spares a page most of its trials.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.choices import ReviewState
from core.models import Region
from core.permissions import role_of
from core.workflow import services as chain
from core.workflow.choices import WorkflowAction, state_label
from core.workflow.config import CITY, VILLAGE, chain_for, kind_of
from core.workflow.errors import RECORD_BUSY
from core.workflow.models import WorkflowEvent

NOT_OFFERED = "该操作当前不能执行"
RETURN_ACTIONS = (WorkflowAction.RETURN, WorkflowAction.CITY_OBJECTION, WorkflowAction.OBJECTION)
LEVEL_WORDS = {"village": "村", "township": "乡镇", "county": "县"}
CODE_LENGTHS = {"village": 12, "township": 9, "county": 6}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "请填写原因"}
    )


class DatedReasonForm(ReasonForm):
    received_on = forms.DateField(
        label="收到日期", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )


class PublicityStartForm(forms.Form):
    start = forms.DateField(
        label="公示开始日期", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    place = forms.CharField(label="公示地点", max_length=200, initial="村务公开栏")


@dataclass(frozen=True)
class RecordAction:
    """One button of a record page. `run(record, user, data)` calls the service; `data` is the
    cleaned form (reason, dates …) or {}. `probe` is the data used to ask the service in advance."""

    slug: str
    label: str
    run: Callable
    done: str = "已办理"
    form: type[forms.Form] | None = None
    probe: Callable[[], dict] = field(default=dict)
    danger: bool = False
    confirm: str = ""  # a one-line question before a step without a form
    # The roles the step's service accepts it from at all, given the record (None: not said, tried
    # for everyone); a page does not try the step for any other role.
    roles: Callable[[object], Collection[str]] | None = None


def _probe_reason() -> dict:
    return {"reason": "（试算）"}


def with_reason(slug: str, label: str, run: Callable, done: str, roles=None) -> RecordAction:
    """A step that needs a reason (退回, 异议, 不予确认): asked in a dialog, shown in red."""
    return RecordAction(
        slug, label, run, done=done, form=ReasonForm, probe=_probe_reason, danger=True, roles=roles
    )


_ACTIONS: dict[str, list[RecordAction]] = {}


def register_actions(model_label: str, actions: list[RecordAction]) -> None:
    _ACTIONS[model_label] = list(actions)


def actions_of(record) -> list[RecordAction]:
    return _ACTIONS.get(record._meta.label, [])


def action_named(record, slug: str) -> RecordAction | None:
    return next((a for a in actions_of(record) if a.slug == slug), None)


class _Rollback(Exception):
    pass


# A page asks each step's service in advance, in a transaction rolled back; the service locks the
# row NOWAIT. Another person's step (or another page's probe) holds that lock for milliseconds, so
# a probe refused as busy asks again a few times before the step is left off this view.
BUSY_RETRIES = 4
BUSY_PAUSE = 0.05  # seconds, times the attempt


def _accepts(action: RecordAction, record, user) -> bool:
    if action.roles is not None and role_of(user) not in action.roles(record):
        return False
    for attempt in range(BUSY_RETRIES + 1):
        fresh = copy.copy(record)  # services change the instance they get (and lock and re-read the row)
        try:
            with transaction.atomic():
                action.run(fresh, user, action.probe())
                raise _Rollback
        except _Rollback:
            return True
        except ValidationError as exc:
            if exc.messages != [RECORD_BUSY] or attempt == BUSY_RETRIES:
                return False
        except PermissionDenied:
            return False
        time.sleep(BUSY_PAUSE * (attempt + 1))
    return False


def available_actions(record, user) -> list[RecordAction]:
    """The steps of this record page whose services would accept them from this user now."""
    return [a for a in actions_of(record) if _accepts(a, record, user)]


def offers(record, user, slug: str) -> bool:
    action = action_named(record, slug)
    return action is not None and _accepts(action, record, user)


def perform(record, user, slug: str, data: dict):
    """Run one step through its service; raises ValidationError (Chinese) when it is refused."""
    action = action_named(record, slug)
    if action is None:
        raise ValidationError(NOT_OFFERED)
    try:
        with transaction.atomic():
            return action.run(record, user, data)
    except PermissionDenied as exc:
        raise ValidationError(str(exc) or NOT_OFFERED) from exc


# --------------------------------------------------------------------------------------------
# the banner: state, who holds the record now, the last return reason in full


@dataclass(frozen=True)
class LastReturn:
    action: str
    reason: str
    at: dt.datetime
    by: str


@dataclass(frozen=True)
class Banner:
    state: str
    holder: str
    last_return: LastReturn | None
    extra_states: list[tuple[str, str]]


def _holder_level(kind, state: str) -> str | None:
    if state in (VILLAGE.pending, VILLAGE.returned_here):
        return "village"
    for level in chain_for(kind.slug):
        if state in (level.pending, level.returned_here):
            return level.slug
    return None


def holder_of(record) -> str:
    """'现由乡镇（城关镇）办理' — the level and region that must act next, or that nobody must."""
    kind = kind_of(record)
    state = kind.state_of(record)
    level = _holder_level(kind, state)
    if level is None:
        return "审核流程已办结" if state == ReviewState.VERIFIED else "无待办理的审核环节"
    code = (kind.village_code_of(record) or "")[: CODE_LENGTHS[level]].ljust(12, "0")
    region = Region.objects.filter(code=code).values_list("name", flat=True).first()
    return f"现由{LEVEL_WORDS[level]}（{region or code}）办理"


def last_return_of(record) -> LastReturn | None:
    kind = kind_of(record)
    event = (
        WorkflowEvent.objects.filter(record_kind=kind.slug, record_id=record.pk, action__in=RETURN_ACTIONS)
        .exclude(reason="")
        .select_related("actor", "actor_region")
        .order_by("-created_at", "-id")
        .first()
    )
    if event is None:
        return None
    who = event.actor_region.name if event.actor_region_id else ""
    name = str(event.actor) if event.actor_id else ""
    return LastReturn(
        action=WorkflowAction(event.action).label,
        reason=event.reason,
        at=event.created_at,
        by="".join(f"{who} {name}".strip()),
    )


def banner_of(record, *, extra_states: list[tuple[str, str]] | None = None) -> Banner:
    kind = kind_of(record)
    return Banner(
        state=state_label(kind.state_of(record)),
        holder=holder_of(record),
        last_return=last_return_of(record),
        extra_states=extra_states or [],
    )


def next_step_text(record) -> str:
    """After a step: '当前状态「待镇审核」，现由乡镇（城关镇）办理'."""
    kind = kind_of(record)
    fresh = type(record)._default_manager.get(pk=record.pk)
    return f"当前状态「{state_label(kind.state_of(fresh))}」，{holder_of(fresh)}"


def _expected(record) -> str:
    return kind_of(record).state_of(record)


# The roles of the chain's steps (RecordAction.roles), for any chained record kind's page.
def village_roles(record) -> set[str]:
    """提交 / 撤回: the village (core.workflow.services.submit, withdraw)."""
    return {VILLAGE.role}


def reviewer_roles(record) -> set[str]:
    """审核通过 / 退回: the levels of the record kind's chain (services.approve, return_to_lower)."""
    return {level.role for level in chain_for(kind_of(record).slug)}


def city_roles(record) -> set[str]:
    """市抽查异议 (services.city_objection)."""
    return {CITY.role}


def chain_actions(*, submit: bool, city: bool) -> list[RecordAction]:
    """提交 / 撤回 / 审核通过 / 退回 (/ 市抽查异议) of a chained record, through core.workflow.services
    (whose check_role calls the roles below check)."""
    actions = []
    if submit:
        actions.append(
            RecordAction(
                "submit",
                "提交审核",
                lambda r, u, d: chain.submit(record=r, user=u, expected_state=_expected(r)),
                done="已提交",
                roles=village_roles,
            )
        )
    actions += [
        RecordAction(
            "withdraw",
            "撤回提交",
            lambda r, u, d: chain.withdraw(record=r, user=u, expected_state=_expected(r)),
            done="已撤回",
            confirm="确定撤回吗？",
            roles=village_roles,
        ),
        RecordAction(
            "approve",
            "审核通过",
            lambda r, u, d: chain.approve(record=r, user=u, expected_state=_expected(r)),
            done="已审核通过",
            roles=reviewer_roles,
        ),
        with_reason(
            "return",
            "退回",
            lambda r, u, d: chain.return_to_lower(
                record=r, user=u, reason=d["reason"], expected_state=_expected(r)
            ),
            done="已退回",
            roles=reviewer_roles,
        ),
    ]
    if city:
        actions.append(
            with_reason(
                "city_objection",
                "市抽查异议",
                lambda r, u, d: chain.city_objection(
                    record=r, user=u, reason=d["reason"], expected_state=_expected(r)
                ),
                done="已提出抽查异议，退回县核查",
                roles=city_roles,
            )
        )
    return actions

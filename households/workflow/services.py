"""The registry's own workflow steps: submitting a household (one 户主), change requests to stored
households, and the poverty status (拟退出 → 公示 → 脱贫; 返贫; 监测). Each step is logged through the
chain's `log_event` (core.workflow.services) like every other step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Set as AbstractSet

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core import scoping
from core.choices import ReviewState, Role
from core.permissions import role_of
from core.workflow import errors as e
from core.workflow import policy as chain_policy
from core.workflow.choices import WorkflowAction, state_label
from core.workflow.config import VILLAGE, kind_of
from core.workflow.errors import TransitionError
from core.workflow.services import check_role, check_scope, lock_record, log_event, submit
from households.choices import MonitoringState, PovertyStatus
from households.models import Household, IncomeYear, Member
from households.workflow import errors as registry_errors
from households.workflow import policy
from households.workflow.changes import build_items, load_value, validate_items
from households.workflow.choices import ChangeState, ChangeTarget
from households.workflow.kinds import change_applied_hooks
from households.workflow.models import ChangeItem, ChangeRequest


def validate_household_submit(*, record) -> None:
    """A household goes up the chain only with exactly one active 户主 (R18)."""
    heads = record.members.filter(member_status="normal", relation="head").count()
    if heads != 1:
        raise ValidationError(f"每户必须有且只有一名在册户主（当前 {heads} 名），不能提交")


# --------------------------------------------------------------------------------------------
# change requests for stored (已入库) households


def open_change_request(*, household: Household, user, changes: dict, note: str = "") -> ChangeRequest:
    """Record the proposed values as a structured diff and submit it. Live rows stay as approved."""
    with transaction.atomic(), pghistory.context(user=user.pk, workflow=WorkflowAction.OPEN_CHANGE):
        locked = lock_record(household)
        if not policy.can_request_change(user, locked):
            if locked.review_state != ReviewState.VERIFIED:
                raise TransitionError(registry_errors.CHANGE_NOT_VERIFIED)
            check_role(user, VILLAGE, WorkflowAction.OPEN_CHANGE.label)
        if not scoping.is_in_scope(user, locked.village_id):
            raise TransitionError(e.OUT_OF_SCOPE)
        open_one = ChangeRequest.objects.filter(household=locked).exclude(
            state__in=[ChangeState.VERIFIED, ChangeState.WITHDRAWN]
        )
        existing = open_one.first()
        if existing is not None:
            raise TransitionError(
                registry_errors.CHANGE_ALREADY_OPEN.format(state=existing.get_state_display())
            )
        items = build_items(household=locked, changes=changes)
        if not items:
            raise TransitionError(registry_errors.CHANGE_EMPTY)
        validate_items(household=locked, items=items)
        change = ChangeRequest.objects.create(household=locked, created_by=user, note=note)
        for item in items:
            item.change_request = change
        ChangeItem.objects.bulk_create(items)
        kind = kind_of(change)
        log_event(
            kind=kind,
            record=change,
            action=WorkflowAction.OPEN_CHANGE,
            from_state="",
            to_state=ChangeState.DRAFT,
            user=user,
            reason=note,
        )
        submit(record=change, user=user)
    return change


def amend_change_request(
    *, change_request: ChangeRequest, user, changes: dict, note: str = ""
) -> ChangeRequest:
    """村修正 of a returned change request: the new diff replaces the old one, then it is resubmitted."""
    with transaction.atomic(), pghistory.context(user=user.pk, workflow=WorkflowAction.AMEND_CHANGE):
        locked = lock_record(change_request)
        if locked.state != ChangeState.RETURNED_TO_VILLAGE:
            raise TransitionError(registry_errors.CHANGE_NOT_AMENDABLE)
        check_role(user, VILLAGE, WorkflowAction.AMEND_CHANGE.label)
        household = locked.household
        if not scoping.is_in_scope(user, household.village_id):
            raise TransitionError(e.OUT_OF_SCOPE)
        items = build_items(household=household, changes=changes)
        if not items:
            raise TransitionError(registry_errors.CHANGE_EMPTY)
        validate_items(household=household, items=items)
        locked.active_items().update(superseded_at=timezone.now())
        for item in items:
            item.change_request = locked
        ChangeItem.objects.bulk_create(items)
        if note:
            locked.note = note
            locked.save(update_fields=["note"])
        log_event(
            kind=kind_of(locked),
            record=locked,
            action=WorkflowAction.AMEND_CHANGE,
            from_state=locked.state,
            to_state=locked.state,
            user=user,
            reason=note,
        )
        submit(record=locked, user=user)
    change_request.state = locked.state
    return locked


_TARGET_MODELS = {
    ChangeTarget.HOUSEHOLD: Household,
    ChangeTarget.MEMBER: Member,
    ChangeTarget.INCOME: IncomeYear,
}


def apply_change_request(*, record: ChangeRequest, user) -> None:
    """Final approval: write every item to the live rows at once (runs inside approve()'s transaction).

    Each changed field must still hold the value the request was based on; otherwise the whole
    change is refused rather than overwriting someone else's approved edit."""
    household = Household.objects.select_for_update().get(pk=record.household_id)
    items = list(record.active_items())
    with pghistory.context(user=user.pk, change_request=record.pk):
        for item in items:
            model = _TARGET_MODELS[item.target]
            if item.target_id is None:
                obj = model(household=household)
            elif item.target == ChangeTarget.HOUSEHOLD:
                obj = household
            else:
                obj = model._default_manager.select_for_update().get(pk=item.target_id, household=household)
            for name, new in item.new_values.items():
                field = model._meta.get_field(name)
                if item.target_id is not None:
                    current = getattr(obj, field.attname)
                    if load_value(field, item.old_values.get(name)) != current:
                        raise TransitionError(registry_errors.CHANGE_STALE.format(label=field.verbose_name))
                setattr(obj, field.attname, load_value(field, new))
            obj.full_clean()
            obj.save()
            if item.target_id is None:
                item.applied_id = obj.pk
                item.save(update_fields=["applied_id"])
        record.decided_at = timezone.now()
        record.save(update_fields=["decided_at"])
        summary = "；".join(str(item) for item in items)
        log_event(
            kind=kind_of(household),
            record=household,
            action=WorkflowAction.APPLY_CHANGE,
            from_state=household.review_state,
            to_state=household.review_state,
            user=user,
            reason=f"变更申请#{record.pk}：{summary}",
        )
        for hook in change_applied_hooks():
            import_string(hook)(change_request=record, user=user)


def open_change_for(*, household: Household) -> ChangeRequest | None:
    return (
        ChangeRequest.objects.filter(household=household)
        .exclude(state__in=[ChangeState.VERIFIED, ChangeState.WITHDRAWN])
        .first()
    )


# --------------------------------------------------------------------------------------------
# poverty status: 未脱贫 → 拟退出 → 公示中 → 已脱贫享受政策 → 已脱贫不再享受政策; 返贫; 监测


def _poverty_step(
    *,
    household: Household,
    user,
    action: WorkflowAction,
    from_states: set[str],
    to_state: str,
    roles: AbstractSet[str],
    reason: str = "",
    updates: dict | None = None,
    locked: Household | None = None,
) -> Household:
    kind = kind_of(household)
    with transaction.atomic(), pghistory.context(user=user.pk, workflow=action):
        locked = locked or lock_record(household)
        if locked.review_state != ReviewState.VERIFIED:
            raise TransitionError(registry_errors.POVERTY_NEEDS_VERIFIED)
        state = locked.poverty_status
        if state not in from_states:
            raise TransitionError(
                registry_errors.POVERTY_INVALID.format(state=state_label(state), action=action.label)
            )
        role = role_of(user)
        if role not in roles:
            raise TransitionError(
                e.NOT_YOUR_LEVEL.format(
                    role=Role(role).label if role else "未登录", level="脱贫管理", action=action.label
                )
            )
        check_scope(user, kind, locked)
        locked.poverty_status = to_state
        for name, value in (updates or {}).items():
            setattr(locked, name, value)
        locked.save(update_fields=["poverty_status", "updated_at", *(updates or {})])
        log_event(
            kind=kind,
            record=locked,
            action=action,
            from_state=state,
            to_state=to_state,
            user=user,
            reason=reason,
        )
    household.poverty_status = locked.poverty_status
    for name, value in (updates or {}).items():
        setattr(household, name, value)
    return locked


def propose_exit(*, household: Household, user, review_date: dt.date | None, reason: str = "") -> Household:
    """拟退出 after 村两委民主评议 (R4 procedure); the date of the 评议 is recorded."""
    if review_date is None:
        raise TransitionError(registry_errors.REVIEW_DATE_REQUIRED)
    if review_date > timezone.localdate():
        raise TransitionError(registry_errors.REVIEW_DATE_FUTURE)
    return _poverty_step(
        household=household,
        user=user,
        action=WorkflowAction.PROPOSE_EXIT,
        from_states={
            PovertyStatus.NOT_EXITED,
            PovertyStatus.RETURNED_TO_POVERTY,
            PovertyStatus.PROPOSED_EXIT,
        },
        to_state=PovertyStatus.PROPOSED_EXIT,
        roles=policy.EXIT_PROPOSERS,
        reason=reason or f"民主评议日期 {review_date:%Y-%m-%d}",
        updates={"democratic_review_date": review_date},
    )


def cancel_exit(*, household: Household, user, reason: str) -> Household:
    if not (reason or "").strip():
        raise TransitionError(e.REASON_REQUIRED)
    return _poverty_step(
        household=household,
        user=user,
        action=WorkflowAction.CANCEL_EXIT,
        from_states={PovertyStatus.PROPOSED_EXIT},
        to_state=PovertyStatus.NOT_EXITED,
        roles=policy.EXIT_CANCELLERS,
        reason=reason,
    )


def end_policy_support(*, household: Household, user, reason: str = "") -> Household:
    """已脱贫享受政策 → 已脱贫不再享受政策 (the county decides)."""
    return _poverty_step(
        household=household,
        user=user,
        action=WorkflowAction.END_POLICY,
        from_states={PovertyStatus.EXITED_WITH_POLICY},
        to_state=PovertyStatus.EXITED_NO_POLICY,
        roles=policy.POLICY_ENDERS,
        reason=reason,
    )


def return_to_poverty(*, household: Household, user, reason: str) -> Household:
    """已脱贫* → 返贫."""
    if not (reason or "").strip():
        raise TransitionError(e.REASON_REQUIRED)
    return _poverty_step(
        household=household,
        user=user,
        action=WorkflowAction.RETURN_TO_POVERTY,
        from_states={PovertyStatus.EXITED_WITH_POLICY, PovertyStatus.EXITED_NO_POLICY},
        to_state=PovertyStatus.RETURNED_TO_POVERTY,
        roles=policy.POVERTY_RETURNERS,
        reason=reason,
    )


def set_monitoring(*, household: Household, user, state: str, reason: str) -> Household:
    """监测对象（风险未消除/已消除）: the flag follows the county's decision on a monitoring record
    (assistance.monitoring.services.records.on_decided calls this inside its transaction); nothing
    else sets it. The step is logged on the household with the decision as its reason."""
    if not (reason or "").strip():
        raise TransitionError(e.REASON_REQUIRED)
    state = MonitoringState(state)
    kind = kind_of(household)
    roles = policy.MONITORING_DECIDERS
    action = WorkflowAction.MONITORING
    with transaction.atomic(), pghistory.context(user=user.pk, workflow=action):
        locked = lock_record(household)
        if role_of(user) not in roles:
            raise TransitionError(
                e.NOT_YOUR_LEVEL.format(
                    role=Role(role_of(user)).label, level="防返贫监测", action=state.label
                )
            )
        check_scope(user, kind, locked)
        before = locked.monitoring_state
        if before == state:
            raise TransitionError(e.INVALID_TRANSITION.format(state=state_label(before), action=state.label))
        locked.monitoring_state = state
        locked.save(update_fields=["monitoring_state", "updated_at"])
        log_event(
            kind=kind,
            record=locked,
            action=action,
            from_state=before,
            to_state=state,
            user=user,
            reason=reason,
        )
    household.monitoring_state = state
    return locked


# 公示 hooks of the household exit (registered in config.PUBLICITY_SUBJECTS under "exit").


def exit_publicity_started(*, record: Household, user) -> None:
    _poverty_step(
        household=record,
        user=user,
        action=WorkflowAction.START_PUBLICITY,
        from_states={PovertyStatus.PROPOSED_EXIT},
        to_state=PovertyStatus.IN_PUBLICITY,
        roles=chain_policy.PUBLICITY_MANAGERS,
        reason="开始退出公示",
        locked=record,
    )


def exit_publicity_objected(*, record: Household, user, reason: str) -> None:
    # The objection sends the household back to verification (拟退出); a new 公示 is needed.
    _poverty_step(
        household=record,
        user=user,
        action=WorkflowAction.OBJECTION,
        from_states={PovertyStatus.IN_PUBLICITY},
        to_state=PovertyStatus.PROPOSED_EXIT,
        roles=chain_policy.OBJECTION_RECORDERS,
        reason=reason,
        locked=record,
    )


def exit_publicity_passed(*, record: Household, user, as_of: dt.date) -> None:
    _poverty_step(
        household=record,
        user=user,
        action=WorkflowAction.CLOSE_PUBLICITY,
        from_states={PovertyStatus.IN_PUBLICITY},
        to_state=PovertyStatus.EXITED_WITH_POLICY,
        roles=chain_policy.PUBLICITY_MANAGERS,
        reason=f"公示期满无异议，{as_of:%Y-%m-%d} 公告退出",
        updates={"exit_year": as_of.year},
        locked=record,
    )

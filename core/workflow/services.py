"""Every step of the review chain and of 公示, for any registered record kind: the admin, the API and
the floors above (their own services) all call these. `log_event`, `lock_record`, `check_scope` and
`check_role` are the public plumbing for a floor's own steps (the registry's poverty status, a case's
life cycle) so that every step lands in the same append-only log.

Concurrency: each step locks the record row with SELECT … FOR UPDATE NOWAIT inside the
transaction. Of two reviewers acting at once exactly one gets the lock; the other gets RECORD_BUSY
at once (or, if the first already committed, an invalid-transition / RECORD_CHANGED message).
We do not use django-fsm here: which levels a record passes is per-kind configuration
(config.CHAINS), while fsm transitions are fixed per model in decorators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

import pghistory
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core import parameters, scoping
from core.choices import ReviewState, Role
from core.permissions import role_of
from core.workflow import errors as e
from core.workflow import policy
from core.workflow.choices import PublicityResult, WorkflowAction, state_label
from core.workflow.config import CITY, VILLAGE, Level, RecordKind, chain_for, kind_of, publicity_subject
from core.workflow.errors import TransitionError
from core.workflow.models import Publicity, PublicityObjection, WorkflowEvent

SUBMITTABLE = {ReviewState.DRAFT, ReviewState.RETURNED_TO_VILLAGE}
AUTHOR_ACTIONS = {
    WorkflowAction.SUBMIT,
    WorkflowAction.CORRECT,
    WorkflowAction.OPEN_CHANGE,
    WorkflowAction.AMEND_CHANGE,
}


# --------------------------------------------------------------------------------------------
# plumbing


def lock_record(record):
    """Lock the record's row for this transaction, or fail at once if someone else holds it."""
    try:
        with transaction.atomic():
            return type(record)._default_manager.select_for_update(nowait=True).get(pk=record.pk)
    except OperationalError as exc:
        raise TransitionError(e.RECORD_BUSY) from exc


def log_event(
    *, kind: RecordKind, record, action: str, from_state: str, to_state: str, user, reason: str = ""
):
    return WorkflowEvent.objects.create(
        record_kind=kind.slug,
        record_id=record.pk,
        household_id=kind.household_id_of(record),
        region_code=kind.village_code_of(record),
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        actor=user,
        actor_role=role_of(user) or "",
        actor_region_id=getattr(user, "region_id", None),
    )


def check_scope(user, kind: RecordKind, record) -> None:
    if not scoping.is_in_scope(user, kind.village_code_of(record)):
        raise TransitionError(e.OUT_OF_SCOPE)


def check_role(user, level: Level, action: str, roles: Iterable[str] | None = None) -> None:
    role = role_of(user)
    if role not in (set(roles) if roles is not None else {level.role}):
        raise TransitionError(
            e.NOT_YOUR_LEVEL.format(
                role=Role(role).label if role else "未登录", level=level.label, action=action
            )
        )


def _check_expected(state: str, expected_state: str | None) -> None:
    if expected_state is not None and state != expected_state:
        raise TransitionError(e.RECORD_CHANGED.format(state=state_label(state)))


def invalid_transition(state: str, action: str) -> TransitionError:
    return TransitionError(e.INVALID_TRANSITION.format(state=state_label(state), action=action))


def _set_state(record, kind: RecordKind, to_state: str, *extra_fields: str) -> None:
    setattr(record, kind.state_field, to_state)
    fields = [kind.state_field, *extra_fields]
    if any(f.name == "updated_at" for f in record._meta.concrete_fields):
        fields.append("updated_at")
    record.save(update_fields=fields)


def _sync(caller_copy, locked, kind: RecordKind) -> None:
    """Let the caller's instance see the new state without a reload."""
    if caller_copy is not locked:
        setattr(caller_copy, kind.state_field, kind.state_of(locked))


def authors_of(*, kind: RecordKind, record) -> set[int]:
    """Users who entered, submitted or corrected the record: none of them may approve it."""
    ids = set(
        WorkflowEvent.objects.filter(
            record_kind=kind.slug, record_id=record.pk, action__in=AUTHOR_ACTIONS
        ).values_list("actor_id", flat=True)
    )
    entered_by = getattr(record, kind.entered_by_attr, None)
    if entered_by:
        ids.add(entered_by)
    return ids


def _acting_level(chain: tuple[Level, ...], state: str) -> int | None:
    for index, level in enumerate(chain):
        if state == level.pending or (level.returned_here and state == level.returned_here):
            return index
    return None


def _reviewing_level(*, kind: RecordKind, record, state: str, user, action: WorkflowAction):
    """The chain and the index of the level that acts on `state`, checked against the user."""
    chain = chain_for(kind.slug)
    index = _acting_level(chain, state)
    if index is None:
        raise invalid_transition(state, action.label)
    check_role(user, chain[index], action.label)
    check_scope(user, kind, record)
    return chain, index


# --------------------------------------------------------------------------------------------
# the record chain: 草稿 → 待镇审核 → 待县核查 → 已入库, with returns and 市抽查异议


def _transition(*, record, user, action: WorkflowAction, decide, reason: str = "", expected_state=None):
    """Lock the record, let `decide(kind, locked, state)` check the step and name the new state,
    write it and log it — all in one transaction."""
    kind = kind_of(record)
    with transaction.atomic(), pghistory.context(user=user.pk, workflow=action):
        locked = lock_record(record)
        state = kind.state_of(locked)
        _check_expected(state, expected_state)
        to_state = decide(kind, locked, state)
        extra = ()
        if to_state in (ReviewState.VERIFIED, kind.withdrawn_state) and hasattr(locked, "decided_at"):
            locked.decided_at = timezone.now()
            extra = ("decided_at",)
        _set_state(locked, kind, to_state, *extra)
        log_event(
            kind=kind,
            record=locked,
            action=action,
            from_state=state,
            to_state=to_state,
            user=user,
            reason=reason,
        )
    _sync(record, locked, kind)
    return locked


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(e.REASON_REQUIRED)
    return reason


def submit(*, record, user, expected_state: str | None = None):
    """村提交: a draft or a record returned to the village goes to the first review level."""
    action = WorkflowAction.SUBMIT

    def decide(kind, locked, state):
        if state not in SUBMITTABLE:
            raise invalid_transition(state, action.label)
        check_role(user, VILLAGE, action.label)
        check_scope(user, kind, locked)
        if kind.extra.get("validate_submit"):
            import_string(kind.extra["validate_submit"])(record=locked)
        return chain_for(kind.slug)[0].pending

    return _transition(record=record, user=user, action=action, decide=decide, expected_state=expected_state)


def withdraw(*, record, user, reason: str = "", expected_state: str | None = None):
    """村撤回: only before the first level has acted. A change request closes; a record is a draft again."""
    action = WorkflowAction.WITHDRAW

    def decide(kind, locked, state):
        withdrawable = {chain_for(kind.slug)[0].pending}
        if kind.withdrawn_state != ReviewState.DRAFT:
            withdrawable.add(ReviewState.RETURNED_TO_VILLAGE)
        if state not in withdrawable:
            raise invalid_transition(state, action.label)
        check_role(user, VILLAGE, action.label)
        check_scope(user, kind, locked)
        return kind.withdrawn_state

    return _transition(
        record=record, user=user, action=action, decide=decide, reason=reason, expected_state=expected_state
    )


def _review(*, record, user, action: WorkflowAction, step, reason: str = "", expected_state=None):
    """A review level acts (镇 / 县): the level that holds the record's state is checked against the
    user, then `step(kind, locked, chain, index)` names the new state."""

    def decide(kind, locked, state):
        chain, index = _reviewing_level(kind=kind, record=locked, state=state, user=user, action=action)
        return step(kind, locked, chain, index)

    return _transition(
        record=record, user=user, action=action, decide=decide, reason=reason, expected_state=expected_state
    )


def approve(*, record, user, note: str = "", expected_state: str | None = None):
    """镇审核通过 / 县核查通过: the record moves one level up, or is stored (已入库) after the last.
    Nobody approves what they entered, submitted or corrected themselves (segregation of duties)."""

    def step(kind, locked, chain, index):
        if user.pk in authors_of(kind=kind, record=locked):
            raise TransitionError(e.OWN_WORK)
        if index + 1 < len(chain):
            return chain[index + 1].pending
        if kind.on_verified:
            import_string(kind.on_verified)(record=locked, user=user)
        return ReviewState.VERIFIED

    return _review(
        record=record,
        user=user,
        action=WorkflowAction.APPROVE,
        step=step,
        reason=note,
        expected_state=expected_state,
    )


def return_to_lower(*, record, user, reason: str, expected_state: str | None = None):
    """退回: the township sends back to 村修正, the county to 镇修正. A reason is required."""

    def step(kind, locked, chain, index):
        return chain[index - 1].returned_here if index > 0 else VILLAGE.returned_here

    return _review(
        record=record,
        user=user,
        action=WorkflowAction.RETURN,
        step=step,
        reason=_reason_required(reason),
        expected_state=expected_state,
    )


def city_objection(*, record, user, reason: str, expected_state: str | None = None):
    """市抽查异议: the city reopens a stored record at the last review level (the county)."""
    reason = _reason_required(reason)
    action = WorkflowAction.CITY_OBJECTION

    def decide(kind, locked, state):
        if state != ReviewState.VERIFIED:
            raise invalid_transition(state, action.label)
        check_role(user, CITY, action.label)
        check_scope(user, kind, locked)
        return chain_for(kind.slug)[-1].pending

    return _transition(
        record=record, user=user, action=action, decide=decide, reason=reason, expected_state=expected_state
    )


def record_correction(*, record, user, summary: str) -> WorkflowEvent:
    """镇修正 on record: the township corrected data itself (S003 审核、修正). The corrector may not
    approve it afterwards. Row-level changes are in the pghistory events of the same request."""
    kind = kind_of(record)
    state = kind.state_of(record)
    if not policy.can_correct(user, state):
        raise invalid_transition(state, WorkflowAction.CORRECT.label)
    check_scope(user, kind, record)
    return log_event(
        kind=kind,
        record=record,
        action=WorkflowAction.CORRECT,
        from_state=state,
        to_state=state,
        user=user,
        reason=summary,
    )


# --------------------------------------------------------------------------------------------
# 公示 (generic: identification, exit, 低保 …)


def publicity_min_days(*, region_code: str, as_of: dt.date) -> int:
    """The minimum 公示 length (R4, P9: 7 days): the dated, region-scoped parameter publicity.min_days."""
    return int(parameters.value("publicity.min_days", region_code=region_code, as_of=as_of))


def _check_publicity_role(user, roles: AbstractSet[str], action: str) -> None:
    role = role_of(user)
    if role not in roles:
        raise TransitionError(
            e.NOT_YOUR_LEVEL.format(role=Role(role).label if role else "未登录", level="公示", action=action)
        )


def start_publicity(
    *, subject, user, start: dt.date, end: dt.date, place: str, kind: str | None = None
) -> Publicity:
    """开始公示 for a subject record; the subject's own hook moves it into 公示中."""
    handler = publicity_subject(kind=kind, record=subject)
    record_kind = kind_of(subject)
    action = WorkflowAction.START_PUBLICITY.label
    _check_publicity_role(user, policy.PUBLICITY_MANAGERS, action)
    if not (place or "").strip():
        raise TransitionError(e.PUBLICITY_PLACE_REQUIRED)
    if end < start:
        raise TransitionError(e.PUBLICITY_END_BEFORE_START)
    region_code = record_kind.village_code_of(subject)
    min_days = publicity_min_days(region_code=region_code, as_of=start)
    days = (end - start).days + 1  # both ends count: 1st to 7th is a 7-day 公示
    if days < min_days:
        raise TransitionError(e.PUBLICITY_TOO_SHORT.format(days=min_days, actual=days))
    with transaction.atomic(), pghistory.context(user=user.pk, workflow=WorkflowAction.START_PUBLICITY):
        locked = lock_record(subject)
        check_scope(user, record_kind, locked)
        if Publicity.objects.filter(
            record_kind=record_kind.slug, record_id=locked.pk, result=PublicityResult.OPEN
        ).exists():
            raise TransitionError(e.PUBLICITY_ALREADY_OPEN)
        publicity = Publicity.objects.create(
            subject_kind=handler.kind,
            record_kind=record_kind.slug,
            record_id=locked.pk,
            household_id=record_kind.household_id_of(locked),
            region_code=region_code,
            start=start,
            end=end,
            min_days=min_days,
            place=place.strip(),
            created_by=user,
        )
        if handler.on_start:
            import_string(handler.on_start)(record=locked, user=user)
        else:
            log_event(
                kind=record_kind,
                record=locked,
                action=WorkflowAction.START_PUBLICITY,
                from_state="",
                to_state=PublicityResult.OPEN,
                user=user,
                reason=f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}，{place}",
            )
    _sync_subject(subject, locked)
    return publicity


def _subject_of(publicity: Publicity):
    from core.workflow.config import record_kind

    kind = record_kind(publicity.record_kind)
    return kind, kind.model_class()._default_manager.get(pk=publicity.record_id)


def _sync_subject(caller_copy, locked) -> None:
    """The caller's instance of the subject sees what the 公示 hook changed."""
    if caller_copy is not locked:
        caller_copy.refresh_from_db()


def record_objection(
    *, publicity: Publicity, user, content: str, received_on: dt.date, objector: str = ""
) -> PublicityObjection:
    """公示异议: the 公示 ends as objected and the subject goes back for investigation."""
    action = WorkflowAction.OBJECTION.label
    _check_publicity_role(user, policy.OBJECTION_RECORDERS, action)
    if not (content or "").strip():
        raise TransitionError(e.OBJECTION_CONTENT_REQUIRED)
    with transaction.atomic(), pghistory.context(user=user.pk, workflow=WorkflowAction.OBJECTION):
        locked = lock_record(publicity)
        if locked.result != PublicityResult.OPEN:
            raise TransitionError(e.PUBLICITY_NOT_OPEN.format(result=locked.get_result_display()))
        if not scoping.is_in_scope(user, locked.region_code):
            raise TransitionError(e.OUT_OF_SCOPE)
        if not locked.start <= received_on <= locked.end:
            raise TransitionError(e.OBJECTION_OUTSIDE_WINDOW.format(start=locked.start, end=locked.end))
        objection = PublicityObjection.objects.create(
            publicity=locked,
            received_on=received_on,
            objector=objector,
            content=content.strip(),
            recorded_by=user,
        )
        locked.result = PublicityResult.OBJECTED
        locked.closed_by = user
        locked.closed_at = timezone.now()
        locked.save(update_fields=["result", "closed_by", "closed_at"])
        kind, subject = _subject_of(locked)
        subject = lock_record(subject)
        handler = publicity_subject(kind=locked.subject_kind, record=subject)
        if handler.on_objection:
            import_string(handler.on_objection)(record=subject, user=user, reason=content.strip())
        else:
            log_event(
                kind=kind,
                record=subject,
                action=WorkflowAction.OBJECTION,
                from_state=PublicityResult.OPEN,
                to_state=PublicityResult.OBJECTED,
                user=user,
                reason=content.strip(),
            )
    publicity.result = locked.result
    return objection


def close_publicity(*, publicity: Publicity, user, as_of: dt.date | None = None) -> Publicity:
    """公示期满无异议: only after the last day of the window; then the subject's hook confirms it."""
    as_of = as_of or timezone.localdate()
    action = WorkflowAction.CLOSE_PUBLICITY.label
    _check_publicity_role(user, policy.PUBLICITY_MANAGERS, action)
    with transaction.atomic(), pghistory.context(user=user.pk, workflow=WorkflowAction.CLOSE_PUBLICITY):
        locked = lock_record(publicity)
        if locked.result != PublicityResult.OPEN:
            raise TransitionError(e.PUBLICITY_NOT_OPEN.format(result=locked.get_result_display()))
        if not scoping.is_in_scope(user, locked.region_code):
            raise TransitionError(e.OUT_OF_SCOPE)
        if as_of <= locked.end:
            raise TransitionError(e.PUBLICITY_CLOSE_EARLY.format(end=f"{locked.end:%Y-%m-%d}"))
        locked.result = PublicityResult.PASSED
        locked.closed_by = user
        locked.closed_at = timezone.now()
        locked.save(update_fields=["result", "closed_by", "closed_at"])
        kind, subject = _subject_of(locked)
        subject = lock_record(subject)
        handler = publicity_subject(kind=locked.subject_kind, record=subject)
        if handler.on_passed:
            import_string(handler.on_passed)(record=subject, user=user, as_of=as_of)
        else:
            log_event(
                kind=kind,
                record=subject,
                action=WorkflowAction.CLOSE_PUBLICITY,
                from_state=PublicityResult.OPEN,
                to_state=PublicityResult.PASSED,
                user=user,
                reason=f"{as_of:%Y-%m-%d} 公示期满无异议",
            )
    publicity.result = locked.result
    return locked


def ensure_publicity_passed(*, record) -> Publicity:
    """For confirmations (e.g. 低保 县审核确认): the latest 公示 of the record must have passed.

    An objected 公示 never counts, so an objection always requires a new 公示."""
    kind = kind_of(record)
    latest = (
        Publicity.objects.filter(record_kind=kind.slug, record_id=record.pk)
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None or latest.result != PublicityResult.PASSED:
        raise TransitionError(e.PUBLICITY_NO_PASSED)
    return latest

"""A project's steps: 申报 (a village's through the review chain 村申报 → 乡镇审核 → 县审批; a township's
or the county's straight to 县审批), returns with reasons, then 公告 → 实施 → 验收 → 结果公示
(domain.md#workflow-projects). Chain steps go through core.workflow.services and land in its
append-only history; the later stages are the county's and are kept on the project (pghistory)."""

from __future__ import annotations

import datetime as dt

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from core.choices import RegionLevel, ReviewState, Role
from core.workflow import services as chain
from core.workflow.choices import WorkflowAction
from core.workflow.config import LEVELS, kind_of
from core.workflow.errors import REASON_REQUIRED, TransitionError
from projects.choices import NoticeKind, Stage
from projects.models import Project, ProjectNotice

NO_BUDGET = "请先填写项目预算（至少一个资金来源）再提交"
WRONG_STAGE = "项目当前阶段为「{stage}」，不能执行「{action}」"
NOTICE_TOO_SHORT = "公告期不得少于 {days} 天（当前 {actual} 天）"
NOTICE_END_BEFORE_START = "公告结束日期不能早于开始日期"
PLACE_REQUIRED = "请填写张贴地点"
START_BEFORE_NOTICE = "开工日期不能早于实施前公告开始日期（{start}）"
ACCEPT_BEFORE_START = "验收日期不能早于开工日期（{start}）"
SUBMIT = "提交审核"
# Who proposes a township's or the county's own project, and submits it straight to 县审批.
OWNER_ROLE = {RegionLevel.TOWNSHIP: Role.TOWNSHIP_REVIEWER, RegionLevel.COUNTY: Role.COUNTY_ADMIN}
COUNTY = LEVELS["county"]


def validate_submit(*, record: Project) -> None:
    """Called by the chain before 提交: a project without a budget is not a proposal."""
    if not record.budgets.exists():
        raise TransitionError(NO_BUDGET)


def on_approved(*, record: Project, user) -> None:
    """县审批通过: the project enters the year's 项目库."""
    record.stage = Stage.IN_LIBRARY
    record.save(update_fields=["stage"])


def submit_project(*, project: Project, user, expected_state: str | None = None) -> Project:
    if project.level == RegionLevel.VILLAGE:
        return chain.submit(record=project, user=user, expected_state=expected_state)
    kind = kind_of(project)
    with transaction.atomic(), pghistory.context(user=user.pk, workflow=WorkflowAction.SUBMIT):
        locked = chain.lock_record(project)
        state = locked.review_state
        if expected_state is not None and state != expected_state:
            raise chain.invalid_transition(state, SUBMIT)
        if state != ReviewState.DRAFT:
            raise chain.invalid_transition(state, SUBMIT)
        chain.check_role(user, COUNTY, SUBMIT, roles=[OWNER_ROLE[locked.level]])
        chain.check_scope(user, kind, locked)
        validate_submit(record=locked)
        locked.review_state = ReviewState.PENDING_COUNTY
        locked.save(update_fields=["review_state", "updated_at"])
        chain.log_event(
            kind=kind,
            record=locked,
            action=WorkflowAction.SUBMIT,
            from_state=state,
            to_state=locked.review_state,
            user=user,
        )
    project.review_state = locked.review_state
    return locked


def return_project(*, project: Project, user, reason: str, expected_state: str | None = None) -> Project:
    """退回 with a reason: a village's project one level down the chain; a township's or the county's
    own project back to its proposer as a draft."""
    if project.level == RegionLevel.VILLAGE:
        return chain.return_to_lower(record=project, user=user, reason=reason, expected_state=expected_state)
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(REASON_REQUIRED)
    kind = kind_of(project)
    action = WorkflowAction.RETURN
    with transaction.atomic(), pghistory.context(user=user.pk, workflow=action):
        locked = chain.lock_record(project)
        state = locked.review_state
        if state != ReviewState.PENDING_COUNTY or (expected_state is not None and state != expected_state):
            raise chain.invalid_transition(state, action.label)
        chain.check_role(user, COUNTY, action.label)
        chain.check_scope(user, kind, locked)
        locked.review_state = ReviewState.DRAFT
        locked.save(update_fields=["review_state", "updated_at"])
        chain.log_event(
            kind=kind,
            record=locked,
            action=action,
            from_state=state,
            to_state=ReviewState.DRAFT,
            user=user,
            reason=reason,
        )
    project.review_state = locked.review_state
    return locked


def _county_step(project: Project, user, *, needs: tuple[str, ...], action: str) -> Project:
    """Lock the project and check that the county may take this stage step now."""
    locked = chain.lock_record(project)
    if locked.review_state != ReviewState.VERIFIED or locked.stage not in needs:
        raise TransitionError(WRONG_STAGE.format(stage=locked.get_stage_display(), action=action))
    chain.check_role(user, COUNTY, action)
    chain.check_scope(user, kind_of(locked), locked)
    return locked


def _publish(*, project: Project, user, kind: str, start: dt.date, end: dt.date, place: str) -> ProjectNotice:
    needs, after = {
        NoticeKind.ANNOUNCEMENT: ((Stage.IN_LIBRARY,), Stage.ANNOUNCED),
        NoticeKind.RESULTS: ((Stage.ACCEPTED,), Stage.PUBLICIZED),
    }[kind]
    label = NoticeKind(kind).label
    if not (place or "").strip():
        raise ValidationError(PLACE_REQUIRED)
    if end < start:
        raise ValidationError(NOTICE_END_BEFORE_START)
    min_days = chain.publicity_min_days(region_code=project.region_id, as_of=start)
    days = (end - start).days + 1
    if days < min_days:
        raise ValidationError(NOTICE_TOO_SHORT.format(days=min_days, actual=days))
    with transaction.atomic(), pghistory.context(user=user.pk, workflow=WorkflowAction.START_PUBLICITY):
        locked = _county_step(project, user, needs=needs, action=f"发布{label}")
        notice = ProjectNotice.objects.create(
            project=locked, kind=kind, start=start, end=end, place=place.strip(), created_by=user
        )
        before = locked.stage
        locked.stage = after
        locked.save(update_fields=["stage", "updated_at"])
        chain.log_event(
            kind=kind_of(locked),
            record=locked,
            action=WorkflowAction.START_PUBLICITY,
            from_state=before,
            to_state=after,
            user=user,
            reason=f"{label} {start:%Y-%m-%d} 至 {end:%Y-%m-%d}，{notice.place}",
        )
    project.stage = locked.stage
    return notice


def announce(*, project: Project, user, start: dt.date, end: dt.date, place: str) -> ProjectNotice:
    """实施前公告 of a project in the 项目库 (R31)."""
    return _publish(
        project=project, user=user, kind=NoticeKind.ANNOUNCEMENT, start=start, end=end, place=place
    )


def publish_results(*, project: Project, user, start: dt.date, end: dt.date, place: str) -> ProjectNotice:
    """验收后结果公示 (R31): the project is then finished."""
    return _publish(project=project, user=user, kind=NoticeKind.RESULTS, start=start, end=end, place=place)


def start_work(*, project: Project, user, on: dt.date) -> Project:
    """开工: after its 公告 began."""
    with transaction.atomic(), pghistory.context(user=user.pk):
        locked = _county_step(project, user, needs=(Stage.ANNOUNCED,), action="开工实施")
        notice = locked.notices.get(kind=NoticeKind.ANNOUNCEMENT)
        if on < notice.start:
            raise ValidationError(START_BEFORE_NOTICE.format(start=f"{notice.start:%Y-%m-%d}"))
        locked.stage, locked.actual_start = Stage.IMPLEMENTING, on
        locked.save(update_fields=["stage", "actual_start", "updated_at"])
    project.stage, project.actual_start = locked.stage, locked.actual_start
    return locked


def accept(*, project: Project, user, on: dt.date) -> Project:
    """验收: the work is finished; its assets can be registered and its results publicized."""
    with transaction.atomic(), pghistory.context(user=user.pk):
        locked = _county_step(project, user, needs=(Stage.IMPLEMENTING,), action="项目验收")
        if on < locked.actual_start:
            raise ValidationError(ACCEPT_BEFORE_START.format(start=f"{locked.actual_start:%Y-%m-%d}"))
        locked.stage, locked.actual_end = Stage.ACCEPTED, on
        locked.save(update_fields=["stage", "actual_end", "updated_at"])
    project.stage, project.actual_end = locked.stage, locked.actual_end
    return locked

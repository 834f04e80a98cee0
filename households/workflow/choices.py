"""Code lists of the workflow: English slugs stored, Chinese labels shown."""

from django.db import models

from households.choices import MonitoringState, PovertyStatus, ReviewState


class ChangeState(models.TextChoices):
    """A change request walks the same chain as a record, and can be withdrawn."""

    DRAFT = ReviewState.DRAFT.value, "草稿"
    PENDING_TOWNSHIP = ReviewState.PENDING_TOWNSHIP.value, "待镇审核"
    PENDING_COUNTY = ReviewState.PENDING_COUNTY.value, "待县核查"
    VERIFIED = ReviewState.VERIFIED.value, "已生效"
    RETURNED_TO_VILLAGE = ReviewState.RETURNED_TO_VILLAGE.value, "村修正"
    RETURNED_TO_TOWNSHIP = ReviewState.RETURNED_TO_TOWNSHIP.value, "镇修正"
    WITHDRAWN = "withdrawn", "已撤回"


CLOSED_CHANGE_STATES = (ChangeState.VERIFIED, ChangeState.WITHDRAWN)


class ChangeTarget(models.TextChoices):
    HOUSEHOLD = "household", "户信息"
    MEMBER = "member", "家庭成员"
    INCOME = "income", "年度收入"


class WorkflowAction(models.TextChoices):
    SUBMIT = "submit", "提交审核"
    WITHDRAW = "withdraw", "撤回"
    APPROVE = "approve", "审核通过"
    RETURN = "return", "退回"
    CITY_OBJECTION = "city_objection", "市抽查异议"
    CORRECT = "correct", "审核修正"
    OPEN_CHANGE = "open_change", "发起变更申请"
    AMEND_CHANGE = "amend_change", "修改变更申请"
    APPLY_CHANGE = "apply_change", "变更生效"
    PROPOSE_EXIT = "propose_exit", "民主评议拟退出"
    CANCEL_EXIT = "cancel_exit", "取消拟退出"
    START_PUBLICITY = "start_publicity", "开始公示"
    OBJECTION = "objection", "公示异议"
    CLOSE_PUBLICITY = "close_publicity", "公示期满无异议"
    END_POLICY = "end_policy", "不再享受政策"
    RETURN_TO_POVERTY = "return_to_poverty", "返贫"
    MONITORING = "monitoring", "监测标识"


class PublicitySubject(models.TextChoices):
    IDENTIFY = "identify", "贫困户识别"
    EXIT = "exit", "贫困户退出"
    DIBAO = "dibao", "低保"
    MONITORING = "monitoring", "防返贫监测"
    OTHER = "other", "其他"


class PublicityResult(models.TextChoices):
    OPEN = "open", "公示中"
    PASSED = "passed", "期满无异议"
    OBJECTED = "objected", "有异议（已退回）"


# State choices of records other apps put through the chain (低保案件 status …), registered by them.
_REGISTERED_STATES: list = []


def register_state_choices(*choices) -> None:
    """An upper app's state choices, so event lists show their Chinese names."""
    _REGISTERED_STATES.extend(c for c in choices if c not in _REGISTERED_STATES)


def state_label(slug: str) -> str:
    """The Chinese label of any workflow state slug (review, change, poverty, monitoring, registered)."""
    for choices in (
        ReviewState,
        ChangeState,
        PovertyStatus,
        MonitoringState,
        PublicityResult,
        *_REGISTERED_STATES,
    ):
        if slug in choices.values:
            return choices(slug).label
    return slug or "—"

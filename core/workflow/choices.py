"""Code lists of the workflow: English slugs stored, Chinese labels shown."""

from django.db import models

from core.choices import ReviewState


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


# State choices of records the floors above put through the chain (change requests, poverty status,
# 低保案件 status …), registered by their apps' ready().
_REGISTERED_STATES: list = []


def register_state_choices(*choices) -> None:
    """An app's state choices, so event lists show their Chinese names."""
    _REGISTERED_STATES.extend(c for c in choices if c not in _REGISTERED_STATES)


def state_label(slug: str) -> str:
    """The Chinese label of any workflow state slug (the review chain's, 公示's, or a registered one)."""
    for choices in (ReviewState, PublicityResult, *_REGISTERED_STATES):
        if slug in choices.values:
            return choices(slug).label
    return slug or "—"

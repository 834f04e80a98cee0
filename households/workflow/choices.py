"""Code lists of the registry's own workflow records: English slugs stored, Chinese labels shown."""

from django.db import models

from core.choices import ReviewState


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

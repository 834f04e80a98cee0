"""Household facts found on a visit (issue 26: 走访发现信息变化) — a proposal, never an overwrite.

The helper names what changed (FieldChange: 联系电话, 人口变动, 收入变化, 住房情况, 其他) and the new
situation in words; it is kept on the visit (`proposed_changes` = {"kind", "value"}) and waits for the
village clerk, who opens change requests (households.workflow):

- 联系电话 is one field of the household: the clerk turns it into a change request at once
  (open_change_request with the new number; the chain reviews it as any other);
- the others need the desktop's structured edit (members, income years, housing fields): the clerk
  opens the change request there, then links the household's open change request to the visit;
- or she dismisses it with a reason (e.g. already recorded, not true).
Whoever recorded the visit sees what became of it on the household card."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.choices import Role
from core.permissions import role_of
from core.scoping import scoped
from households.choices import FieldChange, ProposalState
from households.models import Visit
from households.workflow import services as workflow
from households.workflow.models import ChangeRequest

VALUE_REQUIRED = "请填写变化后的情况"
PHONE_FORMAT = "联系电话应为7至20位数字"
ONLY_VILLAGE = "走访发现的信息变化由村级录入员处理"
NOT_PENDING = "该信息变化已处理（{state}）"
REASON_REQUIRED = "请填写不予采纳的理由"
NO_OPEN_CHANGE = "该户没有在办的变更申请：人口、收入、住房等变化请先在电脑端该户页面提出变更申请，再回来关联"
PHONE = re.compile(r"[0-9+\- ]{7,20}")


def proposal(kind: str, value: str) -> dict:
    """What a visit form's 发现信息变化 becomes on the visit ({} when nothing changed)."""
    value = (value or "").strip()
    if not kind:
        return {}
    if not value:
        raise ValidationError({"change_value": [VALUE_REQUIRED]})
    if kind == FieldChange.PHONE and not PHONE.fullmatch(value):
        raise ValidationError({"change_value": [PHONE_FORMAT]})
    return {"kind": FieldChange(kind).value, "value": value[:200]}


def handles_proposals(user) -> bool:
    return role_of(user) in {Role.VILLAGE_CLERK, Role.SYSTEM_ADMIN}


def proposals_for(user) -> QuerySet:
    """The visits with a proposal that this user's village handles (none for other roles)."""
    if not handles_proposals(user):
        return Visit.objects.none()
    return scoped(Visit.objects.exclude(proposal_state=ProposalState.NONE), user)


def pending_for(user) -> QuerySet:
    return proposals_for(user).filter(proposal_state=ProposalState.PENDING)


def _pending(visit: Visit, user) -> Visit:
    if not handles_proposals(user):
        raise PermissionDenied(ONLY_VILLAGE)
    locked = scoped(Visit.objects.select_for_update(), user).filter(pk=visit.pk).first()
    if locked is None:
        raise PermissionDenied(ONLY_VILLAGE)
    if locked.proposal_state != ProposalState.PENDING:
        state = locked.get_proposal_state_display()
        raise ValidationError(NOT_PENDING.format(state=state))
    return locked


def _handled(visit: Visit, user, state: str, **fields) -> Visit:
    for name, value in {"proposal_state": state, "proposal_handled_by": user, **fields}.items():
        setattr(visit, name, value)
    visit.proposal_handled_at = timezone.now()
    visit.save(update_fields=["proposal_state", "proposal_handled_by", "proposal_handled_at", *fields])
    return visit


@transaction.atomic
def to_change_request(*, visit: Visit, user) -> ChangeRequest:
    """联系电话: a new change request with the number; any other kind: the household's open change
    request (made on the desktop). The visit names it either way."""
    visit = _pending(visit, user)
    changes = visit.proposed_changes
    household = visit.household
    change: ChangeRequest | None
    if changes.get("kind") == FieldChange.PHONE:
        note = f"走访发现（{visit.visit_date:%Y-%m-%d} {visit.visitor}）：联系电话有变化"
        change = workflow.open_change_request(
            household=household, user=user, changes={"household": {"phone": changes["value"]}}, note=note
        )
    else:
        change = workflow.open_change_for(household=household)
        if change is None:
            raise ValidationError(NO_OPEN_CHANGE)
    _handled(visit, user, ProposalState.OPENED, change_request=change)
    return change


@transaction.atomic
def dismiss(*, visit: Visit, user, reason: str) -> Visit:
    visit = _pending(visit, user)
    if not (reason or "").strip():
        raise ValidationError({"reason": [REASON_REQUIRED]})
    return _handled(visit, user, ProposalState.DISMISSED, proposal_reason=reason.strip()[:200])

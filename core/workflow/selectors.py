"""Reads of the review chain: what waits for a user's level (待我审核)."""

from __future__ import annotations

from django.db.models import QuerySet

from core.permissions import role_of
from core.scoping import scoped
from core.workflow.config import chain_for, record_kind


def queue_states(*, user, kind: str) -> list[str]:
    """The states in which records of `kind` wait for this user's level (待我审核)."""
    role = role_of(user)
    return [
        state
        for level in chain_for(kind)
        if level.role == role
        for state in (level.pending, level.returned_here)
        if state
    ]


def review_queue(*, user, kind: str) -> QuerySet:
    """Records of `kind` waiting for the user's level, inside the user's scope."""
    rk = record_kind(kind)
    model = rk.model_class()
    qs = model._default_manager.filter(**{f"{rk.state_field}__in": queue_states(user=user, kind=kind)})
    return scoped(qs, user)

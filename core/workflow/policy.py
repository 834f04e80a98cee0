"""Who may take which step of the chain and of 公示 (domain.md#permissions). Scope is
checked with core.scoping; these predicates only look at the role and the record's state."""

from __future__ import annotations

from core.choices import Role
from core.permissions import TOWNSHIP_CORRECTABLE_STATES, role_of

# 公示: the village records objections; the township starts, closes and records (domain.md#permissions).
PUBLICITY_MANAGERS = {Role.TOWNSHIP_REVIEWER}
OBJECTION_RECORDERS = {Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER}
# States in which the township may correct a record itself (S003 审核、修正; audited).
TOWNSHIP_CORRECTABLE = TOWNSHIP_CORRECTABLE_STATES


def can_correct(user, state: str) -> bool:
    """镇修正: the township corrects a record it holds for review (or one the county sent back)."""
    return role_of(user) == Role.TOWNSHIP_REVIEWER and state in TOWNSHIP_CORRECTABLE

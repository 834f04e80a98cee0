"""Who may take which workflow step (domain.md#permissions). Scope is checked with
households.selectors; these predicates only look at the role and the record's state."""

from __future__ import annotations

from households.choices import ReviewState, Role
from households.permissions import TOWNSHIP_CORRECTABLE_STATES, role_of

# 公示: the village records objections; the township starts, closes and records (domain.md#permissions).
PUBLICITY_MANAGERS = {Role.TOWNSHIP_REVIEWER}
OBJECTION_RECORDERS = {Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER}
EXIT_PROPOSERS = {Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER}
EXIT_CANCELLERS = {Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN}
POLICY_ENDERS = {Role.COUNTY_ADMIN}
POVERTY_RETURNERS = {Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN}
# 防返贫监测: the flag follows the county's decision on a monitoring record (assistance.monitoring).
MONITORING_DECIDERS = {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}
# States in which the township may correct a household itself (S003 审核、修正; audited).
TOWNSHIP_CORRECTABLE = TOWNSHIP_CORRECTABLE_STATES


def is_clerk(user) -> bool:
    return role_of(user) == Role.VILLAGE_CLERK


def can_request_change(user, household) -> bool:
    """A village clerk edits a stored household only through a change request."""
    return is_clerk(user) and household is not None and household.review_state == ReviewState.VERIFIED


def can_correct(user, household) -> bool:
    return (
        role_of(user) == Role.TOWNSHIP_REVIEWER
        and household is not None
        and household.review_state in TOWNSHIP_CORRECTABLE
    )

"""Who may take which step of the registry's own workflows: change requests and the poverty status
(domain.md#permissions). The chain's and 公示's predicates are in core.workflow.policy."""

from __future__ import annotations

from core.choices import ReviewState, Role
from core.permissions import role_of

EXIT_PROPOSERS = {Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER}
EXIT_CANCELLERS = {Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN}
POLICY_ENDERS = {Role.COUNTY_ADMIN}
POVERTY_RETURNERS = {Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN}
# 防返贫监测: the flag follows the county's decision on a monitoring record (assistance.monitoring).
MONITORING_DECIDERS = {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}


def is_clerk(user) -> bool:
    return role_of(user) == Role.VILLAGE_CLERK


def can_request_change(user, household) -> bool:
    """A village clerk edits a stored household only through a change request."""
    return is_clerk(user) and household is not None and household.review_state == ReviewState.VERIFIED

"""Who may do what in the registry, by role (domain.md#permissions). Scope is separate:
core.scoping.scoped()."""

from core.choices import Role
from core.permissions import TOWNSHIP_CORRECTABLE_STATES, VILLAGE_EDITABLE_STATES, role_of


def can_enter_households(user) -> bool:
    return role_of(user) in {Role.VILLAGE_CLERK, Role.SYSTEM_ADMIN}


def can_edit_household(user, household=None) -> bool:
    """Village clerks edit drafts and returned records; township reviewers correct (audited)."""
    role = role_of(user)
    if role == Role.SYSTEM_ADMIN:
        return True
    if role == Role.VILLAGE_CLERK:
        return household is None or household.review_state in VILLAGE_EDITABLE_STATES
    if role == Role.TOWNSHIP_REVIEWER:
        # The township corrects while reviewing and after a county return (镇修正); audited.
        return household is None or household.review_state in TOWNSHIP_CORRECTABLE_STATES
    return False


def can_manage_helpers(user) -> bool:
    """帮扶力量 (helpers, work teams) are the county's shared register: county staff edit them."""
    return role_of(user) in {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}


def can_record_assistance(user) -> bool:
    """Pairings (结对) and visits are recorded where the work happens: village, township, county."""
    return role_of(user) in {Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}


def can_record_visit(user) -> bool:
    """走访 and 入户核实 are recorded by the helper assigned to the household and by the staff who
    record assistance (their scope decides which households)."""
    return can_record_assistance(user) or role_of(user) == Role.HELPER

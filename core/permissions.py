"""A user's role, and the chain states each level may still edit (domain.md#permissions).
Scope is separate: core.scoping.scoped()."""

from core.choices import ReviewState, Role

# States in which the village may still edit a record it entered.
VILLAGE_EDITABLE_STATES = {ReviewState.DRAFT, ReviewState.RETURNED_TO_VILLAGE}
TOWNSHIP_CORRECTABLE_STATES = {ReviewState.PENDING_TOWNSHIP, ReviewState.RETURNED_TO_TOWNSHIP}


def role_of(user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Role.SYSTEM_ADMIN
    return user.role


def can_manage_users(user) -> bool:
    return role_of(user) == Role.SYSTEM_ADMIN

"""Audit pages of the system admin: the login log, failed sign-ins, lockouts and API tokens.

Read-only for everyone, superusers included: no add, no change, no delete of a log row (the database
refuses it too, core migration 0003). A token's key is never shown — it is not stored, only its
digest, and neither the digest nor its lookup prefix appears here; an admin cannot mint a token for
someone else. Clearing a lockout and revoking a token are the two deletions offered (scenario 67)."""

from __future__ import annotations

from django.contrib import admin
from knox.models import AuthToken

from core.models import ApiToken, LoginFailure, LoginLockout, LoginLog
from core.permissions import can_manage_users

if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)  # knox's page lists digests and mints tokens for any user


class AuditAdmin(admin.ModelAdmin):
    list_per_page = 50

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and can_manage_users(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


LOGIN_FIELDS = ["attempt_time", "username", "ip_address", "path_info", "user_agent"]


@admin.register(LoginLog)
class LoginLogAdmin(AuditAdmin):
    list_display = ["attempt_time", "username", "ip_address", "logout_time", "path_info"]
    fields = [*LOGIN_FIELDS, "logout_time"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"


@admin.register(LoginFailure)
class LoginFailureAdmin(AuditAdmin):
    list_display = ["attempt_time", "username", "ip_address", "locked_out", "path_info"]
    fields = [*LOGIN_FIELDS, "locked_out"]
    list_filter = ["locked_out"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"


@admin.register(LoginLockout)
class LoginLockoutAdmin(AuditAdmin):
    list_display = ["attempt_time", "username", "ip_address", "failures_since_start"]
    fields = [*LOGIN_FIELDS, "failures_since_start"]
    search_fields = ["username", "ip_address"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)  # 解除锁定


@admin.register(ApiToken)
class ApiTokenAdmin(AuditAdmin):
    list_display = ["user", "created", "expiry"]
    fields = ["user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)  # 吊销

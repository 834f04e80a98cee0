"""Users and regions: the system admin manages them; everyone in scope may look at regions."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from core.admin.scoping import RoleAdminMixin
from core.choices import RegionLevel
from core.models import Region, User
from core.permissions import can_manage_users


@admin.register(Region)
class RegionAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "is_poor_village", "is_deep_poverty_village", "is_synthetic"]
    list_filter = ["level", "is_poor_village", "is_deep_poverty_village"]
    search_fields = ["name", "=code"]
    readonly_fields = []
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return can_manage_users(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_manage_users(request.user)

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete for village pickers: only villages, only in scope, searchable by name or code.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):
            queryset = queryset.filter(level=RegionLevel.VILLAGE)
        return queryset, may_have_duplicates


@admin.register(User)
class UserAdmin(RoleAdminMixin, BaseUserAdmin):
    list_display = ["username", "first_name", "role", "region", "is_active"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["region"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["first_name", "last_name", "phone", "email"]}),
        ("角色与区划", {"fields": ["role", "region", "is_active", "is_staff"]}),
        ("时间", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "password1", "password2", "role", "region"]})]

    def has_module_permission(self, request) -> bool:
        return can_manage_users(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_manage_users(request.user) or (obj is not None and obj == request.user)

    def has_add_permission(self, request) -> bool:
        return can_manage_users(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_manage_users(request.user)

"""帮扶力量: helpers and work teams (the county's shared register)."""

from django.contrib import admin

from core import scoping
from core.admin.scoping import RoleAdminMixin, ScopedInlineMixin, TownshipFilter
from core.choices import RegionLevel
from core.models import Region
from households import permissions
from households.models import HelperPerson, WorkTeam, WorkTeamMember


@admin.register(HelperPerson)
class HelperPersonAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ["name", "unit", "unit_level", "post", "phone", "county"]
    search_fields = ["name", "unit", "phone"]
    list_filter = ["unit_level"]

    def has_add_permission(self, request) -> bool:
        return permissions.can_manage_helpers(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_helpers(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "county":
            # Helpers are registered with the county the user works in (or under).
            prefix = scoping.region_prefix_for(request.user) or ""
            counties = Region.objects.filter(level=RegionLevel.COUNTY)
            formfield.queryset = counties.filter(code__startswith=prefix[:6])
        return formfield


class WorkTeamMemberInline(ScopedInlineMixin, admin.TabularInline):
    model = WorkTeamMember
    extra = 1

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_helpers(request.user)

    has_add_permission = has_change_permission

    def has_view_permission(self, request, obj=None) -> bool:
        return True


@admin.register(WorkTeam)
class WorkTeamAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ["village", "dispatching_unit", "start", "end"]
    list_filter = [TownshipFilter]
    search_fields = ["village__name", "dispatching_unit"]
    autocomplete_fields = ["village"]
    inlines = [WorkTeamMemberInline]

    def has_add_permission(self, request) -> bool:
        return permissions.can_manage_helpers(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_helpers(request.user)

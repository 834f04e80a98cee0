from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from households import permissions, selectors
from households.admin_privacy import RevealAdminMixin
from households.admin_scoping import ScopedAdminMixin, ScopedInlineMixin, TownshipFilter, VillageFilter
from households.choices import RegionLevel
from households.forms import HouseholdAdminForm, MemberAdminForm, MemberInlineFormSet
from households.models import (
    HelperAssignment,
    HelperPerson,
    Household,
    IncomeYear,
    Member,
    Region,
    User,
    Visit,
    WorkTeam,
    WorkTeamMember,
)
from households.panels import household_panels
from households.widgets import RegionCascadeWidget


class RoleAdminMixin(ScopedAdminMixin):
    """Everyone in scope may look; who may change is the role's business (permissions.py)."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)


@admin.register(Region)
class RegionAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "is_poor_village", "is_deep_poverty_village", "is_synthetic"]
    list_filter = ["level", "is_poor_village", "is_deep_poverty_village"]
    search_fields = ["name", "=code"]
    readonly_fields = []
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return permissions.can_manage_users(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_users(request.user)

    def get_search_results(self, request, queryset, search_term):
        # Autocomplete for village pickers: only villages, only in scope, searchable by name or code.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):
            queryset = queryset.filter(level=RegionLevel.VILLAGE)
        return queryset, may_have_duplicates


class MemberInline(ScopedInlineMixin, admin.StackedInline):
    model = Member
    form = MemberAdminForm
    formset = MemberInlineFormSet
    privacy_edit_form = True
    extra = 0
    min_num = 1
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("name", "id_no", "sex", "relation"),
                    ("ethnicity", "education", "school_status"),
                    ("school_category", "boarding"),
                ]
            },
        ),
        (
            "健康与劳动",
            {
                "fields": [
                    ("health", "disability_type", "disability_grade", "disability_card_no"),
                    ("labor", "work_status", "work_months", "employer"),
                ]
            },
        ),
        (
            "保险与状态",
            {
                "fields": [
                    ("in_medical_ins", "in_critical_ins", "in_pension", "is_soldier"),
                    ("member_status", "status_date", "status_note"),
                ]
            },
        ),
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_edit_household(request.user, obj)

    has_add_permission = has_change_permission

    def has_view_permission(self, request, obj=None) -> bool:
        return True


class IncomeInline(ScopedInlineMixin, admin.StackedInline):
    model = IncomeYear
    extra = 0
    fieldsets = [
        ("收入年度", {"fields": [("period_start", "period_end")]}),
        (
            "收入（元/年）",
            {
                "fields": [
                    ("wage", "business_income", "business_expense"),
                    ("property_dividend", "property_other"),
                    ("transfer_family_planning", "transfer_dibao", "transfer_tekun"),
                    ("transfer_pension", "transfer_eco", "transfer_disability", "transfer_other"),
                ]
            },
        ),
        (
            "低保口径调整（元/年）",
            {
                "classes": ["collapse"],
                "fields": [
                    ("basic_pension", "new_job_first_months"),
                    ("rigid_medical", "rigid_education", "rigid_disability", "job_costs"),
                ],
            },
        ),
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_edit_household(request.user, obj)

    has_add_permission = has_change_permission

    def has_view_permission(self, request, obj=None) -> bool:
        return True


class HelperAssignmentInline(ScopedInlineMixin, admin.TabularInline):
    model = HelperAssignment
    extra = 0
    autocomplete_fields = ["helper"]

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_record_assistance(request.user)

    has_add_permission = has_change_permission

    def has_view_permission(self, request, obj=None) -> bool:
        return True


class VisitInline(HelperAssignmentInline):
    model = Visit
    autocomplete_fields = ["helper"]


@admin.register(Household)
class HouseholdAdmin(RevealAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    form = HouseholdAdminForm
    privacy_edit_form = True
    inlines = [MemberInline, IncomeInline, HelperAssignmentInline, VisitInline]
    list_display = [
        "household_no",
        "head",
        "village_name",
        "attribute",
        "main_cause",
        "poverty_status",
        "review_state",
        "danger_level",
    ]
    list_filter = [
        TownshipFilter,
        VillageFilter,
        "attribute",
        "poverty_status",
        "review_state",
        "main_cause",
        "danger_level",
    ]
    search_fields = ["household_no", "members__name", "=members__id_no"]
    search_help_text = "按户编号、成员姓名或完整身份证号搜索"
    list_select_related = ["village"]
    list_per_page = 50
    readonly_fields = ["review_state", "created_by", "created_at", "updated_at"]

    # Panels contributed by upper floors (households.panels) are read-only callables.
    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *(p.field for p in household_panels())]

    def get_fieldsets(self, request, obj=None):
        panels = [(p.title, {"fields": [p.field]}) for p in household_panels()]
        return [*super().get_fieldsets(request, obj), *panels]

    fieldsets = [
        (
            "基本信息",
            {
                "fields": [
                    ("village", "group_name", "household_no"),
                    ("phone", "bank_name", "bank_account"),
                    ("review_state", "created_by"),
                ]
            },
        ),
        (
            "贫困户属性",
            {
                "fields": [
                    ("identify_standard", "attribute", "poverty_status"),
                    ("main_cause", "other_causes"),
                    ("identify_year", "plan_exit_year", "exit_year"),
                    ("is_military_family", "is_only_child", "is_two_daughters", "is_relocated"),
                ]
            },
        ),
        (
            "生产生活条件",
            {
                "classes": ["collapse"],
                "fields": [
                    ("land_arable", "land_irrigated", "land_forest"),
                    ("land_returned_forest", "land_orchard", "land_pasture", "land_water"),
                    ("has_production_power", "has_living_power", "has_safe_water", "has_water_difficulty"),
                    ("road_type", "distance_to_road_km"),
                ],
            },
        ),
        ("住房", {"fields": [("house_area", "house_structure", "danger_level")]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(archived_at__isnull=True).prefetch_related("members")

    @admin.display(description="户主")
    def head(self, obj: Household) -> str:
        return obj.head_name or "—"

    @admin.display(description="所在村", ordering="village__name")
    def village_name(self, obj: Household) -> str:
        return obj.village.name

    def has_add_permission(self, request) -> bool:
        return permissions.can_enter_households(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_edit_household(request.user, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "village":
            # The cascading picker (县 → 乡镇 → 村, server-side search in scope), without the
            # add/change icons that assume a <select>.
            kwargs["widget"] = RegionCascadeWidget(level=RegionLevel.VILLAGE)
            return self.formfield_for_foreignkey(db_field, request, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        region = getattr(request.user, "region", None)
        if region is not None and region.level == RegionLevel.VILLAGE:
            initial.setdefault("village", region.code)  # a clerk enters households of their own village
        return initial

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Member)
class MemberAdmin(RevealAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    """Look up a person by name or ID across the user's scope; edits happen on the household page."""

    list_display = ["name", "id_no", "sex", "birth_date", "relation", "household_no", "member_status"]
    list_filter = ["member_status", "health", "labor", "relation"]
    search_fields = ["name", "=id_no"]
    list_select_related = ["household"]
    list_per_page = 50

    @admin.display(description="户编号", ordering="household__household_no")
    def household_no(self, obj: Member) -> str:
        # Not str(household): that names the head and would cost one query per row.
        return obj.household.household_no

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
            prefix = selectors.region_prefix_for(request.user) or ""
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
        return permissions.can_manage_users(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_users(request.user) or (obj is not None and obj == request.user)

    def has_add_permission(self, request) -> bool:
        return permissions.can_manage_users(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_manage_users(request.user)


# Excel import/export pages; the review chain (queues, change requests, transition log) re-registers
# HouseholdAdmin with a subclass, so it stays last.
from households import admin_excel, admin_review  # noqa: E402,F401

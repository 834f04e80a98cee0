"""The household page and list: one admin, built from mixins (entry tabs and 户编号 on entry, change
requests and corrections, the record page's banner and buttons, the household's own form), and the
member search list."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from core.admin.chain import PublicityForm, ask_form, ask_reason, run_each, why
from core.admin.privacy import RevealAdminMixin
from core.admin.record_actions import RecordActionsAdminMixin
from core.admin.scoping import RoleAdminMixin, ScopedInlineMixin, TownshipFilter, VillageFilter
from core.choices import RegionLevel, ReviewState, Role
from core.permissions import role_of
from core.scoping import with_code_range
from core.widgets import RegionCascadeWidget
from core.workflow import policy as chain_policy
from core.workflow import services as chain
from households import permissions, search, visits
from households.admin.entry import HouseholdEntryAdminMixin
from households.forms import (
    HouseholdAdminForm,
    HouseholdRowsFormSet,
    MemberAdminForm,
    MemberInlineFormSet,
    VisitFormSet,
)
from households.models import HelperAssignment, Household, IncomeYear, Member, Visit
from households.panels import household_panels
from households.widgets import RowAutocompleteSelect
from households.workflow import policy, selectors, services
from households.workflow.changes import diff_rows
from households.workflow.choices import ChangeState

if TYPE_CHECKING:  # the type Django's stubs give ModelAdmin's templates
    from django.template.response import _TemplateForResponseT

CHANGE_OPENED = (
    "已生成变更申请#{pk}（{summary}），待镇、县审核通过后生效；在此之前计算、台账和发放仍使用原入库数据"
)
CHANGE_AMENDED = "已修改并重新提交变更申请#{pk}（{summary}）"
CHANGE_FAILED = "未生成变更申请：{why}"
ROWS_SAVED = "已保存结对帮扶和走访记录（户、成员和收入未修改，无需变更申请）"
CHANGE_PENDING = "该户有待审核的变更申请#{pk}（{state}），审核完成前不能再修改"
WORKFLOW_FIELDS = ["poverty_status", "monitoring_state", "democratic_review_date", "exit_year"]


class ExitProposalForm(forms.Form):
    review_date = forms.DateField(label="民主评议日期", widget=forms.DateInput(attrs={"type": "date"}))


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
            "家庭金融资产（低保资产核查）",
            {
                "fields": [("financial_assets", "assets_source", "assets_checked_on")],
                "description": "存款、有价证券、商业保险现金价值等，按收入年度核对；未核对的留空",
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
    formset = HouseholdRowsFormSet
    extra = 0
    autocomplete_fields = ["helper"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("helper")  # each row names its helper

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            # the picker shows the helper its row was read with (HouseholdRowsFormSet)
            kwargs["widget"] = RowAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        return permissions.can_record_assistance(request.user)

    has_add_permission = has_change_permission

    def has_view_permission(self, request, obj=None) -> bool:
        return True


class VisitInline(HelperAssignmentInline):
    """走访记录 rows. 记录人 is who entered the visit: set by the system (the signed-in user, on
    create: households.visits.stamp_recorder) and shown read-only as the person's name. A visit is
    append-only (households.models.Visit, and the API refuses changes): stored rows are shown
    read-only and a clerk adds a row; a correction is a new visit."""

    model = Visit
    formset = VisitFormSet
    autocomplete_fields = ["helper"]
    fields = [
        "visit_date", "visitor", "helper", "purpose", "met_persons", "content", "measures_delivered",
        "problems", "recorder", "latitude", "longitude", "accuracy_m",
    ]  # fmt: skip
    readonly_fields = ["recorder"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # stored visits are read-only; new rows follow has_add_permission

    def has_add_permission(self, request, obj=None) -> bool:
        return permissions.can_record_assistance(request.user)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.recorder = request.user
        return formset

    @admin.display(description="记录人")
    def recorder(self, visit: Visit) -> str:
        return visits.recorder_name(visit.recorded_by) if visit.recorded_by_id else "—"


def search_box_q(request, search_term: str, matching):
    """A list's search box matches as the search page does (households.search: a name or any part of
    it, pinyin or initials, the last digits of an ID or phone, a 户编号). None for a full or masked
    ID number and for what the search page would not search: those stay with the privacy search
    (core.admin.scoping)."""
    query = search.parse(search_term)
    if getattr(request, "_privacy_id_term", None) is not None or query.kind in (
        search.NameKind.NONE,
        search.NameKind.FULL_ID,
    ):
        return None
    return matching(query)


class HouseholdFormMixin:
    """The household record: its fieldsets, list columns and filters, panels from upper floors."""

    form = HouseholdAdminForm
    privacy_edit_form = True
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
    search_help_text = "按户编号、成员姓名（或拼音、首字母）、身份证号或电话后几位、完整身份证号搜索"
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
        queryset = super().get_queryset(request).filter(archived_at__isnull=True).prefetch_related("members")
        return with_code_range(queryset, request.user, "village_id")  # the list is ordered by village

    def get_search_results(self, request, queryset, search_term):
        q = search_box_q(request, search_term, lambda query: search.household_filter(query, request.user))
        if q is None:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(q), False

    def reveal_records(self, obj) -> list:
        """查看完整信息 on a household page reveals its members too."""
        return [obj, *obj.members.order_by("id")]

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


# ---- on a stored household: change requests instead of saving, corrections logged, history shown


def _editable_inline(inline_cls):
    """The member/income inline, also editable by a clerk on a stored household (as a change request)."""

    def has_change_permission(self, request, obj=None) -> bool:
        return inline_cls.has_change_permission(self, request, obj) or policy.can_request_change(
            request.user, obj
        )

    return type(
        inline_cls.__name__,
        (inline_cls,),
        {"has_change_permission": has_change_permission, "has_add_permission": has_change_permission},
    )


_CHANGE_FORMSETS = {Member: "members", IncomeYear: "incomes"}
_NOT_DATA = {"id", "household", "DELETE"}


def collect_changes(form, formsets) -> dict:
    """The admin form's edits as the structured `changes` that services.open_change_request takes."""
    changes: dict = {
        "household": {n: form.cleaned_data[n] for n in form.changed_data if n in form.cleaned_data}
    }
    for formset in formsets:
        key = _CHANGE_FORMSETS.get(formset.model)
        if key is None:
            continue
        rows = []
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", None)
            if not data or data.get("DELETE") or not inline_form.has_changed():
                continue
            is_new = inline_form.instance._state.adding
            names = data if is_new else inline_form.changed_data
            rows.append(
                {"id": None if is_new else inline_form.instance.pk}
                | {n: data[n] for n in names if n in data and n not in _NOT_DATA}
            )
        changes[key] = rows
    return changes


def _changed_labels(form, formsets) -> str:
    labels = [str(form.fields[n].label) for n in form.changed_data if n in form.fields]
    for formset in formsets:
        for inline_form in formset.forms:
            if inline_form.has_changed():
                labels.append(f"{formset.model._meta.verbose_name}：{inline_form.instance}")
    return "、".join(labels)


class HouseholdChangeMixin:
    """On a stored household a clerk's edit becomes a change request; a township's edit is logged as a
    correction; the page shows the transition log, the pending change's diff and field history."""

    change_form_template: ClassVar[_TemplateForResponseT | None] = (
        "admin/households/household/workflow_change_form.html"
    )
    actions = [
        "submit_selected",
        "withdraw_selected",
        "city_objection_selected",
        "propose_exit_selected",
        "start_exit_publicity_selected",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and policy.can_request_change(request.user, obj):
            change = self._pending_change(request, obj)
            return change is None or change.state == ChangeState.RETURNED_TO_VILLAGE
        return super().has_change_permission(request, obj)

    @staticmethod
    def _pending_change(request, household):
        """The household's open change request, read once a page view: the admin asks for the change
        permission of every field and inline form (44 queries on a clerk's record page before). Only
        for reading pages: a POST may open a change request on its way."""
        if request.method not in ("GET", "HEAD"):
            return services.open_change_for(household=household)
        known = request.__dict__.setdefault("_open_changes", {})
        if household.pk not in known:
            known[household.pk] = services.open_change_for(household=household)
        return known[household.pk]

    @staticmethod
    def _returned_change(household):
        change = services.open_change_for(household=household)
        return change if change is not None and change.state == ChangeState.RETURNED_TO_VILLAGE else None

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # Poverty status, exit and monitoring move only through their services once entered.
        locked = (
            WORKFLOW_FIELDS
            if obj is not None and obj.review_state != ReviewState.DRAFT
            else WORKFLOW_FIELDS[1:3]
        )
        return fields + [f for f in locked if f not in fields]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        shown = {
            f
            for _, opts in fieldsets
            for row in opts["fields"]
            for f in (row if isinstance(row, tuple) else [row])
        }
        extra = [f for f in ("monitoring_state", "democratic_review_date") if f not in shown]
        if extra:
            fieldsets.append(("脱贫与监测", {"fields": [tuple(extra)]}))
        return fieldsets

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        user = request.user
        if role_of(user) == Role.VILLAGE_CLERK and user.region_id:
            initial.setdefault("village", user.region_id)
        return initial

    # -- saving: a clerk's edit of a stored household becomes a change request

    def _as_change_request(self, request, obj) -> bool:
        return obj is not None and obj.pk is not None and policy.can_request_change(request.user, obj)

    def save_model(self, request, obj, form, change):
        if change and self._as_change_request(request, obj):
            return  # the live row stays as approved; save_related records the diff
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if change and formset.model in _CHANGE_FORMSETS and self._as_change_request(request, form.instance):
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        if change and self._as_change_request(request, obj):
            for formset in formsets:  # helpers/visits save as usual; members/incomes are skipped
                self.save_formset(request, form, formset, change=change)
            registry = [fs for fs in formsets if fs.model in _CHANGE_FORMSETS]
            if not form.has_changed() and not _any_changed(registry):
                # only 结对帮扶 / 走访记录 rows: saved above, nothing of the registry to request
                request._workflow_message = (messages.SUCCESS, ROWS_SAVED)
                return
            self._open_change(request, obj, form, formsets)
            return
        super().save_related(request, form, formsets, change)
        if (
            change
            and chain_policy.can_correct(request.user, obj.review_state)
            and (form.has_changed() or _any_changed(formsets))
        ):
            chain.record_correction(
                record=obj, user=request.user, summary="修正：" + _changed_labels(form, formsets)
            )

    def _open_change(self, request, obj, form, formsets) -> None:
        changes = collect_changes(form, formsets)
        returned = self._returned_change(obj)
        try:
            if returned is not None:
                result = services.amend_change_request(
                    change_request=returned, user=request.user, changes=changes
                )
                text = CHANGE_AMENDED
            else:
                result = services.open_change_request(household=obj, user=request.user, changes=changes)
                text = CHANGE_OPENED
        except ValidationError as exc:
            request._workflow_message = (messages.ERROR, CHANGE_FAILED.format(why=why(exc)))
        else:
            summary = selectors.change_summary(result)
            request._workflow_message = (messages.SUCCESS, text.format(pk=result.pk, summary=summary))

    def log_change(self, request, obj, message):
        if hasattr(request, "_workflow_message"):
            return None  # nothing was changed; the change request has its own log
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        if hasattr(request, "_workflow_message"):
            level, text = request._workflow_message
            self.message_user(request, text, level)
            return HttpResponseRedirect(reverse("admin:households_household_change", args=[obj.pk]))
        return super().response_change(request, obj)

    # -- the page: state, transition log, pending change diff, field history

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {}
        if obj is not None:
            pending = self._pending_change(request, obj)
            if (
                pending is not None
                and not self.has_change_permission(request, obj)
                and policy.is_clerk(request.user)
            ):
                self.message_user(
                    request, CHANGE_PENDING.format(pk=pending.pk, state=pending.get_state_display())
                )
            extra = {
                "workflow_events": selectors.events_for_household(household=obj, user=request.user),
                "pending_change": pending,
                "pending_diff": (
                    diff_rows(pending.active_items().order_by("id"), request.user) if pending else []
                ),
                "field_history": selectors.household_history(household=obj, user=request.user),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    # -- list actions: 提交, 撤回, 市抽查异议

    @admin.action(description="提交镇审核")
    def submit_selected(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda obj: chain.submit(record=obj, user=request.user, expected_state=obj.review_state),
            lambda obj: f"已提交，转为「{obj.get_review_state_display()}」",
        )

    @admin.action(description="撤回提交")
    def withdraw_selected(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda obj: chain.withdraw(record=obj, user=request.user, expected_state=obj.review_state),
            lambda obj: "已撤回为草稿",
        )

    @admin.action(description="市抽查异议（退回县核查）")
    def city_objection_selected(self, request, queryset):
        return ask_reason(
            self,
            request,
            queryset,
            action="city_objection_selected",
            title="市抽查异议",
            step=lambda obj, reason: chain.city_objection(
                record=obj, user=request.user, reason=reason, expected_state=obj.review_state
            ),
            done=lambda obj: f"已提出抽查异议，转为「{obj.get_review_state_display()}」",
        )

    @admin.action(description="民主评议拟退出")
    def propose_exit_selected(self, request, queryset):
        return ask_form(
            self,
            request,
            queryset,
            action="propose_exit_selected",
            title="民主评议拟退出",
            form_class=ExitProposalForm,
            step=lambda obj, data: services.propose_exit(
                household=obj, user=request.user, review_date=data["review_date"]
            ),
            done=lambda obj: f"已转为「{obj.get_poverty_status_display()}」",
        )

    @admin.action(description="开始退出公示")
    def start_exit_publicity_selected(self, request, queryset):
        return ask_form(
            self,
            request,
            queryset,
            action="start_exit_publicity_selected",
            title="开始退出公示",
            form_class=PublicityForm,
            step=lambda obj, data: chain.start_publicity(subject=obj, user=request.user, kind="exit", **data),
            done=lambda obj: "已开始公示，脱贫状态转为「公示中」",
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        role = role_of(request.user)
        keep = {
            Role.VILLAGE_CLERK: {"submit_selected", "withdraw_selected", "propose_exit_selected"},
            Role.TOWNSHIP_REVIEWER: {"propose_exit_selected", "start_exit_publicity_selected"},
            Role.CITY_SUPERVISOR: {"city_objection_selected"},
        }.get(role, set())
        return {name: action for name, action in actions.items() if name in keep}


def _any_changed(formsets) -> bool:
    return any(f.has_changed() for formset in formsets for f in formset.forms)


@admin.register(Household)
class HouseholdAdmin(
    HouseholdEntryAdminMixin,
    HouseholdChangeMixin,
    RecordActionsAdminMixin,
    HouseholdFormMixin,
    RevealAdminMixin,
    RoleAdminMixin,
    admin.ModelAdmin,
):
    # Members and incomes are editable by a clerk on a stored household too (as a change request).
    inlines = [
        _editable_inline(MemberInline),
        _editable_inline(IncomeInline),
        HelperAssignmentInline,
        VisitInline,
    ]


@admin.register(Member)
class MemberAdmin(RevealAdminMixin, RoleAdminMixin, admin.ModelAdmin):
    """Look up a person by name or ID across the user's scope; edits happen on the household page."""

    list_display = ["name", "id_no", "sex", "birth_date", "relation", "household_no", "member_status"]
    list_filter = ["member_status", "health", "labor", "relation"]
    search_fields = ["name", "=id_no"]
    list_select_related = ["household"]
    list_per_page = 50

    def get_search_results(self, request, queryset, search_term):
        q = search_box_q(request, search_term, search.member_filter)
        if q is None:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(q), False

    # By village, household, member for everyone: one walk of the member's own index (village code
    # first, Member.village_code) that stops after a page, whatever the scope's size.
    ordering = ["village_code", "household_id", "id"]

    @admin.display(description="户编号", ordering="household__household_no")
    def household_no(self, obj: Member) -> str:
        # Not str(household): that names the head and would cost one query per row.
        return obj.household.household_no

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

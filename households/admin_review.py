"""Admin for the review chain: 待我审核 queues, bulk approve/return, change requests from the
household form, the transition log and 公示 (read-only), history on the household page.

Thin by design: every step calls households.workflow.services; nothing here changes a state.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from households import admin as households_admin
from households.admin_actions import RecordActionsAdminMixin
from households.admin_entry import HouseholdEntryAdminMixin
from households.admin_scoping import ScopedAdminMixin, ScopedInlineMixin, TownshipFilter, VillageFilter
from households.choices import ReviewState, Role
from households.models import (
    ChangeRequest,
    Household,
    HouseholdReview,
    IncomeYear,
    Member,
    Publicity,
    PublicityObjection,
    WorkflowEvent,
)
from households.permissions import role_of
from households.workflow import policy, selectors, services
from households.workflow.changes import diff_rows
from households.workflow.choices import ChangeState, state_label
from households.workflow.config import kind_label

RESULT_OK = "{obj}：{done}"
RESULT_FAILED = "{obj}：未执行，{why}"
REASON_MISSING = "请填写退回或异议原因"
CHANGE_OPENED = (
    "已生成变更申请#{pk}（{summary}），待镇、县审核通过后生效；在此之前计算、台账和发放仍使用原入库数据"
)
CHANGE_AMENDED = "已修改并重新提交变更申请#{pk}（{summary}）"
CHANGE_FAILED = "未生成变更申请：{why}"
CHANGE_PENDING = "该户有待审核的变更申请#{pk}（{state}），审核完成前不能再修改"
WORKFLOW_FIELDS = ["poverty_status", "monitoring_state", "democratic_review_date", "exit_year"]


def _why(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def run_each(request, queryset, step, done) -> None:
    """Run one service call per record, each in its own transaction, with a per-record message."""
    for obj in queryset:
        try:
            result = step(obj)
        except ValidationError as exc:
            messages.error(request, RESULT_FAILED.format(obj=_label(obj), why=_why(exc)))
        else:
            messages.success(request, RESULT_OK.format(obj=_label(obj), done=done(result)))


def _label(obj) -> str:
    if isinstance(obj, Publicity):
        return f"{obj.household.household_no if obj.household_id else obj.record_id} {obj}"
    if isinstance(obj, ChangeRequest):
        return f"变更申请#{obj.pk}（{obj.household.household_no}）"
    if not hasattr(obj, "head_name"):  # a record of a household (特困 case, 补贴): its own label
        return str(obj)
    return f"{obj.household_no}{' ' + obj.head_name if obj.head_name else ''}"


def _state(obj) -> str:
    if isinstance(obj, Publicity):
        return obj.result
    return obj.state if isinstance(obj, ChangeRequest) else obj.review_state


def ask_reason(modeladmin, request, queryset, *, action: str, title: str, step, done):
    """Second step of a list action that needs a reason (退回, 市抽查异议): ask, then run each."""
    reason = (request.POST.get("reason") or "").strip()
    if request.POST.get("confirm") and reason:
        run_each(request, queryset, lambda obj: step(obj, reason), done)
        return None
    context = {
        "error": REASON_MISSING if request.POST.get("confirm") else "",
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": [(obj.pk, _label(obj), state_label(_state(obj))) for obj in queryset],
        "action": action,
        "opts": modeladmin.model._meta,
        "reason": reason,
    }
    return TemplateResponse(request, "admin/households/workflow/reason_form.html", context)


class ExitProposalForm(forms.Form):
    review_date = forms.DateField(label="民主评议日期", widget=forms.DateInput(attrs={"type": "date"}))


class PublicityForm(forms.Form):
    start = forms.DateField(label="公示开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="公示结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="公示地点", max_length=200)


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label="收到日期", widget=forms.DateInput(attrs={"type": "date"}))
    objector = forms.CharField(label="异议人（可匿名）", max_length=50, required=False)
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 3}))


def ask_form(modeladmin, request, queryset, *, action: str, title: str, form_class, step, done):
    """A list action that needs input (dates, place …): show the form, then run each record."""
    form = form_class(request.POST if request.POST.get("confirm") else None)
    if form.is_bound and form.is_valid():
        run_each(request, queryset, lambda obj: step(obj, form.cleaned_data), done)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "objects": [(obj.pk, _label(obj), state_label(_state(obj))) for obj in queryset],
        "action": action,
        "opts": modeladmin.model._meta,
        "form": form,
    }
    return TemplateResponse(request, "admin/households/workflow/action_form.html", context)


class ReviewActionsMixin:
    """审核通过 / 退回 from the list for many records at once, each checked on its own."""

    actions = ["approve_selected", "return_selected"]

    @admin.action(description="审核通过所选记录")
    def approve_selected(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda obj: services.approve(record=obj, user=request.user, expected_state=_state(obj)),
            lambda obj: f"审核通过，转为「{state_label(_state(obj))}」",
        )

    @admin.action(description="退回所选记录（需填写原因）")
    def return_selected(self, request, queryset):
        return ask_reason(
            self,
            request,
            queryset,
            action="return_selected",
            title="退回所选记录",
            step=lambda obj, reason: services.return_to_lower(
                record=obj, user=request.user, reason=reason, expected_state=_state(obj)
            ),
            done=lambda obj: f"已退回，转为「{state_label(_state(obj))}」",
        )


class QueueStateFilter(admin.SimpleListFilter):
    """The states waiting for the user's level, with how many records are in each."""

    title = "待审核状态"
    parameter_name = "queue_state"
    kind = "household"
    state_field = "review_state"

    def lookups(self, request, model_admin):
        counts = dict(
            model_admin.get_queryset(request)
            .order_by()
            .values_list(self.state_field)
            .annotate(n=Count("pk"))
            .values_list(self.state_field, "n")
        )
        return [
            (state, f"{state_label(state)}（{counts.get(state, 0)}）")
            for state in selectors.queue_states(user=request.user, kind=self.kind)
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.state_field: self.value()})
        return queryset


def _queue_title(request, kind: str, model_label: str) -> str:
    count = selectors.review_queue(user=request.user, kind=kind).count()
    return f"待我审核（{model_label}）：共 {count} 条"


@admin.register(HouseholdReview)
class HouseholdReviewAdmin(ReviewActionsMixin, ScopedAdminMixin, admin.ModelAdmin):
    """待我审核: township reviewers see 待镇审核 + 镇修正, the county 待县核查, in their scope."""

    list_display = [
        "household_no",
        "head",
        "village_name",
        "review_state",
        "created_by",
        "updated_at",
        "open",
    ]
    list_display_links = None
    change_list_template = "admin/households/workflow/queue_change_list.html"
    list_filter = [QueueStateFilter, TownshipFilter, VillageFilter]
    search_fields = ["household_no", "members__name", "=members__id_no"]
    list_per_page = 50

    def get_queryset(self, request):
        return (
            selectors.review_queue(user=request.user, kind="household")
            .select_related("village", "created_by")
            .prefetch_related("members")
        )

    def has_module_permission(self, request) -> bool:
        return role_of(request.user) in {Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN}

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="户主")
    def head(self, obj) -> str:
        return obj.head_name or "—"

    @admin.display(description="所在村")
    def village_name(self, obj) -> str:
        return obj.village.name

    @admin.display(description="查看/修正")
    def open(self, obj) -> str:
        url = reverse("admin:households_household_change", args=[obj.pk])
        return format_html('<a href="{}">打开户页面</a>', url)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "title": _queue_title(request, "household", "建档立卡户")}
        return super().changelist_view(request, extra_context)


class ChangeQueueFilter(admin.SimpleListFilter):
    """By default a reviewer sees what waits for them (待我审核); 全部 shows every request in scope."""

    title = "范围"
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [("all", "全部变更申请")]

    def queryset(self, request, queryset):
        states = selectors.queue_states(user=request.user, kind="household_change")
        if self.value() == "all" or not states:
            return queryset
        return queryset.filter(state__in=states)


class ChangeStateFilter(QueueStateFilter):
    kind = "household_change"
    state_field = "state"


@admin.register(ChangeRequest)
class ChangeRequestAdmin(RecordActionsAdminMixin, ReviewActionsMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "household_link", "village", "state", "summary", "created_by", "created_at"]
    list_filter = [ChangeQueueFilter, ChangeStateFilter, "state"]
    search_fields = ["household__household_no", "household__members__name"]
    actions = ["approve_selected", "return_selected", "withdraw_selected"]
    change_form_template = "admin/households/changerequest/change_form.html"
    change_list_template = "admin/households/workflow/queue_change_list.html"
    list_per_page = 50

    def get_queryset(self, request):
        return selectors.change_requests_for(request.user)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False  # opened by editing a stored household

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="编号", ordering="pk")
    def number(self, obj) -> str:
        url = reverse("admin:households_changerequest_change", args=[obj.pk])
        return format_html('<a href="{}">变更申请#{}</a>', url, obj.pk)

    @admin.display(description="户")
    def household_link(self, obj) -> str:
        url = reverse("admin:households_household_change", args=[obj.household_id])
        return format_html('<a href="{}">{}</a>', url, obj.household.household_no)

    @admin.display(description="所在村")
    def village(self, obj) -> str:
        return obj.household.village.name

    @admin.display(description="变更内容")
    def summary(self, obj) -> str:
        return selectors.change_summary(obj)

    @admin.action(description="撤回所选变更申请")
    def withdraw_selected(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda obj: services.withdraw(record=obj, user=request.user, expected_state=obj.state),
            lambda obj: "已撤回（入库数据未被改动，无需恢复）",
        )

    def changelist_view(self, request, extra_context=None):
        title = "变更申请"
        if selectors.queue_states(user=request.user, kind="household_change"):
            title = _queue_title(request, "household_change", "变更申请")
        return super().changelist_view(request, {**(extra_context or {}), "title": title})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = self.get_object(request, object_id)
        extra = {}
        if change is not None:
            extra = {
                "diff_rows": diff_rows(change.active_items().order_by("id")),
                "workflow_events": WorkflowEvent.objects.filter(
                    record_kind="household_change", record_id=change.pk
                ).select_related("actor", "actor_region"),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})


# ---- the household page: change requests instead of saving, corrections logged, history shown


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


class WorkflowHouseholdAdmin(RecordActionsAdminMixin, households_admin.HouseholdAdmin):
    change_form_template = "admin/households/household/workflow_change_form.html"
    actions = [
        "submit_selected",
        "withdraw_selected",
        "city_objection_selected",
        "propose_exit_selected",
        "start_exit_publicity_selected",
    ]

    # The base admin's inlines, with members and incomes editable for change requests.
    inlines = [
        _editable_inline(i) if i in (households_admin.MemberInline, households_admin.IncomeInline) else i
        for i in households_admin.HouseholdAdmin.inlines
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and policy.can_request_change(request.user, obj):
            return services.open_change_for(household=obj) is None or self._returned_change(obj) is not None
        return super().has_change_permission(request, obj)

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
            self._open_change(request, obj, form, formsets)
            return
        super().save_related(request, form, formsets, change)
        if (
            change
            and policy.can_correct(request.user, obj)
            and (form.has_changed() or _any_changed(formsets))
        ):
            services.record_correction(
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
            request._workflow_message = (messages.ERROR, CHANGE_FAILED.format(why=_why(exc)))
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
            pending = services.open_change_for(household=obj)
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
                "pending_diff": diff_rows(pending.active_items().order_by("id")) if pending else [],
                "field_history": selectors.household_history(household=obj),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    # -- list actions: 提交, 撤回, 市抽查异议

    @admin.action(description="提交镇审核")
    def submit_selected(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda obj: services.submit(record=obj, user=request.user, expected_state=obj.review_state),
            lambda obj: f"已提交，转为「{obj.get_review_state_display()}」",
        )

    @admin.action(description="撤回提交")
    def withdraw_selected(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda obj: services.withdraw(record=obj, user=request.user, expected_state=obj.review_state),
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
            step=lambda obj, reason: services.city_objection(
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
            step=lambda obj, data: services.start_publicity(
                subject=obj, user=request.user, kind="exit", **data
            ),
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


admin.site.unregister(Household)


class HouseholdPageAdmin(HouseholdEntryAdminMixin, WorkflowHouseholdAdmin):
    """The household page as registered: entry tabs and 户编号 on entry (admin_entry) over the chain."""


admin.site.register(Household, HouseholdPageAdmin)


# ---- read-only records: nobody alters or deletes them through the admin, superusers included


class ReadOnlyAdminMixin(ScopedAdminMixin):
    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "record",
        "action",
        "transition",
        "reason",
        "actor",
        "actor_role",
        "actor_region",
    ]
    list_filter = ["action", "record_kind", "actor_role"]
    search_fields = ["household__household_no", "reason", "actor__username"]
    list_select_related = ["household", "actor", "actor_region"]
    date_hierarchy = "created_at"
    list_per_page = 100

    @admin.display(description="记录")
    def record(self, obj) -> str:
        kind = {"household": "户", "household_change": "变更申请"}.get(obj.record_kind) or kind_label(
            obj.record_kind
        )
        number = obj.household.household_no if obj.household_id else obj.record_id
        return f"{kind} {number}" if obj.record_kind == "household" else f"{kind}#{obj.record_id}（{number}）"

    @admin.display(description="状态变化")
    def transition(self, obj) -> str:
        return f"{obj.from_label} → {obj.to_label}"


class PublicityObjectionInline(ScopedInlineMixin, admin.TabularInline):
    model = PublicityObjection
    extra = 0
    fields = ["received_on", "objector", "content", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return True


@admin.register(Publicity)
class PublicityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subject_kind", "household", "start", "end", "place", "result", "created_by"]
    list_filter = ["subject_kind", "result"]
    list_select_related = ["household", "created_by"]
    inlines = [PublicityObjectionInline]
    actions = ["close_selected", "objection_selected"]

    @admin.action(description="公示期满无异议，结束公示")
    def close_selected(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda obj: services.close_publicity(publicity=obj, user=request.user),
            lambda obj: "公示期满无异议，已结束",
        )

    @admin.action(description="登记公示异议")
    def objection_selected(self, request, queryset):
        return ask_form(
            self,
            request,
            queryset,
            action="objection_selected",
            title="登记公示异议",
            form_class=ObjectionForm,
            step=lambda obj, data: services.record_objection(publicity=obj, user=request.user, **data),
            done=lambda obj: "已登记异议，公示结束并退回核实，须重新公示",
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        keep = {
            Role.VILLAGE_CLERK: {"objection_selected"},
            Role.TOWNSHIP_REVIEWER: {"close_selected", "objection_selected"},
        }.get(role_of(request.user), set())
        return {name: action for name, action in actions.items() if name in keep}

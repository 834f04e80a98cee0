"""待我审核 of households and the change requests: the registry's review queues."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin.chain import QueueStateFilter, ReviewActionsMixin, queue_title, run_each
from core.admin.record_actions import RecordActionsAdminMixin
from core.admin.scoping import ScopedAdminMixin, TownshipFilter, VillageFilter
from core.choices import Role
from core.models import WorkflowEvent
from core.permissions import role_of
from core.workflow import selectors as chain_selectors
from core.workflow import services as chain
from households.models import ChangeRequest, HouseholdReview
from households.workflow import selectors
from households.workflow.changes import diff_rows


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
            chain_selectors.review_queue(user=request.user, kind="household")
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
        extra_context = {**(extra_context or {}), "title": queue_title(request, "household", "建档立卡户")}
        return super().changelist_view(request, extra_context)


class ChangeQueueFilter(admin.SimpleListFilter):
    """By default a reviewer sees what waits for them (待我审核); 全部 shows every request in scope."""

    title = "范围"
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return [("all", "全部变更申请")]

    def queryset(self, request, queryset):
        states = chain_selectors.queue_states(user=request.user, kind="household_change")
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
            lambda obj: chain.withdraw(record=obj, user=request.user, expected_state=obj.state),
            lambda obj: "已撤回（入库数据未被改动，无需恢复）",
        )

    def changelist_view(self, request, extra_context=None):
        title = "变更申请"
        if chain_selectors.queue_states(user=request.user, kind="household_change"):
            title = queue_title(request, "household_change", "变更申请")
        return super().changelist_view(request, {**(extra_context or {}), "title": title})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = self.get_object(request, object_id)
        extra = {}
        if change is not None:
            extra = {
                "diff_rows": diff_rows(change.active_items().order_by("id"), request.user),
                "workflow_events": WorkflowEvent.objects.filter(
                    record_kind="household_change", record_id=change.pk
                ).select_related("actor", "actor_region"),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

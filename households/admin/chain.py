"""The chain's append-only records as the registry shows them: the transition log and 公示 with the
household number of their subject (the chain itself stores only the household's id)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import OuterRef, Subquery

from core.admin.chain import ObjectionForm, ReadOnlyAdminMixin, ask_form, run_each
from core.admin.scoping import ScopedInlineMixin
from core.choices import Role
from core.models import Publicity, PublicityObjection, WorkflowEvent
from core.permissions import role_of
from core.workflow import services as chain
from core.workflow.config import kind_label
from households.models import Household


def _with_subject_no(queryset):
    """The household number of each row's subject, in the same query (the chain keeps only its id)."""
    number = Household.objects.filter(pk=OuterRef("household_id")).values("household_no")[:1]
    return queryset.annotate(subject_no=Subquery(number))


class SubjectSearchMixin:
    """Searching a household number finds the records of that household."""

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            ids = Household.objects.filter(household_no=term).values("pk")
            queryset = queryset | self.get_queryset(request).filter(household_id__in=ids)
        return queryset, duplicates


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(SubjectSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
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
    search_fields = ["reason", "actor__username"]
    search_help_text = "按户编号、原因或操作人搜索"
    exclude = ["household_id"]
    readonly_fields = ["subject"]
    list_select_related = ["actor", "actor_region"]
    date_hierarchy = "created_at"
    list_per_page = 100

    @admin.display(description="记录")
    def record(self, obj) -> str:
        kind = {"household": "户", "household_change": "变更申请"}.get(obj.record_kind) or kind_label(
            obj.record_kind
        )
        number = obj.subject_no or obj.record_id
        return f"{kind} {number}" if obj.record_kind == "household" else f"{kind}#{obj.record_id}（{number}）"

    def get_queryset(self, request):
        return _with_subject_no(super().get_queryset(request))

    @admin.display(description="户编号")
    def subject(self, obj) -> str:
        return obj.subject_no or "—"

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
class PublicityAdmin(SubjectSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subject_kind", "household_no", "start", "end", "place", "result", "created_by"]
    list_filter = ["subject_kind", "result"]
    search_fields = ["place"]
    search_help_text = "按户编号或公示地点搜索"
    exclude = ["household_id"]
    readonly_fields = ["household_no"]
    list_select_related = ["created_by"]
    inlines = [PublicityObjectionInline]
    actions = ["close_selected", "objection_selected"]

    def get_queryset(self, request):
        return _with_subject_no(super().get_queryset(request))

    @admin.display(description="户编号")
    def household_no(self, obj) -> str:
        return obj.subject_no or "—"

    @admin.action(description="公示期满无异议，结束公示")
    def close_selected(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda obj: chain.close_publicity(publicity=obj, user=request.user),
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
            step=lambda obj, data: chain.record_objection(publicity=obj, user=request.user, **data),
            done=lambda obj: "已登记异议，公示结束并退回核实，须重新公示",
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        keep = {
            Role.VILLAGE_CLERK: {"objection_selected"},
            Role.TOWNSHIP_REVIEWER: {"close_selected", "objection_selected"},
        }.get(role_of(request.user), set())
        return {name: action for name, action in actions.items() if name in keep}

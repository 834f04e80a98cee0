"""Admin plumbing of the review chain, for every record kind: list actions that run a service per
record with a message each (审核通过 / 退回 with a reason / a form), the 待我审核 state filter, and
read-only pages for the append-only records.

Thin by design: every step calls core.workflow.services (or a floor's own service); nothing here
changes a state."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse

from core.admin.scoping import ScopedAdminMixin
from core.models import Publicity
from core.workflow import selectors as chain_selectors
from core.workflow import services as chain
from core.workflow.choices import state_label
from core.workflow.config import kind_of
from core.workflow.errors import TransitionError

RESULT_OK = "{obj}：{done}"
RESULT_FAILED = "{obj}：未执行，{why}"
REASON_MISSING = "请填写退回或异议原因"


def why(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def run_each(request, queryset, step, done) -> None:
    """Run one service call per record, each in its own transaction, with a per-record message."""
    for obj in queryset:
        try:
            result = step(obj)
        except ValidationError as exc:
            messages.error(request, RESULT_FAILED.format(obj=_label(obj), why=why(exc)))
        else:
            messages.success(request, RESULT_OK.format(obj=_label(obj), done=done(result)))


def _label(obj) -> str:
    # A 公示 list annotates the household number of its subject (households.admin.chain).
    number = getattr(obj, "subject_no", None)
    return f"{number} {obj}" if number else str(obj)


def _state(obj) -> str:
    if isinstance(obj, Publicity):
        return obj.result
    try:
        return kind_of(obj).state_of(obj)
    except TransitionError:  # not a chained record: its review state, if it has one
        return getattr(obj, "review_state", "")


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
            lambda obj: chain.approve(record=obj, user=request.user, expected_state=_state(obj)),
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
            step=lambda obj, reason: chain.return_to_lower(
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
            for state in chain_selectors.queue_states(user=request.user, kind=self.kind)
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.state_field: self.value()})
        return queryset


def queue_title(request, kind: str, model_label: str) -> str:
    count = chain_selectors.review_queue(user=request.user, kind=kind).count()
    return f"待我审核（{model_label}）：共 {count} 条"


class ReadOnlyAdminMixin(ScopedAdminMixin):
    """Read-only records: nobody alters or deletes them through the admin, superusers included."""

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

"""Record pages in the admin: the status banner and its buttons (core.workflow.actions), the
POST view behind each button, and a save message that says what comes next.

Thin: the view finds the record through the admin's scoped queryset (out of scope → 404) and
calls record_actions.perform(), which calls the same service as the list action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from core.admin.chain import why
from core.choices import ReviewState
from core.workflow import actions as ra

if TYPE_CHECKING:  # the type Django's stubs give ModelAdmin's templates
    from django.template.response import _TemplateForResponseT

ACTION_DONE = "{label}：{done}。{next}"
ACTION_REFUSED = "未执行「{label}」：{why}"
SAVED_NOT_SUBMITTED = "已保存为草稿，尚未提交审核：请在页面顶部点击“提交审核”"
SAVED_NOT_RESUBMITTED = "已保存，尚未重新提交审核：修正完成后请在页面顶部点击“提交审核”"


class RecordActionsAdminMixin:
    """Adds the banner to the change page and `<pk>/act/<slug>/` for its buttons."""

    change_form_template: ClassVar[_TemplateForResponseT | None] = "admin/record_actions/change_form.html"

    def record_extra_states(self, obj) -> list[tuple[str, str]]:
        """Other states worth showing beside the review state (a case's 业务状态, 脱贫状态)."""
        names = (("status", "业务状态"), ("poverty_status", "脱贫状态"))
        return [(label, getattr(obj, f"get_{name}_display")()) for name, label in names if hasattr(obj, name)]

    def record_links(self, request, obj) -> list[tuple[str, str]]:
        """Links shown beside the buttons (e.g. 打印审批表)."""
        return []

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view(self.record_action_view)
        return [
            path("<path:object_id>/act/<slug:slug>/", view, name="{}_{}_act".format(*info)),
            *super().get_urls(),
        ]

    def _action_url(self, obj, slug: str) -> str:
        info = self.opts.app_label, self.opts.model_name
        return reverse("admin:{}_{}_act".format(*info), args=[obj.pk, slug])

    def record_page_context(self, request, obj) -> dict:
        return {
            "record_banner": ra.banner_of(obj, extra_states=self.record_extra_states(obj)),
            "record_links": self.record_links(request, obj),
            "record_actions": [
                {
                    "action": action,
                    "form": action.form(prefix=action.slug) if action.form else None,
                    "url": self._action_url(obj, action.slug),
                }
                for action in ra.available_actions(obj, request.user)
            ],
        }

    def get_object(self, request, object_id, from_field=None):
        """The record, read once a page view: the banner, its buttons and the form (and an admin's
        own change_view) share it. Only for reading pages: on a POST the form edits its instance."""
        if request.method not in ("GET", "HEAD"):
            return super().get_object(request, object_id, from_field)
        known = request.__dict__.setdefault("_record_objects", {})
        key = (self.opts.label, unquote(str(object_id)), from_field)
        if key not in known:
            known[key] = super().get_object(request, object_id, from_field)
        return known[key]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is not None and request.method == "GET":
            extra.update(self.record_page_context(request, obj))
        return super().change_view(request, object_id, form_url, extra)

    def record_action_view(self, request, object_id, slug):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))  # the scoped queryset: out of scope → 404
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        action = ra.action_named(obj, slug)
        if action is None:
            raise Http404
        page = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        data = {}
        if action.form is not None:
            form = action.form(request.POST, prefix=slug)
            if not form.is_valid():
                errors = "；".join(str(e) for errors in form.errors.values() for e in errors)
                messages.error(request, ACTION_REFUSED.format(label=action.label, why=errors))
                return HttpResponseRedirect(page)
            data = form.cleaned_data
        try:
            ra.perform(obj, request.user, slug, data)
        except ValidationError as exc:
            messages.error(request, ACTION_REFUSED.format(label=action.label, why=why(exc)))
        else:
            text = ACTION_DONE.format(label=action.label, done=action.done, next=ra.next_step_text(obj))
            messages.success(request, text)
        return HttpResponseRedirect(page)

    # -- after 保存: say what comes next, and stay on the page whose banner offers it

    def _after_save(self, request, obj, response):
        if "_popup" in request.POST or "_addanother" in request.POST:
            return response
        if obj.pk is None or not ra.offers(obj, request.user, "submit"):
            return response
        returned = getattr(obj, "review_state", None) == ReviewState.RETURNED_TO_VILLAGE
        messages.warning(request, SAVED_NOT_RESUBMITTED if returned else SAVED_NOT_SUBMITTED)
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return self._after_save(request, obj, super().response_change(request, obj))

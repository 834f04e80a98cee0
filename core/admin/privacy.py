"""查看完整信息 on record pages, and the access log the county browses and exports."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core import privacy
from core.admin.scoping import ScopedAdminMixin
from core.choices import Role
from core.excel.cells import safe_csv_writer
from core.models import AccessLog
from core.permissions import role_of


class RevealForm(forms.Form):
    reason = forms.CharField(label="查看事由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class RevealAdminMixin:
    """Adds `<id>/reveal/` (GET: ask the reason; POST: show the full values, recorded) and a
    查看完整信息 link on the record page for users who may reveal."""

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_reveal"
        return [
            path("<path:object_id>/reveal/", self.admin_site.admin_view(self.reveal_view), name=name),
            *super().get_urls(),
        ]

    def reveal_records(self, obj) -> list:
        """The records one reveal covers (a household page reveals its members too: its admin says so)."""
        return [obj]

    def reveal_view(self, request, object_id):
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not privacy.may_reveal(request.user):
            raise PermissionDenied(privacy.REVEAL_FORBIDDEN)
        opts = self.model._meta
        back_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        form = RevealForm(request.POST or None)
        values = []
        if request.method == "POST" and form.is_valid():
            try:
                for record in self.reveal_records(obj):
                    shown = privacy.reveal(
                        user=request.user,
                        request=request,
                        record=record,
                        reason=form.cleaned_data["reason"],
                        channel=AccessLog.Channel.PAGE,
                    )
                    for name, value in shown.items():
                        values.append((str(record), privacy.FIELD_KINDS[name].label, value))
            except ValidationError as exc:
                form.add_error(None, exc)
        context = {
            **self.admin_site.each_context(request),
            "title": "查看完整信息",
            "subject": str(obj),
            "form": form,
            "values": values,
            "back_url": back_url,
            "opts": opts,
        }
        response = TemplateResponse(request, "admin/privacy/reveal.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.display(description="完整信息")
    def reveal_link(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_reveal", args=[obj.pk])
        return format_html('<a class="button" href="{}">查看完整信息</a>（须填写事由，查看将被记录）', url)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and privacy.may_reveal(request.user) and "reveal_link" not in fields:
            fields.append("reveal_link")
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        shown = flatten_fieldsets(fieldsets)
        if obj is not None and privacy.may_reveal(request.user) and "reveal_link" not in shown:
            fieldsets.insert(1, ("个人信息", {"fields": ["reveal_link"]}))
        return fieldsets


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The county browses (and exports) every reveal and full-value export of its households."""

    list_display = [
        "created_at",
        "user",
        "role_label",
        "channel",
        "subject",
        "fields",
        "rows",
        "reason",
        "ip",
    ]
    list_filter = ["channel", "role"]
    search_fields = ["subject", "user__username", "user__first_name", "reason"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    actions = ["export_csv"]
    list_per_page = 50
    # The record page shows what a person reads, not the stored codes (model labels, role slugs, ids).
    readonly_fields = ("created_at", "user", "role_label", "channel", "record_label", "subject", "fields",
                       "rows", "reason", "ip")  # fmt: skip
    fields = readonly_fields

    @admin.display(description="记录类型")
    def record_label(self, obj) -> str:
        try:
            return str(apps.get_model(obj.record_kind)._meta.verbose_name)
        except (LookupError, ValueError):
            return "—"  # a file rather than a record (ledger, re-survey workbook): its name is the subject

    @admin.display(description="查看人角色")
    def role_label(self, obj) -> str:
        return Role(obj.role).label if obj.role in Role.values else obj.role

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and role_of(request.user) in {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # append-only, superusers included (scenario 67)

    @admin.action(description="导出所选记录（表格文件，Excel 可打开）")
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('个人信息查看记录.csv')}"
        response.write("\ufeff")  # Excel opens UTF-8 CSV with a BOM
        writer = safe_csv_writer(response)
        writer.writerow(
            ["时间", "查看人", "角色", "方式", "所涉对象", "查看字段", "涉及条数", "事由", "来源地址"]
        )
        for log in queryset.select_related("user").order_by("created_at", "id"):
            writer.writerow(
                [
                    f"{log.created_at:%Y-%m-%d %H:%M:%S}",
                    str(log.user),
                    self.role_label(log),
                    log.get_channel_display(),
                    log.subject,
                    log.fields,
                    log.rows,
                    log.reason,
                    log.ip or "",
                ]
            )
        return response

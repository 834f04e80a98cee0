"""Admin pages for Excel: the village import (template → upload → preview → confirm) and the ledger
exports (small ones download at once, large ones become a job with progress and a download link).
Thin: forms parse input, households.excel services do the work."""

from __future__ import annotations

import os
import tempfile

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core import privacy, scoping
from core.admin.scoping import ScopedAdminMixin
from core.choices import RegionLevel
from core.excel.downloads import XLSX, file_response
from core.excel.parsing import FileRejected
from households import permissions
from households.choices import PovertyAttribute, PovertyStatus
from households.excel import resurvey
from households.excel.error_report import write_error_report
from households.excel.services import confirm_batch, preview_upload
from households.excel.template import build_template
from households.models import ImportBatch, ResurveyFilter

PREVIEW_ERROR_LIMIT = 5000


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="导入文件", help_text="支持 .xlsx、.xls、.csv（UTF-8 或 GBK 编码）")


def _checkboxes(label: str, choices) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, choices=choices, widget=forms.CheckboxSelectMultiple
    )


def _region_choices(user) -> list[tuple[str, str]]:
    regions = scoping.regions_for(user).filter(level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE])
    return [("", "本级全部")] + [
        (r.code, f"{r.code} {r.name}") for r in regions.only("code", "name").order_by("code")[:2000]
    ]


class ResurveyDownloadForm(forms.Form):
    saved_filter = forms.ModelChoiceField(
        label="已保存的筛选条件",
        required=False,
        queryset=ResurveyFilter.objects.none(),
        help_text="选择后按该条件下发，忽略下面的区划、状态和属性",
    )
    region = forms.ChoiceField(label="区划", required=False)
    statuses = _checkboxes("脱贫状态", PovertyStatus.choices)
    attributes = _checkboxes("贫困户属性", PovertyAttribute.choices)
    save_as = forms.CharField(
        label="保存为筛选条件", required=False, max_length=60, help_text="填写名称即把本次选择保存下来"
    )
    full_identity = forms.BooleanField(
        label="含完整身份信息",
        required=False,
        help_text="确需完整身份证号、银行账号、联系电话时勾选；仅县级可用，须填写事由，导出将被记录",
    )
    reason = forms.CharField(label="事由", required=False, max_length=500)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["saved_filter"].queryset = resurvey.saved_filters_for(user)
        self.fields["region"].choices = _region_choices(user)
        if not privacy.may_reveal(user):
            del self.fields["full_identity"], self.fields["reason"]


class ResurveyFilterForm(forms.ModelForm):
    # Not named after the model fields: the service, not the ModelForm, sets those (scope check).
    region_code = forms.ChoiceField(label="区划", required=False, help_text="留空为本级全部")
    status_list = _checkboxes("脱贫状态", PovertyStatus.choices)
    attribute_list = _checkboxes("贫困户属性", PovertyAttribute.choices)

    class Meta:
        model = ResurveyFilter
        fields = ["name"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region_code"].choices = _region_choices(user)
        if self.instance.pk:
            self.initial.update(
                region_code=self.instance.region_id or "",
                status_list=self.instance.statuses,
                attribute_list=self.instance.attributes,
            )


class ExcelAdminMixin(ScopedAdminMixin):
    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ExcelAdminMixin, admin.ModelAdmin):
    list_display = [
        "original_name",
        "status",
        "household_count",
        "member_count",
        "created_by",
        "created_at",
        "error_report_link",
    ]
    list_filter = ["status"]
    change_list_template = "admin/excel/import_changelist.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("template/", view(self.template_view), name="households_importbatch_template"),
            path("upload/", view(self.upload_view), name="households_importbatch_upload"),
            path("<int:pk>/confirm/", view(self.confirm_view), name="households_importbatch_confirm"),
            path(
                "<int:pk>/error-report/",
                view(self.error_report_view),
                name="households_importbatch_error_report",
            ),
            path(
                "resurvey/download/",
                view(self.resurvey_download_view),
                name="households_importbatch_resurvey",
            ),
            path(
                "resurvey/upload/",
                view(self.resurvey_upload_view),
                name="households_importbatch_resurvey_upload",
            ),
            path(
                "<int:pk>/resurvey-confirm/",
                view(self.resurvey_confirm_view),
                name="households_importbatch_resurvey_confirm",
            ),
            *super().get_urls(),
        ]

    def template_view(self, request):
        response = HttpResponse(build_template(), content_type=XLSX)
        response["Content-Disposition"] = (
            "attachment; filename*=UTF-8''%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
        )
        return response

    def upload_view(self, request):
        if not permissions.can_enter_households(request.user):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "导入建档立卡户",
        }
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                preview = preview_upload(data=upload.read(), filename=upload.name, user=request.user)
            except FileRejected as exc:
                form.add_error("file", exc.messages[0])
            else:
                plan = preview.plan
                context.update(
                    title="导入预览",
                    plan=plan,
                    batch=preview.batch,
                    errors=plan.errors[:PREVIEW_ERROR_LIMIT],
                    error_total=len(plan.errors),
                    error_limit=PREVIEW_ERROR_LIMIT,
                    filename=upload.name,
                )
                return TemplateResponse(request, "admin/excel/import_preview.html", context)
        return TemplateResponse(request, "admin/excel/import_upload.html", context)

    def confirm_view(self, request, pk: int):
        if request.method != "POST":
            return redirect("admin:households_importbatch_changelist")
        batch = get_object_or_404(scoping.scoped(ImportBatch.objects.all(), request.user), pk=pk)
        try:
            counts = confirm_batch(batch=batch, user=request.user)
        except (ValidationError, FileRejected) as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request,
                f"已导入 {counts['households']} 户、{counts['members']} 人（草稿状态，需提交审核后生效）",
            )
        return redirect("admin:households_importbatch_changelist")

    def error_report_view(self, request, pk: int):
        batch = get_object_or_404(scoping.scoped(ImportBatch.objects.all(), request.user), pk=pk)
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115 - removed after sending
        handle.close()
        try:
            write_error_report(handle.name, batch=batch, user=request.user)
        except (PermissionDenied, ValidationError, FileRejected) as exc:
            os.unlink(handle.name)
            if isinstance(exc, PermissionDenied):
                raise
            messages.error(request, "；".join(exc.messages))
            return redirect("admin:households_importbatch_changelist")
        stem = os.path.splitext(batch.original_name)[0] or "导入文件"
        return file_response(handle.name, f"{stem}-错误报告.xlsx")

    @admin.display(description="错误报告")
    def error_report_link(self, obj):
        if obj.status != ImportBatch.Status.REJECTED:
            return ""
        url = reverse("admin:households_importbatch_error_report", args=[obj.pk])
        return format_html('<a href="{}">下载错误报告</a>', url)

    def resurvey_download_view(self, request):
        form = ResurveyDownloadForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115 - removed after sending
            handle.close()
            data = form.cleaned_data
            try:
                if data["save_as"] and not data["saved_filter"]:
                    resurvey.save_filter(
                        user=request.user,
                        name=data["save_as"],
                        region_code=data["region"],
                        statuses=data["statuses"],
                        attributes=data["attributes"],
                    )
                resurvey.build_resurvey_workbook(
                    handle.name,
                    user=request.user,
                    village_code=data["region"],
                    statuses=data["statuses"],
                    attributes=data["attributes"],
                    saved_filter=data["saved_filter"],
                    full_identity=data.get("full_identity", False),
                    reason=data.get("reason", ""),
                    request=request,
                )
            except (PermissionDenied, ValidationError) as exc:
                os.unlink(handle.name)
                form.add_error(None, "；".join(getattr(exc, "messages", [str(exc)])) or "无权下发动态调整表")
            else:
                full = "_含完整身份信息" if data.get("full_identity") else ""
                return file_response(handle.name, f"年度动态调整表{full}.xlsx")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "下发年度动态调整表",
        }
        return TemplateResponse(request, "admin/excel/export_form.html", context)

    def resurvey_upload_view(self, request):
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "回传年度动态调整表",
        }
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                plan, batch = resurvey.stage_resurvey(
                    data=upload.read(), filename=upload.name, user=request.user
                )
            except (FileRejected, PermissionDenied) as exc:
                form.add_error("file", getattr(exc, "messages", [str(exc)])[0])
            else:
                context.update(
                    title="动态调整预览", plan=plan, batch=batch, errors=plan.errors[:PREVIEW_ERROR_LIMIT]
                )
                return TemplateResponse(request, "admin/excel/resurvey_preview.html", context)
        return TemplateResponse(request, "admin/excel/import_upload.html", context)

    def resurvey_confirm_view(self, request, pk: int):
        if request.method != "POST":
            return redirect("admin:households_importbatch_changelist")
        batch = get_object_or_404(scoping.scoped(ImportBatch.objects.all(), request.user), pk=pk)
        try:
            counts = resurvey.confirm_resurvey(batch=batch, user=request.user)
        except (ValidationError, FileRejected) as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request, f"已为 {counts['changed']} 户生成变更申请并提交审核；{counts['unchanged']} 户无变化"
            )
        return redirect("admin:households_importbatch_changelist")


@admin.register(ResurveyFilter)
class ResurveyFilterAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Named selections for the re-survey workbook: own and in-scope users' filters are listed;
    only the owner changes or deletes one. Saving goes through resurvey.save_filter (scope check)."""

    list_display = ["name", "region", "statuses", "attributes", "owner", "created_at"]
    form = ResurveyFilterForm

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and resurvey.may_resurvey(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request) and (obj is None or obj.owner_id == request.user.pk)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class BoundForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

            def _post_clean(self):
                super()._post_clean()
                data = self.cleaned_data
                try:
                    self.saved = resurvey.save_filter(
                        user=request.user,
                        name=data.get("name", ""),
                        region_code=data.get("region_code", ""),
                        statuses=data.get("status_list", []),
                        attributes=data.get("attribute_list", []),
                        instance=self.instance,
                        commit=False,
                    )
                except PermissionDenied as exc:
                    self.add_error("region_code", str(exc))
                except ValidationError as exc:
                    self.add_error(None, exc)

        return BoundForm

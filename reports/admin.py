"""Admin for ledger exports: the export form (small exports download at once, large ones become a
job with progress and a download link), job status and download. Thin: reports.exporting decides."""

from __future__ import annotations

import os

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core import privacy, scoping
from core.choices import RegionLevel
from core.excel.downloads import XLSX, file_response
from households.admin.excel import ExcelAdminMixin
from reports import exporting
from reports.crosscheck import admin as crosscheck_admin  # noqa: F401 - registers the cross-check pages
from reports.models import ExportJob


class LedgerExportForm(forms.Form):
    ledger = forms.ChoiceField(label="台账")
    region = forms.ChoiceField(label="区划", required=False)
    year = forms.IntegerField(
        label="年度", required=False, min_value=2010, max_value=2100, help_text="留空为最新数据"
    )
    full_identity = forms.BooleanField(
        label="含完整身份信息",
        required=False,
        help_text="供银行代发等确需完整身份证号、银行账号时勾选；仅县级可用，须填写事由，导出将被记录",
    )
    reason = forms.CharField(label="事由", required=False, max_length=500)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ledger"].choices = exporting.ledger_choices(user)
        if not privacy.may_reveal(user):
            del self.fields["full_identity"], self.fields["reason"]
        regions = scoping.regions_for(user).filter(level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE])
        self.fields["region"].choices = [("", "本级全部")] + [
            (r.code, f"{r.code} {r.name}") for r in regions.only("code", "name").order_by("code")[:2000]
        ]


@admin.register(ExportJob)
class ExportJobAdmin(ExcelAdminMixin, admin.ModelAdmin):
    list_display = ["ledger", "status", "done_rows", "total_rows", "created_by", "created_at", "finished_at"]
    list_filter = ["status"]
    change_list_template = "admin/excel/export_changelist.html"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(created_by=request.user)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("ledgers/", view(self.export_view), name="reports_exportjob_export"),
            path("<int:pk>/status/", view(self.status_view), name="reports_exportjob_status"),
            path("<int:pk>/download/", view(self.download_view), name="reports_exportjob_download"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        form = LedgerExportForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                outcome = exporting.start_export(
                    user=request.user,
                    key=data["ledger"],
                    region_code=data["region"],
                    year=data["year"],
                    full_identity=data.get("full_identity", False),
                    reason=data.get("reason", ""),
                    request=request,
                )
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, "；".join(getattr(exc, "messages", [str(exc)])) or "无权导出")
            else:
                if outcome.job is not None:
                    messages.info(
                        request, f"数据量较大（约 {outcome.rows} 行），已转入后台生成，完成后可在此下载"
                    )
                    return redirect("admin:reports_exportjob_status", pk=outcome.job.pk)
                return file_response(outcome.path, outcome.filename)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "导出台账",
        }
        return TemplateResponse(request, "admin/excel/export_form.html", context)

    def status_view(self, request, pk: int):
        job = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.GET.get("format") == "json":
            return JsonResponse(
                {
                    "status": job.status,
                    "done": job.done_rows,
                    "total": job.total_rows,
                    "percent": job.progress_percent,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "job": job,
            "title": "导出任务",
            "download_url": reverse("admin:reports_exportjob_download", args=[job.pk]),
        }
        return TemplateResponse(request, "admin/excel/export_status.html", context)

    def download_view(self, request, pk: int):
        try:
            job = exporting.job_for_download(job_id=pk, user=request.user)
        except ExportJob.DoesNotExist:
            raise PermissionDenied from None
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("admin:reports_exportjob_status", pk=pk)
        filename = job.params.get("filename") or os.path.basename(job.file.name)
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename, content_type=XLSX)

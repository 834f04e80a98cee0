"""信息比对 in the admin: lists (county and above: upload, rows, errors), 疑点 for the chain — the
village answers in the 疑点's own form, the township confirms or returns from the list."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from core.admin.chain import ask_reason
from core.admin.scoping import ScopedAdminMixin
from core.choices import RegionLevel, Role
from core.excel.parsing import FileRejected
from core.permissions import role_of
from reports.crosscheck import home_checks, services
from reports.crosscheck.choices import HitStatus, Rule, RunKind, RunStatus
from reports.crosscheck.lists import read_list
from reports.crosscheck.models import CheckRun, Hit, OutsideList

ANSWER_FIELDS = ["answer", "answer_reason", "attachment", "change_request", "stopped_case"]


class UploadListForm(forms.ModelForm):
    """Reads the file while validating, so a bad file or bad rows come back on the form."""

    class Meta:
        model = OutsideList
        fields = ["kind", "kind_name", "cutoff_date", "source_agency", "file"]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload and not self.errors:
            content = upload.read()
            try:
                self.parsed = (content, *read_list(content, upload.name, today=timezone.localdate()))
            except FileRejected as exc:
                raise ValidationError({"file": exc.messages}) from None
        return data


@admin.register(OutsideList)
class OutsideListAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = UploadListForm
    list_display = [
        "__str__",
        "kind",
        "cutoff_date",
        "source_agency",
        "status",
        "row_count",
        "error_count",
        "uploaded_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["uploaded_by"]

    def _allowed(self, request) -> bool:
        return request.user.is_active and role_of(request.user) in services.UPLOAD_ROLES

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # A stored list shows its file by its original name and its row errors as sentences: the stored
    # path and the JSON keys are not for people.
    STORED_HIDDEN = ("file", "errors")

    def get_fields(self, request, obj=None):
        if obj is None:
            return super().get_fields(request, obj)
        return [f.name for f in OutsideList._meta.fields if f.name not in self.STORED_HIDDEN] + ["row_errors"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return self.get_fields(request, obj)

    @admin.display(description="错误明细")
    def row_errors(self, obj) -> str:
        return "；".join(e.get("message", "") for e in (obj.errors or [])[:50]) or "无"

    def save_model(self, request, obj, form, change):
        content, rows, errors = form.parsed
        fields = {k: form.cleaned_data[k] for k in ("kind", "kind_name", "cutoff_date", "source_agency")}
        name = form.cleaned_data["file"].name
        batch = services.store_list(
            user=request.user, data=content, filename=name, rows=rows, errors=errors, **fields
        )
        obj.pk = batch.pk
        if errors:
            shown = "；".join(e["message"] for e in errors[:5])
            self.message_user(request, f"名单有{len(errors)}行错误，整批未导入：{shown}", messages.ERROR)
        else:
            self.message_user(request, f"已导入{len(rows)}行，正在按县比对", messages.SUCCESS)


@admin.register(CheckRun)
class CheckRunAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "started_at", "county", "kind", "trigger", "requested_by", "batch", "status", "hits_found",
        "holds_placed", "seconds",
    ]  # fmt: skip
    list_filter = ["kind", "trigger", "status"]
    list_select_related = ["county", "requested_by", "batch"]
    readonly_fields = [*(f.name for f in CheckRun._meta.fields if f.name != "timings"), "timing_text"]
    exclude = ["timings"]

    @admin.display(description="各步骤耗时")
    def timing_text(self, obj) -> str:
        names = {
            **dict(Rule.choices),
            "members": "成员预筛",
            "monitoring_leads": "生成监测线索",
            "people": "疑似同一人成员",
            "candidates": "疑似同一人候选配对",
        }
        return "；".join(f"{names.get(k, '其他')} {v} 秒" for k, v in (obj.timings or {}).items()) or "—"

    # Runs are county-level records: the county and the city (their own scope) read them.
    def has_module_permission(self, request) -> bool:
        return request.user.is_active and role_of(request.user) in {
            *services.DUPLICATE_ROLES,
            Role.SYSTEM_ADMIN,
        }

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # ---- 立即检查疑似同一人: a county user checks the county, a city user its counties together
    def get_urls(self):
        view = self.admin_site.admin_view(self.duplicate_check_view)
        return [
            path("duplicate-check/", view, name="reports_checkrun_duplicate_check"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        may = role_of(request.user) in services.DUPLICATE_ROLES and request.user.region_id
        url = reverse("admin:reports_checkrun_duplicate_check") if may else ""
        return super().changelist_view(request, {**(extra_context or {}), "duplicate_check_url": url})

    def duplicate_check_view(self, request):
        """GET: what the check covers, its last run, whether one is running; POST: start it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            region = services.duplicate_check_region(request.user)
        except (PermissionDenied, ValidationError) as exc:
            raise PermissionDenied(services.DUPLICATE_FORBIDDEN) from exc
        if request.method == "POST":
            return self._start_duplicate_check(request, region)
        runs = CheckRun.objects.filter(county=region, kind=RunKind.DUPLICATES).select_related("county")
        running = runs.filter(
            status=RunStatus.RUNNING, started_at__gte=timezone.now() - services.DUPLICATE_STALE
        ).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "立即检查疑似同一人",
            "region": region,
            "across": region.level == RegionLevel.CITY,
            "last": runs.exclude(status=RunStatus.RUNNING).first(),
            "running": str(services.DuplicateCheckBusy(running)) if running else "",
        }
        return TemplateResponse(request, "admin/reports/checkrun/duplicate_check.html", context)

    def _start_duplicate_check(self, request, region):
        back = reverse("admin:reports_checkrun_changelist") + f"?kind__exact={RunKind.DUPLICATES}"
        try:
            run = services.start_duplicate_check(region=region, user=request.user)
        except services.DuplicateCheckBusy as busy:
            self.message_user(request, str(busy), messages.WARNING)
            return redirect(back)
        run.refresh_from_db()  # in process (no Celery broker) it has already ended
        if run.status == RunStatus.DONE:
            text = (
                f"{region.name}疑似同一人检查已完成：新增疑点 {run.hits_found} 条，耗时 {run.seconds:.0f} 秒"
            )
            self.message_user(request, text, messages.SUCCESS)
        elif run.status == RunStatus.FAILED:
            text = f"{region.name}疑似同一人检查失败，请稍后重试或联系系统管理员"
            self.message_user(request, text, messages.ERROR)
        else:
            text = f"已开始检查{region.name}的疑似同一人，完成后刷新本页查看新增疑点数"
            self.message_user(request, text, messages.INFO)
        return redirect(back)


class AnswerForm(forms.ModelForm):
    class Meta:
        model = Hit
        fields = ANSWER_FIELDS

    def clean(self):
        data = super().clean()
        if not self.errors:
            stored = Hit.objects.get(pk=self.instance.pk)
            try:
                services.validate_answer(
                    hit=stored, user=self.user, answer=data.get("answer") or "",
                    reason=data.get("answer_reason") or "", attachment=data.get("attachment"),
                    change_request=data.get("change_request"), stopped_case=data.get("stopped_case"),
                )  # fmt: skip
            except PermissionDenied as exc:
                raise ValidationError(str(exc)) from None
        return data


@admin.register(Hit)
class HitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = AnswerForm
    list_display = [
        "created_at",
        "village",
        "household_no",
        "rule",
        "severity",
        "reason",
        "deadline",
        "status",
        "answer",
    ]
    list_filter = ["status", "severity", "rule"]
    list_select_related = ["village", "household"]
    actions = ["act_confirm", "act_hold"]
    # Each level sees the action it takes: the township confirms, the county decides on holds.
    ACTIONS_OF = {
        Role.TOWNSHIP_REVIEWER: {"act_confirm"},
        Role.COUNTY_ADMIN: {"act_hold"},
        Role.SYSTEM_ADMIN: {"act_confirm"},
    }

    @admin.display(description="户编号", ordering="household__household_no")
    def household_no(self, obj) -> str:
        return obj.household.household_no

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and role_of(request.user) != Role.CITY_SUPERVISOR

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return self.has_module_permission(request)
        return role_of(request.user) == Role.VILLAGE_CLERK and obj.status == HitStatus.OPEN

    def get_readonly_fields(self, request, obj=None):
        fields = [f.name for f in Hit._meta.fields] + ["field_checks"]
        if obj is not None and self.has_change_permission(request, obj):
            return [f for f in fields if f not in ANSWER_FIELDS]
        return fields

    @admin.display(description="入户核实（手机）")
    def field_checks(self, obj) -> str:
        """What the 帮扶责任人 or the clerk found at the home (phone pages), to answer with."""
        return home_checks.summary(obj) or "无"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        services.answer_hit(
            hit=obj, user=request.user, answer=data["answer"], reason=data["answer_reason"],
            attachment=data.get("attachment"), change_request=data.get("change_request"),
            stopped_case=data.get("stopped_case"),
        )  # fmt: skip

    def get_actions(self, request):
        keep = self.ACTIONS_OF.get(role_of(request.user), set())
        return {name: action for name, action in super().get_actions(request).items() if name in keep}

    @admin.action(description="县级决定暂停发放")
    def act_hold(self, request, queryset):
        return ask_reason(
            self,
            request,
            queryset,
            action="act_hold",
            title="县级决定暂停发放",
            step=lambda hit, reason: services.hold_payment(hit=hit, user=request.user, reason=reason),
            done=lambda hit: "已暂停发放，乡镇确认核实结果后自动解除",
        )

    @admin.action(description="乡镇确认核实结果")
    def act_confirm(self, request, queryset):
        done = 0
        for hit in queryset:
            try:
                services.confirm_hit(hit=hit, user=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, f"{hit}：{'；'.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR
                )
        if done:
            self.message_user(request, f"已确认{done}条", messages.SUCCESS)

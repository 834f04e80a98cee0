"""Admin (Chinese, scoped, no hard delete). Actions call services; nothing decides here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from assistance import models as m
from assistance import selectors, tasks
from assistance.admin_bank import RollBankAdminMixin
from assistance.admin_print import PrintDocumentsAdminMixin
from assistance.choices import (
    PhaseOutSchedule,
    PhaseOutStatus,
    PhaseOutTrigger,
    RollStatus,
    StopProposalStatus,
)
from assistance.services import cases, medical, phase_out, rolls, stops, subsidies, tekun
from core.admin.chain import ask_reason
from core.admin.privacy import RevealAdminMixin
from core.admin.record_actions import RecordActionsAdminMixin
from core.admin.scoping import ScopedAdminMixin, TownshipFilter, scoped_field_filter
from core.choices import RegionLevel, Role
from core.permissions import role_of
from core.scoping import region_prefix_for, scoped, with_code_range
from core.workflow.choices import state_label
from households import search
from households.admin.household import search_box_q
from households.choices import DisabilityGrade
from households.models import Household

HouseholdTownship = scoped_field_filter(TownshipFilter, "household__village__code")
# A 低保 case and the rows hanging off it by the case's own village code (DibaoCase.village_code);
# 特困 cases and 两项补贴 by theirs (TekunCase.village_code, DisabilitySubsidy.village_code).
DibaoTownship = scoped_field_filter(TownshipFilter, "village_code")
CaseTownship = scoped_field_filter(TownshipFilter, "case__village_code")
COUNTY_ROLES = {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}


def _is_county(request) -> bool:
    return role_of(request.user) in COUNTY_ROLES


def _run_service(modeladmin, request, queryset, fn, done: str):
    ok = 0
    for obj in queryset:
        try:
            fn(obj)
            ok += 1
        except (ValidationError, PermissionDenied) as exc:
            msg = "；".join(getattr(exc, "messages", [str(exc)]))
            modeladmin.message_user(request, f"{obj}：{msg}", messages.ERROR)
    if ok:
        modeladmin.message_user(request, f"{done}{ok}条", messages.SUCCESS)


class BaseAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_per_page = 50

    @admin.display(description="户编号", ordering="household__household_no")
    def household_no(self, obj) -> str:
        # The household's own __str__ reads its members: one query per row in a list.
        return obj.household.household_no

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class HomeVisitInline(ScopedAdminMixin, admin.TabularInline):
    model = m.CaseHomeVisit
    extra = 0
    fields = ["level", "visit_date", "visitors", "findings"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(m.DibaoCase)
class DibaoCaseAdmin(PrintDocumentsAdminMixin, RecordActionsAdminMixin, BaseAdmin):
    list_display = [
        "id", "household_no", "case_type", "status", "review_state", "covered_persons",
        "monthly_percap_income", "monthly_amount", "start_month", "next_review_date",
        "near_relative_of_staff",
    ]  # fmt: skip
    list_filter = [
        "status", "review_state", "case_type", "near_relative_of_staff", "is_registered_poor",
        DibaoTownship,
    ]  # fmt: skip
    search_fields = ["household__household_no", "=household__members__id_no"]
    list_select_related = ["household"]
    inlines = [HomeVisitInline]

    def get_search_results(self, request, queryset, search_term):
        """The search box matches as the household list's (a member's name, pinyin or ID tail, the
        户编号): the cases of the matching households. The default (户编号 contains, or any member's
        full ID) joined every member of the scope's cases and found no one by name (4.4 s for a county
        at 1,000,000 households, issue 28); a full ID stays the privacy search (core.admin.scoping)."""
        q = search_box_q(request, search_term, lambda query: search.household_filter(query, request.user))
        if q is None:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(household__in=Household.objects.filter(q).values("pk")), False

    actions = ["act_submit", "act_investigate", "act_review", "act_confirm"]
    readonly_fields = [f.name for f in m.DibaoCase._meta.fields if f.name != "village_code"]

    @admin.action(description="村提交（退回修正后重新提交）")
    def act_submit(self, request, queryset):
        _run_service(
            self, request, queryset, lambda c: cases.submit_case(case=c, user=request.user), "已提交"
        )

    @admin.action(description="镇审核通过")
    def act_review(self, request, queryset):
        _run_service(
            self, request, queryset, lambda c: cases.review_case(case=c, user=request.user), "已审核通过"
        )

    @admin.action(description="开始调查")
    def act_investigate(self, request, queryset):
        _run_service(
            self,
            request,
            queryset,
            lambda c: cases.start_investigation(case=c, user=request.user),
            "已开始调查",
        )

    @admin.action(description="县级审核确认（今日）")
    def act_confirm(self, request, queryset):
        today = timezone.localdate()
        _run_service(
            self,
            request,
            queryset,
            lambda c: cases.confirm_case(case=c, user=request.user, on=today),
            "已确认",
        )


class PhaseOutApproveForm(forms.Form):
    """县级批准渐退: the county picks the length; the service checks it against phase_out.max_months."""

    months = forms.IntegerField(label="渐退月数", min_value=1)
    start = forms.DateField(label="渐退开始月份", required=False, help_text="默认自批准日的下月起")
    trigger = forms.ChoiceField(
        label="渐退原因", choices=[("", "（不变）"), *PhaseOutTrigger.choices], required=False
    )


@admin.register(m.PhaseOut)
class PhaseOutAdmin(BaseAdmin):
    list_display = [
        "id",
        "case",
        "status",
        "trigger",
        "proposed_income",
        "start",
        "months",
        "end",
        "alerted_on",
        "approve_link",
    ]
    list_filter = ["status", "trigger", "schedule_kind", CaseTownship]
    list_select_related = ["case"]
    readonly_fields = [f.name for f in m.PhaseOut._meta.fields]

    def get_urls(self):
        view = self.admin_site.admin_view(self.approve_view)
        return [path("<int:pk>/approve/", view, name="assistance_phaseout_approve"), *super().get_urls()]

    @admin.display(description="操作")
    def approve_link(self, obj) -> str:
        if obj.status != PhaseOutStatus.PROPOSED:
            return "—"
        return format_html(
            '<a href="{}">批准渐退</a>', reverse("admin:assistance_phaseout_approve", args=[obj.pk])
        )

    def approve_view(self, request, pk: int):
        if not _is_county(request):
            raise PermissionDenied
        po = get_object_or_404(self.get_queryset(request).select_related("case__household"), pk=pk)
        today = timezone.localdate()
        params = phase_out.phase_out_params(po.case.household.village_id, today)
        form = PhaseOutApproveForm(
            request.POST or None, initial={"months": params.int("phase_out.default_months")}
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                phase_out.approve_phase_out(
                    phase_out=po, user=request.user, on=today, months=data["months"],
                    start=data["start"], trigger=data["trigger"] or None,
                )  # fmt: skip
            except ValidationError as exc:
                form.add_error(None, exc)  # {"months": …} lands at the months field
            else:
                self.message_user(request, f"{po}：已批准渐退{data['months']}个月", messages.SUCCESS)
                return redirect("admin:assistance_phaseout_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "phase_out": po,
            "max_months": params.int("phase_out.max_months"),
            "schedule_label": PhaseOutSchedule(str(params.text("phase_out.schedule"))).label,
            "title": f"批准渐退：{po.case}",
        }
        return TemplateResponse(request, "admin/assistance/phase_out_approve.html", context)


class StopDecisionForm(forms.Form):
    reason = forms.CharField(label="不予停保理由", max_length=300, required=False, widget=forms.Textarea)


@admin.register(m.StopProposal)
class StopProposalAdmin(BaseAdmin):
    list_display = [
        "id", "case", "status", "ground", "mode", "proposed_on", "monthly_percap_income", "standard_month",
        "amount", "stop_month", "decide_link",
    ]  # fmt: skip
    list_filter = ["status", "ground", "mode", CaseTownship]
    list_select_related = ["case"]
    readonly_fields = [f.name for f in m.StopProposal._meta.fields]

    def get_urls(self):
        view = self.admin_site.admin_view(self.decide_view)
        return [path("<int:pk>/decide/", view, name="assistance_stopproposal_decide"), *super().get_urls()]

    @admin.display(description="操作")
    def decide_link(self, obj) -> str:
        if obj.status != StopProposalStatus.PROPOSED:
            return "—"
        return format_html(
            '<a href="{}">县级决定</a>', reverse("admin:assistance_stopproposal_decide", args=[obj.pk])
        )

    def decide_view(self, request, pk: int):
        """确认停保 (from next month) or 不予停保 with a reason: both through assistance.services.stops."""
        if not _is_county(request):
            raise PermissionDenied
        proposal = get_object_or_404(self.get_queryset(request).select_related("case__household"), pk=pk)
        form = StopDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            today = timezone.localdate()
            try:
                if "reject" in request.POST:
                    stops.reject_stop(
                        proposal=proposal, user=request.user, reason=form.cleaned_data["reason"], on=today
                    )
                    done = "已不予停保，理由已记录"
                else:
                    proposal = stops.confirm_stop(proposal=proposal, user=request.user, on=today)
                    done = f"已确认停保，自{proposal.stop_month:%Y年%m月}起停发"
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, f"{proposal}：{done}", messages.SUCCESS)
                return redirect("admin:assistance_stopproposal_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "proposal": proposal,
            "title": f"停保建议：{proposal.case}",
        }
        return TemplateResponse(request, "admin/assistance/stop_decide.html", context)


class ChainActionsMixin:
    """村提交 / 审核通过 / 退回 (with a reason, asked on a second page) through the review chain."""

    chain_services: dict  # the kind's services.STEPS: submit / approve / return

    @admin.action(description="村提交（退回修正后重新提交）")
    def act_submit(self, request, queryset):
        submit = self.chain_services["submit"]
        _run_service(self, request, queryset, lambda r: submit(r, request.user), "已提交")

    @admin.action(description="审核通过（镇审核 / 县审核确认）")
    def act_approve(self, request, queryset):
        approve = self.chain_services["approve"]
        _run_service(self, request, queryset, lambda r: approve(r, request.user), "已审核通过")

    @admin.action(description="退回所选记录（需填写原因）")
    def act_return(self, request, queryset):
        send_back = self.chain_services["return"]

        def step(record, reason):
            send_back(record, request.user, reason)
            record.refresh_from_db()
            return record

        return ask_reason(
            self,
            request,
            queryset,
            action="act_return",
            title="退回所选记录",
            step=step,
            done=lambda record: f"已退回，转为「{state_label(record.review_state)}」",
        )


@admin.register(m.TekunCase)
class TekunCaseAdmin(RecordActionsAdminMixin, ChainActionsMixin, BaseAdmin):
    list_display = [
        "id", "household_no", "member", "mode", "self_care", "basic_standard", "care_standard",
        "status", "review_state",
    ]  # fmt: skip
    list_filter = ["mode", "self_care", "status", "review_state", DibaoTownship]
    list_select_related = ["household", "member"]
    actions = ["act_submit", "act_approve", "act_return"]
    chain_services = tekun.STEPS


class DisabilityGradeFilter(admin.SimpleListFilter):
    """残疾等级 from the grades there are (一级 … 四级), not a DISTINCT over the scope's records
    (Django's filter for a field without choices: 0.6 s for a county's 61,000 records)."""

    title = "残疾等级"
    parameter_name = "grade"

    def lookups(self, request, model_admin):
        return [(str(value), label) for value, label in DisabilityGrade.choices]

    def queryset(self, request, queryset):
        if self.value() in {str(value) for value in DisabilityGrade.values}:
            return queryset.filter(grade=int(self.value()))
        return queryset


@admin.register(m.DisabilitySubsidy)
class DisabilitySubsidyAdmin(RecordActionsAdminMixin, ChainActionsMixin, BaseAdmin):
    list_display = [
        "id", "household_no", "member", "kind", "grade", "monthly_amount", "status", "review_state",
        "dibao_case",
    ]  # fmt: skip
    list_filter = ["kind", DisabilityGradeFilter, "status", "review_state", DibaoTownship]
    list_select_related = ["household", "member", "dibao_case"]
    actions = ["act_submit", "act_approve", "act_return"]
    chain_services = subsidies.STEPS


MEDICAL_ENTRY_FIELDS = [
    "member", "bill_date", "hospital", "hospital_level", "kind", "total_cost", "basic_insurance_paid",
    "critical_insurance_paid",
]  # fmt: skip
MEDICAL_ENTRY_ROLES = {Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, *COUNTY_ROLES}


class MedicalBillForm(forms.ModelForm):
    class Meta:
        model = m.MedicalBill
        fields = MEDICAL_ENTRY_FIELDS


@admin.register(m.MedicalBill)
class MedicalBillAdmin(RecordActionsAdminMixin, ChainActionsMixin, BaseAdmin):
    """村录入 on the add form (the service computes the amount and submits it); then 镇审核 and
    县审核确认 by the banner's buttons or the list actions."""

    list_display = [
        "id", "household_no", "member", "bill_date", "hospital", "hospital_level", "kind", "total_cost",
        "out_of_pocket", "assistance_amount", "status", "review_state", "pay_month",
    ]  # fmt: skip
    list_filter = ["kind", "hospital_level", "status", "review_state", HouseholdTownship]
    list_select_related = ["household", "member"]
    search_fields = ["household__household_no", "member__name"]
    autocomplete_fields = ["member"]
    actions = ["act_submit", "act_approve", "act_return"]
    chain_services = medical.STEPS
    form = MedicalBillForm

    def has_add_permission(self, request) -> bool:
        return role_of(request.user) in MEDICAL_ENTRY_ROLES

    def get_fields(self, request, obj=None):
        return MEDICAL_ENTRY_FIELDS if obj is None else [f.name for f in m.MedicalBill._meta.fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [f.name for f in m.MedicalBill._meta.fields]

    def save_model(self, request, obj, form, change):
        bill = medical.enter_bill(
            user=request.user, **{f: form.cleaned_data[f] for f in MEDICAL_ENTRY_FIELDS}
        )
        obj.pk, obj.household_id = bill.pk, bill.household_id


@admin.register(m.ChangeLedgerEntry)
class ChangeLedgerAdmin(BaseAdmin):
    list_display = ["month", "household_no", "kind", "old_amount", "new_amount", "reason"]
    list_filter = ["kind", "program", "month", HouseholdTownship]
    list_select_related = ["household"]
    date_hierarchy = "month"


@admin.register(m.Alert)
class AlertAdmin(BaseAdmin):
    list_display = ["kind", "household_no", "due_date", "message", "handled_at"]
    list_filter = ["kind", ("handled_at", admin.EmptyFieldListFilter), HouseholdTownship]
    list_select_related = ["household"]
    actions = ["act_handled"]

    @admin.action(description="标记为已处理")
    def act_handled(self, request, queryset):
        _run_service(self, request, queryset, lambda a: phase_out.handled(a, request.user), "已处理")


class PaymentLineInline(ScopedAdminMixin, admin.TabularInline):
    model = m.PaymentLine
    fk_name = "roll"
    extra = 0
    fields = [
        "payee_name", "bank_account", "covered_persons", "percap_income", "topup_amount",
        "classified_amount", "subsidy_amount", "total_amount", "kind", "held", "note",
    ]  # fmt: skip
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(m.PaymentRoll)
class PaymentRollAdmin(RollBankAdminMixin, BaseAdmin):
    list_display = [
        "month", "county", "program", "status", "line_count", "total_amount", "generated_at", "bank_link",
    ]  # fmt: skip
    list_filter = ["program", "status"]
    list_select_related = ["county", "bank_batch"]
    readonly_fields = [*(f.name for f in m.PaymentRoll._meta.fields), "bank_link"]
    actions = ["act_regenerate", "act_confirm"]

    def get_inlines(self, request, obj):
        # A county roll has tens of thousands of lines: list them in 发放明细, not inline.
        return []

    @admin.action(description="重新生成草稿")
    def act_regenerate(self, request, queryset):
        _run_service(
            self, request, queryset.filter(status=RollStatus.DRAFT),
            lambda r: rolls.generate_roll(
                county=r.county, month=r.month, program=r.program, user=request.user
            ),
            "已重新生成",
        )  # fmt: skip

    @admin.action(description="确认发放表（确认后锁定）")
    def act_confirm(self, request, queryset):
        _run_service(
            self, request, queryset, lambda r: rolls.confirm_roll(roll=r, user=request.user), "已确认"
        )


@admin.register(m.PaymentLine)
class PaymentLineAdmin(RevealAdminMixin, BaseAdmin):
    list_display = [
        "month", "payee_name", "bank_account", "covered_persons", "topup_amount", "classified_amount",
        "subsidy_amount", "total_amount", "kind", "in_phase_out", "held", "note",
    ]  # fmt: skip
    list_filter = ["program", "kind", "month", "in_phase_out", "held", HouseholdTownship]
    search_fields = ["payee_name", "=payee_id_no"]


@admin.register(m.PaymentHold)
class PaymentHoldAdmin(BaseAdmin):
    """暂停发放: placed and cleared by the services that found the reason (信息比对), read-only here."""

    list_display = [
        "household_no", "reason", "source", "from_month", "created_at", "cleared_at", "cleared_reason",
    ]  # fmt: skip
    list_filter = ["source", ("cleared_at", admin.EmptyFieldListFilter)]
    list_select_related = ["household"]
    readonly_fields = [f.name for f in m.PaymentHold._meta.fields]


@admin.register(m.AssistanceMeasure)
class AssistanceMeasureAdmin(BaseAdmin):
    list_display = [
        "date",
        "household_no",
        "kind",
        "content",
        "amount",
        "responsible_unit",
        "is_stable_employment",
    ]
    list_filter = ["kind", "is_stable_employment", HouseholdTownship]
    list_select_related = ["household"]
    fields = [
        "household",
        "member",
        "kind",
        "content",
        "amount",
        "date",
        "responsible_unit",
        "is_stable_employment",
    ]
    # Search boxes, not a <select> of every household and member in scope: the list read each
    # household's members for its label (2.3 s for a village of 1,000,000 households' county, issue 28).
    autocomplete_fields = ["household", "member"]

    def has_add_permission(self, request) -> bool:
        return role_of(request.user) in {Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, *COUNTY_ROLES}

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_add_permission(request)


class GapFilter(admin.SimpleListFilter):
    title = "帮扶缺口"
    parameter_name = "gap"

    def lookups(self, request, model_admin):
        return [("industry", "缺产业项目"), ("employment", "有劳动力但无稳定就业")]

    def queryset(self, request, queryset):
        if self.value() == "industry":
            return queryset.filter(has_industry=False)
        if self.value() == "employment":
            return queryset.filter(has_able_member=True, has_stable_job=False)
        return queryset


@admin.register(m.MeasureGap)
class MeasureGapAdmin(BaseAdmin):
    """Seed 003 goals as gaps: every household ≥ 1 industry project; ≥ 1 member stably employed."""

    list_display = ["household_no", "village", "industry_ok", "employment_ok"]
    list_filter = [GapFilter, TownshipFilter]
    search_fields = ["household_no"]
    list_select_related = ["village"]

    def get_queryset(self, request):
        queryset = selectors.measure_gaps(user=request.user, as_of=timezone.localdate()).order_by("id")
        # Listed by village, as the household list (a township's page walked the county's index,
        # 0.5–1 s at 1,000,000 households).
        return with_code_range(queryset, request.user, "village_id")

    def get_search_results(self, request, queryset, search_term):
        """As the household list's search box (a member's name, pinyin or ID tail, the 户编号)."""
        q = search_box_q(request, search_term, lambda query: search.household_filter(query, request.user))
        if q is None:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(q), False

    @admin.display(description="户编号", ordering="household_no")
    def household_no(self, obj) -> str:
        return obj.household_no

    @admin.display(description="产业帮扶", boolean=True)
    def industry_ok(self, obj) -> bool:
        return obj.has_industry

    @admin.display(description="稳定就业", boolean=True)
    def employment_ok(self, obj) -> bool:
        return obj.has_stable_job or not obj.has_able_member


class RunForm(forms.ModelForm):
    class Meta:
        model = m.RecalculationRun
        fields = ["region", "as_of", "full"]


@admin.register(m.RecalculationRun)
class RecalculationRunAdmin(BaseAdmin):
    """County staff start a recalculation of their county and watch it here."""

    form = RunForm
    list_display = ["id", "region", "as_of", "full", "status", "progress", "households_done",
                    "households_evaluated", "results_changed", "cases_changed", "phase_outs_proposed",
                    "started_at", "finished_at"]  # fmt: skip
    list_filter = ["status"]

    def has_add_permission(self, request) -> bool:
        return _is_county(request)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in m.RecalculationRun._meta.fields] if obj else []

    def get_fields(self, request, obj=None):
        # A finished run is shown read-only, every field (returning None here was a server error).
        return self.get_readonly_fields(request, obj) if obj else ["region", "as_of", "full"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            prefix = region_prefix_for(request.user) or ""
            from core.models import Region

            kwargs["queryset"] = scoped(Region.objects.filter(level=RegionLevel.COUNTY), request.user)
            if len(prefix) >= 6:
                kwargs["initial"] = prefix.ljust(12, "0")
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        run = tasks.start_recalculation(region=obj.region, as_of=obj.as_of, user=request.user, full=obj.full)
        obj.pk = run.pk
        obj.__dict__.update({k: v for k, v in run.__dict__.items() if not k.startswith("_")})

    @admin.display(description="进度")
    def progress(self, obj) -> str:
        pct = obj.progress_percent
        return format_html('<progress max="100" value="{}"></progress> {}%', pct, pct)


@admin.register(m.HolidayCalendar)
class HolidayCalendarAdmin(admin.ModelAdmin):
    """National holiday calendar (节假日与调休), kept by county or system administrators."""

    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return _is_county(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_county(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The record pages' buttons (registered on import; see assistance.admin_actions).
from assistance import admin_actions  # noqa: E402,F401
from assistance.monitoring import admin as monitoring_admin  # noqa: E402,F401
from assistance.monitoring import admin_actions as monitoring_actions  # noqa: E402,F401

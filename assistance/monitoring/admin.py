"""Admin pages of 防返贫监测: the lead list with its deadlines (逾期 in orange/red), the lead's own page
with 入户核实 and 办结 forms, the monitoring record page (banner and buttons of the chain), visits."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from assistance import models as m
from assistance.admin import BaseAdmin, HouseholdTownship
from assistance.monitoring import forms as f
from assistance.monitoring import posters, rules
from assistance.monitoring.choices import LeadStatus, Purpose, RiskType
from assistance.monitoring.params import monitoring_params
from assistance.monitoring.services import leads, visits
from assistance.monitoring.services.elimination import check_elimination
from core.admin.record_actions import RecordActionsAdminMixin
from core.admin.scoping import ScopedAdminMixin, TownshipFilter, VillageFilter, scoped_field_filter
from core.scoping import scoped
from households.selectors import households_for

LeadTownship = scoped_field_filter(TownshipFilter, "village__code")
LeadVillage = scoped_field_filter(VillageFilter, "village__code")
RecordVillage = scoped_field_filter(VillageFilter, "household__village__code")
TONE = {"orange": "#E6A23C", "red": "#F56C6C"}
LEAD_HIDDEN = ["risk_types", "source_key", "source_kind"]
# 部门筛查预警 list kinds (reports.crosscheck.choices.ListKind; assistance may not import reports)
LIST_KIND_LABELS = {
    "medical_self_pay": "医保高额自付",
    "disability_new": "新办残疾人证",
    "dropout": "辍学",
    "unemployment": "失业登记",
    "disaster_loss": "灾害损失",
}


def _risks(values) -> str:
    return "、".join(RiskType(v).label for v in values or []) or "—"


def _why(exc: ValidationError) -> str:
    return "；".join(exc.messages)


class OverdueFilter(admin.SimpleListFilter):
    title = "期限"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("verify", "入户核实逾期"), ("identify", "认定逾期")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "verify":
            return queryset.filter(status=LeadStatus.OPEN, verify_deadline__lt=today)
        if self.value() == "identify":
            return queryset.exclude(status=LeadStatus.CLOSED).filter(identify_deadline__lt=today)
        return queryset


class RiskFilter(admin.SimpleListFilter):
    title = "风险类型"
    parameter_name = "risk"

    def lookups(self, request, model_admin):
        return RiskType.choices

    def queryset(self, request, queryset):
        return queryset.filter(risk_types__contains=[self.value()]) if self.value() else queryset


@admin.register(m.MonitoringLead)
class MonitoringLeadAdmin(BaseAdmin):
    change_form_template = "admin/assistance/monitoringlead/change_form.html"
    list_display = [
        "id", "source", "village_name", "household_no", "name", "risks", "severity", "detected_on",
        "deadline", "status", "outcome",
    ]  # fmt: skip
    list_filter = [
        "source",
        "status",
        "severity",
        "outcome",
        OverdueFilter,
        LeadTownship,
        LeadVillage,
    ]
    list_select_related = ["village", "household"]
    search_fields = ["household__household_no", "name", "receipt_no"]
    # stored slugs and keys are shown by their Chinese names, or not at all
    exclude = LEAD_HIDDEN
    readonly_fields = [f.name for f in m.MonitoringLead._meta.fields if f.name not in LEAD_HIDDEN] + [
        "risks",
        "warning_kind",
    ]

    @admin.display(description="预警名单类别")
    def warning_kind(self, obj) -> str:
        return LIST_KIND_LABELS.get(obj.source_kind, "—")

    def has_add_permission(self, request) -> bool:
        return request.user.role in leads.ENTRY_ROLES

    @admin.display(description="村", ordering="village_id")
    def village_name(self, obj) -> str:
        return obj.village.name

    @admin.display(description="户编号", ordering="household__household_no")
    def household_no(self, obj) -> str:
        return obj.household.household_no if obj.household_id else "未登记"

    @admin.display(description="风险类型")
    def risks(self, obj) -> str:
        return _risks(obj.risk_types)

    @admin.display(description="期限")
    def deadline(self, obj):
        today = timezone.localdate()
        if obj.status == LeadStatus.CLOSED:
            return "—"
        due = obj.verify_deadline if obj.status == LeadStatus.OPEN else obj.identify_deadline
        label = "入户核实" if obj.status == LeadStatus.OPEN else "认定"
        if due >= today:
            return f"{label} {due:%Y-%m-%d}"
        return format_html('<b style="color:{}">{} {}（逾期）</b>', TONE["orange"], label, f"{due:%Y-%m-%d}")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/verify/", view(self.verify_view), name="assistance_monitoringlead_verify"),
            path("<path:object_id>/close/", view(self.close_view), name="assistance_monitoringlead_close"),
            path("posters/", view(self.posters_view), name="assistance_monitoringlead_posters"),
            path("poster/<str:village_code>/", view(posters.poster), name="assistance_monitoringlead_poster"),
            *super().get_urls(),
        ]

    def posters_view(self, request):
        return posters.poster_list(
            request, {**self.admin_site.each_context(request), "opts": self.model._meta}
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        lead = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if lead is not None and lead.status == LeadStatus.OPEN and request.user.role in leads.ENTRY_ROLES:
            extra["lead_links"] = [
                ("入户核实", reverse("admin:assistance_monitoringlead_verify", args=[lead.pk])),
                ("办结线索", reverse("admin:assistance_monitoringlead_close", args=[lead.pk])),
            ]
        if lead is not None and lead.record_id:
            extra["record_url"] = reverse("admin:assistance_monitoringrecord_change", args=[lead.record_id])
        return super().change_view(request, object_id, form_url, extra)

    def _lead_or_404(self, request, object_id):
        lead = self.get_object(request, object_id)  # scoped: another region's lead is not found
        if lead is None:
            raise Http404
        return lead

    def _page(self, request, lead, form, title):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "lead": lead,
            "risks": _risks(lead.risk_types),
        }
        return TemplateResponse(request, "admin/assistance/monitoringlead/form.html", context)

    def verify_view(self, request, object_id):
        lead = self._lead_or_404(request, object_id)
        form = f.VerificationForm(
            request.POST or None, request.FILES or None, initial={"risk_types": lead.risk_types}
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            household = None
            if lead.household_id is None and request.POST.get("household_no"):
                household = (
                    households_for(request.user).filter(household_no=request.POST["household_no"]).first()
                )
            try:
                visit = visits.record_verification(lead=lead, user=request.user, household=household, **data)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _why(exc) if isinstance(exc, ValidationError) else str(exc))
            else:
                if visit is not None and visit.record_id:
                    messages.success(
                        request, "入户核实已登记，监测认定已建立：请填写村民主评议日期后提交乡镇"
                    )
                    return HttpResponseRedirect(
                        reverse("admin:assistance_monitoringrecord_change", args=[visit.record_id])
                    )
                messages.success(request, "入户核实已登记，线索已按核实无风险办结")
                return HttpResponseRedirect(reverse("admin:assistance_monitoringlead_change", args=[lead.pk]))
        return self._page(request, lead, form, "入户核实")

    def close_view(self, request, object_id):
        lead = self._lead_or_404(request, object_id)
        form = f.CloseLeadForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                leads.close_lead(lead=lead, user=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _why(exc) if isinstance(exc, ValidationError) else str(exc))
            else:
                messages.success(request, "线索已办结")
                return HttpResponseRedirect(reverse("admin:assistance_monitoringlead_change", args=[lead.pk]))
        return self._page(request, lead, form, "办结线索")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = f.LeadForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            number = data.pop("household_no").strip()
            household = households_for(request.user).filter(household_no=number).first() if number else None
            village = household.village if household else request.user.region
            try:
                lead = leads.create_lead(user=request.user, village=village, household=household, **data)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _why(exc) if isinstance(exc, ValidationError) else str(exc))
            else:
                messages.success(request, f"线索已登记，入户核实期限 {lead.verify_deadline:%Y-%m-%d}")
                return HttpResponseRedirect(reverse("admin:assistance_monitoringlead_change", args=[lead.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "登记走访排查线索",
            "opts": self.model._meta,
            "form": form,
            "lead": None,
        }
        return TemplateResponse(request, "admin/assistance/monitoringlead/form.html", context)


class VisitInline(ScopedAdminMixin, admin.TabularInline):
    model = m.MonitoringVisit
    fk_name = "record"
    extra = 0
    fields = ["kind", "visited_on", "visitors", "findings", "percap_income", "photo_links"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="照片")
    def photo_links(self, obj):
        photos = list(obj.photos.all())
        if not photos:
            return "—"
        return format_html_join(
            "、",
            '<a href="{}" target="_blank">照片{}</a>',
            (
                (reverse("admin:assistance_monitoringrecord_photo", args=[p.pk]), i + 1)
                for i, p in enumerate(photos)
            ),
        )


class MeasureInline(ScopedAdminMixin, admin.TabularInline):
    model = m.AssistanceMeasure
    fk_name = "monitoring_record"
    extra = 0
    fields = ["risk_type", "kind", "content", "date", "responsible_unit", "amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(m.MonitoringRecord)
class MonitoringRecordAdmin(RecordActionsAdminMixin, BaseAdmin):
    list_display = [
        "id", "household_no", "purpose", "source", "category", "risks", "review_state", "decision",
        "lead_date", "decided_on", "days_to_identify", "eliminated_on",
    ]  # fmt: skip
    list_filter = [
        "purpose", "review_state", "decision", "category", RiskFilter, "source", HouseholdTownship,
        RecordVillage,
    ]  # fmt: skip
    list_select_related = ["household"]
    search_fields = ["household__household_no"]
    inlines = [VisitInline, MeasureInline]
    exclude = ["risk_types", "elimination_reasons"]

    def get_readonly_fields(self, request, obj=None):
        shown = [f.name for f in m.MonitoringRecord._meta.fields if f.name not in self.exclude]
        return [*shown, "risks", "elimination_check"]

    @admin.display(description="风险类型")
    def risks(self, obj) -> str:
        return _risks(obj.risk_types)

    @admin.display(description="风险消除测算")
    def elimination_check(self, obj):
        """What the rules say today (an open episode), or what they said when it was proposed."""
        if obj.purpose == Purpose.ELIMINATE:
            lines = obj.elimination_reasons
        elif obj.is_episode_open:
            lines = check_elimination(episode=obj, as_of=timezone.localdate()).reasons
        else:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((line,) for line in lines)))

    def get_urls(self):
        view = self.admin_site.admin_view(self.photo_view)
        return [path("photo/<int:pk>/", view, name="assistance_monitoringrecord_photo"), *super().get_urls()]

    def photo_view(self, request, pk: int):
        """A visit photo, only inside the user's scope (no public media address)."""
        photo = scoped(m.MonitoringPhoto.objects.all(), request.user).filter(pk=pk).first()
        if photo is None:
            raise Http404
        return FileResponse(photo.image.open("rb"), content_type="image/jpeg")

    def record_extra_states(self, obj) -> list[tuple[str, str]]:
        states = [("事项", obj.get_purpose_display()), ("审定结论", obj.get_decision_display())]
        if obj.first_measure_deadline and not obj.measures.exists() and obj.is_episode_open:
            p = monitoring_params(region_code=obj.household.village_id, as_of=timezone.localdate())
            tone = rules.overdue(
                obj.first_measure_deadline, timezone.localdate(), int(p.integer("monitor.overdue_red_days"))
            )
            due = f"{obj.first_measure_deadline:%Y-%m-%d}" + ("（已逾期）" if tone else "")
            states.append(("首次帮扶期限", due))
        return states


@admin.register(m.MonitoringVisit)
class MonitoringVisitAdmin(BaseAdmin):
    list_display = ["visited_on", "household_no", "kind", "visitors", "percap_income", "risk_found"]
    list_filter = ["kind", "risk_found", HouseholdTownship]
    list_select_related = ["household"]
    readonly_fields = [f.name for f in m.MonitoringVisit._meta.fields]

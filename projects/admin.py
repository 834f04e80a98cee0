"""Admin pages of the 扶贫项目库, in Chinese, on the core admin plumbing: every list and choice scoped
(ScopedAdminMixin), the record page's banner and buttons (chain and stage steps through the
services), 待我审核 filter, the printable 公告/公示, and forms for payments, assets and income
distribution. Thin: every change goes through projects.services."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.admin.chain import QueueStateFilter, ReadOnlyAdminMixin, run_each, why
from core.admin.record_actions import RecordActionsAdminMixin
from core.admin.scoping import ScopedAdminMixin, ScopedInlineMixin
from core.choices import ReviewState, Role
from core.permissions import role_of
from core.workflow import services as chain
from households.models import Household
from projects import forms as f
from projects import printing
from projects.choices import NoticeKind
from projects.models import (
    Asset,
    AssetIncome,
    FundPayment,
    IncomeShare,
    Project,
    ProjectBeneficiary,
    ProjectBudget,
    ProjectNotice,
)
from projects.selectors import fund_figures
from projects.services import assets, funds
from projects.services import projects as s

ENTRY_ROLES = {Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN}
EDITABLE_STATES = {ReviewState.DRAFT, ReviewState.RETURNED_TO_VILLAGE}
LIST_LINE_WRONG = "名单第 {n} 行格式应为：户编号,金额"
LIST_HOUSEHOLD_UNKNOWN = "名单中的户编号不在您的管辖范围内：{numbers}"
_money = DecimalField(max_digits=16, decimal_places=2)


def can_edit(user, project: Project | None) -> bool:
    """The proposer's level edits a draft (or a village's project sent back to it); nobody else."""
    role = role_of(user)
    if project is None:
        return role in ENTRY_ROLES or role == Role.SYSTEM_ADMIN
    owner = {5: Role.VILLAGE_CLERK, **s.OWNER_ROLE}[project.level]
    return project.review_state in EDITABLE_STATES and role in (owner, Role.SYSTEM_ADMIN)


class ProjectQueueFilter(QueueStateFilter):
    kind = "project"


class ViewableInline(ScopedInlineMixin, admin.TabularInline):
    """Everyone on the page sees the rows (scoped); who may change them is said per inline."""

    extra = 0

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff


class BudgetInline(ViewableInline):
    model = ProjectBudget
    fields = ["source", "amount"]

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 2 if obj is None else 0  # a new project's form opens with two lines to fill

    def has_add_permission(self, request, obj=None) -> bool:
        return can_edit(request.user, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return can_edit(request.user, obj)


class BeneficiaryInline(BudgetInline):
    model = ProjectBeneficiary
    fields = ["household", "how", "note"]
    raw_id_fields = ["household"]
    verbose_name_plural = "受益户（户编号与受益方式；公告只显示户数）"


class PaymentInline(ViewableInline):
    model = FundPayment
    fields = ["paid_on", "source", "amount", "voucher_no", "note", "created_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class NoticeInline(PaymentInline):
    model = ProjectNotice
    fields = ["kind", "start", "end", "place", "created_by"]
    readonly_fields = fields


class AssetInline(PaymentInline):
    model = Asset
    fields = ["name", "asset_type", "value", "owner", "manager", "registered_on"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Project)
class ProjectAdmin(RecordActionsAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "year",
        "name",
        "project_type",
        "region_name",
        "review_state",
        "stage",
        "budget_total",
        "paid_total",
    ]
    list_filter = [ProjectQueueFilter, "year", "project_type", "stage", "review_state"]
    list_select_related = ["region"]
    search_fields = ["name"]
    list_per_page = 50
    fields = [
        "year",
        "name",
        "project_type",
        "region",
        "content",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "review_state",
        "stage",
    ]
    inlines = [BudgetInline, BeneficiaryInline, NoticeInline, PaymentInline, AssetInline]
    actions = ["approve_selected", "return_selected"]

    def get_queryset(self, request):
        budgets = ProjectBudget.objects.filter(project=OuterRef("pk")).order_by().values("project")
        paid = FundPayment.objects.filter(project=OuterRef("pk")).order_by().values("project")
        return (
            super()
            .get_queryset(request)
            .annotate(
                budget_sum=Subquery(budgets.annotate(t=Sum("amount")).values("t"), output_field=_money),
                paid_sum=Coalesce(
                    Subquery(paid.annotate(t=Sum("amount")).values("t"), output_field=_money), Decimal(0)
                ),
            )
        )

    @admin.display(description="实施地点", ordering="region_id")
    def region_name(self, obj) -> str:
        return obj.region.name

    @admin.display(description="预算合计（元）")
    def budget_total(self, obj):
        return obj.budget_sum or Decimal(0)

    @admin.display(description="已支付（元）")
    def paid_total(self, obj):
        return obj.paid_sum

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not can_edit(request.user, obj):
            return list(self.fields)
        return ["actual_start", "actual_end", "review_state", "stage"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "region" and not request.user.is_superuser and request.user.region_id:
            # A project belongs to the proposer's own village, township or county.
            field.queryset = field.queryset.filter(pk=request.user.region_id)
            field.initial = request.user.region_id
        return field

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return can_edit(request.user, None)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_edit(request.user, obj) if obj is not None else False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    # -- list actions: the same services as the record page

    @admin.action(description="审核通过所选项目")
    def approve_selected(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda obj: chain.approve(record=obj, user=request.user, expected_state=obj.review_state),
            lambda obj: f"审核通过，转为「{obj.get_review_state_display()}」",
        )

    @admin.action(description="退回所选项目（需填写原因）")
    def return_selected(self, request, queryset):
        from core.admin.chain import ask_reason

        return ask_reason(
            self,
            request,
            queryset,
            action="return_selected",
            title="退回所选项目",
            step=lambda obj, reason: s.return_project(
                project=obj, user=request.user, reason=reason, expected_state=obj.review_state
            ),
            done=lambda obj: f"已退回，转为「{obj.get_review_state_display()}」",
        )

    # -- record page: links, print pages, payment and asset forms

    def record_extra_states(self, obj) -> list[tuple[str, str]]:
        return [("项目阶段", obj.get_stage_display())]

    def record_links(self, request, obj) -> list[tuple[str, str]]:
        links = [
            (
                "打印实施前公告",
                reverse("admin:projects_project_notice", args=[obj.pk, NoticeKind.ANNOUNCEMENT]),
            )
        ]
        if obj.notices.filter(kind=NoticeKind.RESULTS).exists() or obj.stage == "accepted":
            links.append(
                ("打印结果公示", reverse("admin:projects_project_notice", args=[obj.pk, NoticeKind.RESULTS]))
            )
        if role_of(request.user) == Role.COUNTY_ADMIN and obj.stage in funds.PAYABLE_STAGES:
            links.append(("登记资金支付", reverse("admin:projects_project_pay", args=[obj.pk])))
        if role_of(request.user) == Role.COUNTY_ADMIN and obj.stage in ("accepted", "publicized"):
            links.append(("登记资产", reverse("admin:projects_project_asset", args=[obj.pk])))
        return links

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/notice/<slug:kind>/", view(self.notice_view), name="projects_project_notice"
            ),
            path("<path:object_id>/pay/", view(self.pay_view), name="projects_project_pay"),
            path("<path:object_id>/asset/", view(self.asset_view), name="projects_project_asset"),
            *super().get_urls(),
        ]

    def _project(self, request, object_id) -> Project:
        obj = self.get_object(request, unquote(object_id))  # scoped: out of scope → 404
        if obj is None:
            raise Http404
        return obj

    def notice_view(self, request, object_id, kind):
        if kind not in NoticeKind.values:
            raise Http404
        project = self._project(request, object_id)
        sheet = printing.notice_sheet(project=project, kind=kind)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": sheet.title,
            "sheet": sheet,
        }
        return TemplateResponse(request, "admin/projects/notice.html", context)

    def _form_page(self, request, project, *, form, title, submit_label, run, done, figures=None):
        error = ""
        if request.method == "POST" and form.is_valid():
            try:
                run(form.cleaned_data)
            except ValidationError as exc:
                error = why(exc)
            else:
                messages.success(request, done)
                return HttpResponseRedirect(reverse("admin:projects_project_change", args=[project.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "form": form,
            "error": error,
            "submit_label": submit_label,
            "figures": figures,
            "intro": str(project),
            "back_url": reverse("admin:projects_project_change", args=[project.pk]),
            "back_label": project.name,
        }
        return TemplateResponse(request, "admin/projects/form_page.html", context)

    def pay_view(self, request, object_id):
        project = self._project(request, object_id)
        if role_of(request.user) != Role.COUNTY_ADMIN:
            raise PermissionDenied
        form = f.PaymentForm(request.POST or None)
        return self._form_page(
            request,
            project,
            form=form,
            title="登记资金支付",
            submit_label="登记支付",
            done="已登记支付",
            run=lambda d: funds.record_payment(project=project, user=request.user, **d),
            figures=fund_figures([project.pk])[project.pk],
        )

    def asset_view(self, request, object_id):
        project = self._project(request, object_id)
        if role_of(request.user) != Role.COUNTY_ADMIN:
            raise PermissionDenied
        form = f.AssetForm(request.POST or None)
        return self._form_page(
            request,
            project,
            form=form,
            title="登记项目形成的资产",
            submit_label="登记资产",
            done="已登记资产",
            run=lambda d: assets.register_asset(project=project, user=request.user, **d),
        )


class IncomeInline(PaymentInline):
    model = AssetIncome
    fields = ["year", "amount", "rule", "distributed_on", "households", "created_by"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Asset)
class AssetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "asset_type", "value", "owner", "manager", "registered_on", "project"]
    list_filter = ["asset_type"]
    list_select_related = ["project"]
    inlines = [IncomeInline]
    change_form_template = "admin/projects/asset_change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.distribute_view)
        return [
            path("<path:object_id>/distribute/", view, name="projects_asset_distribute"),
            *super().get_urls(),
        ]

    def distribute_view(self, request, object_id):
        asset = self.get_object(request, unquote(object_id))
        if asset is None:
            raise Http404
        if role_of(request.user) != Role.COUNTY_ADMIN:
            raise PermissionDenied
        form = f.DistributionForm(request.POST or None)
        error = ""
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                listed = _listed(request.user, data.pop("listed"))
                assets.distribute_income(asset=asset, user=request.user, listed=listed, **data)
            except ValidationError as exc:
                error = why(exc)
            else:
                messages.success(request, "已分配收益，各户资产收益分红已计入收入年度")
                return HttpResponseRedirect(reverse("admin:projects_asset_change", args=[asset.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "分配资产收益",
            "form": form,
            "error": error,
            "submit_label": "分配收益",
            "intro": str(asset),
            "back_url": reverse("admin:projects_asset_change", args=[asset.pk]),
            "back_label": asset.name,
        }
        return TemplateResponse(request, "admin/projects/form_page.html", context)


def _listed(user, text: str) -> dict[int, Decimal]:
    """'户编号,金额' lines → household id → amount (numbers resolved inside the user's scope)."""
    from core.scoping import scoped

    pairs = []
    for n, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 2:
            raise ValidationError(LIST_LINE_WRONG.format(n=n))
        try:
            pairs.append((parts[0], Decimal(parts[1])))
        except ArithmeticError:
            raise ValidationError(LIST_LINE_WRONG.format(n=n)) from None
    ids = dict(
        scoped(Household.objects.filter(household_no__in=[no for no, _ in pairs]), user).values_list(
            "household_no", "pk"
        )
    )
    unknown = [no for no, _ in pairs if no not in ids]
    if unknown:
        raise ValidationError(LIST_HOUSEHOLD_UNKNOWN.format(numbers="、".join(unknown)))
    return {ids[no]: amount for no, amount in pairs}


class ShareInline(PaymentInline):
    model = IncomeShare
    fields = ["household_no", "persons", "amount", "income_year", "income_year_created"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("household", "income_year")

    @admin.display(description="户编号")
    def household_no(self, obj) -> str:
        # The household's own __str__ reads its members: one query per row.
        return obj.household.household_no


@admin.register(AssetIncome)
class AssetIncomeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["asset", "year", "amount", "rule", "households", "distributed_on"]
    list_filter = ["year", "rule"]
    list_select_related = ["asset"]
    inlines = [ShareInline]


@admin.register(FundPayment)
class FundPaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["paid_on", "project", "source", "amount", "voucher_no", "note"]
    list_filter = ["source"]
    list_select_related = ["project"]
    search_fields = ["voucher_no", "project__name"]

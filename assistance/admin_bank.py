"""代发 and 回盘 in the admin: the county's bank layouts, 送银行 from a confirmed roll, the batches
(download again, upload the 回盘), their lines and uploads, and the follow-up of failed payments
(the village corrects; the county confirms a payee or decides not to re-issue). Thin: every step
calls assistance.services.bank or bank_failures."""

from __future__ import annotations

from contextvars import ContextVar
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from assistance import models as m
from assistance.banking.files import http_response
from assistance.banking.layouts import PRESETS, create_from_preset, layout_problems, spec_of
from assistance.choices import FailureStatus, RollStatus
from assistance.services import bank, bank_failures
from core import privacy
from core.admin.scoping import ScopedAdminMixin, TownshipFilter, scoped_field_filter
from core.choices import Role
from core.excel.parsing import FileRejected
from core.permissions import role_of

HouseholdTownship = scoped_field_filter(TownshipFilter, "household__village__code")
COUNTY_ROLES = {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
LAYOUT_HAS_PROBLEMS = "已保存。该格式目前还不能用于送银行：{problems}"
RETURN_DONE = (
    "回盘已导入：{r.line_count} 笔，成功 {r.paid_count}，失败 {r.failed_count}，处理中 {r.pending_count}；"
    "本次确定结果 {r.applied_count} 笔"
)
RETURN_NOTHING_NEW = "（各笔结果与此前上传的回盘一致，没有变化）"
RETURN_RECONCILED = "。该发放表已对账"
RETURN_REFUSED = "回盘未导入（整批退回，未做任何更改），共 {n} 处问题，见下表"
# The user a failure page is rendered for (list columns are callables of the object only).
_user: ContextVar = ContextVar("bank_admin_user", default=None)


def is_county(request) -> bool:
    return role_of(request.user) in COUNTY_ROLES


def _why(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def _page(admin_obj, request, template: str, title: str, **context):
    return TemplateResponse(
        request,
        template,
        {
            **admin_obj.admin_site.each_context(request),
            "opts": admin_obj.model._meta,
            "title": title,
            **context,
        },
    )


class _ReadOnly(ScopedAdminMixin, admin.ModelAdmin):
    list_per_page = 50

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# ------------------------------------------------------------------ layouts (configuration data)


class _CountyInline(admin.TabularInline):
    extra = 0

    def has_view_permission(self, request, obj=None) -> bool:
        return is_county(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return is_county(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_county(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_county(request)  # configuration rows: the layout's history keeps what was sent


class LayoutColumnInline(_CountyInline):
    model = m.BankLayoutColumn
    fields = ["section", "position", "field", "header", "width", "right_align", "zero_pad"]


class LayoutProjectInline(_CountyInline):
    model = m.BankLayoutProject
    fields = ["program", "code", "name"]


class ReasonCodeInline(_CountyInline):
    model = m.BankReasonCode
    fields = ["bank_code", "reason"]


class PresetForm(forms.Form):
    preset = forms.ChoiceField(label="预置格式", choices=[(k, p.title) for k, p in PRESETS.items()])
    name = forms.CharField(label="格式名称", max_length=60, required=False, help_text="默认用预置格式的名称")
    payer = forms.CharField(
        label="代发机构", max_length=60, required=False, help_text="如：西丰县农村信用合作联社"
    )


@admin.register(m.BankLayout)
class BankLayoutAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The county's layouts: per payer bank or the 一卡通 platform; columns, codes and reasons inline."""

    list_display = ["name", "payer", "channel", "file_format", "encoding", "totals_row", "active", "usable"]
    list_filter = ["channel", "file_format", "active"]
    fields = ["county", "name", "payer", "channel", "file_format", "encoding", "separator", "totals_row",
              "paid_values", "failed_values", "pending_values", "active", "note"]  # fmt: skip
    inlines = [LayoutColumnInline, LayoutProjectInline, ReasonCodeInline]

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and is_county(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    @admin.display(description="可否送银行")
    def usable(self, obj) -> str:
        return "可以" if not layout_problems(spec_of(obj)) else "格式不完整"

    def get_urls(self):
        view = self.admin_site.admin_view(self.preset_view)
        return [path("preset/", view, name="assistance_banklayout_preset"), *super().get_urls()]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "county":
            field.queryset = field.queryset.filter(level=3)
        return field

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        problems = layout_problems(spec_of(form.instance))
        if problems:
            self.message_user(
                request, LAYOUT_HAS_PROBLEMS.format(problems="；".join(problems)), messages.WARNING
            )

    def preset_view(self, request):
        """按预置格式新建: the county's own copy of a preset, to edit afterwards."""
        if not self.has_add_permission(request) or request.user.region is None:
            raise PermissionDenied
        form = PresetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            county = request.user.region
            try:
                layout = create_from_preset(county=county, preset=data["preset"], name=data["name"].strip(),
                                            payer=data["payer"].strip())  # fmt: skip
            except Exception:  # noqa: BLE001 - the name is taken: say so on the form
                form.add_error("name", "本县已有同名的代发文件格式，请换一个名称")
            else:
                self.message_user(
                    request, f"已新建代发文件格式“{layout.name}”，请核对各列后使用", messages.SUCCESS
                )
                return redirect("admin:assistance_banklayout_change", layout.pk)
        return _page(self, request, "admin/assistance/bank_layout_preset.html", "按预置格式新建代发文件格式",
                     form=form)  # fmt: skip

    def changelist_view(self, request, extra_context=None):
        extra = (
            {"preset_url": reverse("admin:assistance_banklayout_preset")}
            if self.has_add_permission(request)
            else {}
        )
        return super().changelist_view(request, {**(extra_context or {}), **extra})


# ------------------------------------------------------------------ 送银行 from a roll


class SendForm(forms.Form):
    layout = forms.ModelChoiceField(label="代发文件格式", queryset=m.BankLayout.objects.none())
    reason = forms.CharField(
        label="导出事由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="代发文件含完整银行账号，导出将记入个人信息查看记录",
    )  # fmt: skip

    def __init__(self, *args, county_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["layout"].queryset = m.BankLayout.objects.filter(county_id=county_code, active=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="导出事由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class RollBankAdminMixin:
    """On the roll list and page: 送银行 (a confirmed roll) and its batch once sent."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.send_view)
        return [path("<int:pk>/send/", view, name="assistance_paymentroll_send"), *super().get_urls()]

    @admin.display(description="代发与对账")
    def bank_link(self, obj) -> str:
        if obj.status == RollStatus.CONFIRMED:
            return format_html(
                '<a href="{}">送银行</a>', reverse("admin:assistance_paymentroll_send", args=[obj.pk])
            )
        batch = getattr(obj, "bank_batch", None)
        if batch is None:
            return "—"
        return format_html(
            '<a href="{}">批次 {}</a>',
            reverse("admin:assistance_bankbatch_change", args=[batch.pk]),
            batch.batch_no,
        )

    def send_view(self, request, pk: int):
        if not is_county(request):
            raise PermissionDenied
        roll = get_object_or_404(self.get_queryset(request), pk=pk)
        form = SendForm(request.POST or None, county_code=roll.county_id)
        if request.method == "POST" and form.is_valid():
            try:
                _, file = bank.send_roll(roll=roll, layout=form.cleaned_data["layout"], user=request.user,
                                         reason=form.cleaned_data["reason"], request=request)  # fmt: skip
            except ValidationError as exc:
                form.add_error(None, _why(exc))
            else:
                return http_response(file)
        unsent = roll.lines.filter(total_amount__gt=0, bank_account="").count()
        layouts_url = reverse("admin:assistance_banklayout_changelist")
        title = f"送银行：{roll}"
        template = "admin/assistance/bank_send.html"
        return _page(
            self, request, template, title, form=form, roll=roll, unsent=unsent, layouts_url=layouts_url
        )


# ------------------------------------------------------------------ batches, lines, uploads


class ReturnForm(forms.Form):
    file = forms.FileField(label="银行回盘文件", help_text="银行返回的代发结果文件，格式与送银行时相同")


@admin.register(m.BankBatch)
class BankBatchAdmin(_ReadOnly):
    list_display = ["batch_no", "roll", "roll_status", "payer", "sent_at", "line_count", "total_amount",
                    "paid_count", "failed_count", "unsent_count", "actions_link"]  # fmt: skip
    list_select_related = ["roll"]
    fields = ["batch_no", "roll", "roll_status", "payer", "layout_name", "sent_at", "sent_by", "send_reason",
              "line_count", "total_amount", "paid_count", "paid_amount", "failed_count", "failed_amount",
              "unsent_count", "reconciled_at", "returns_list", "actions_link"]  # fmt: skip
    readonly_fields = fields

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "<int:pk>/download/",
                site.admin_view(self.download_view),
                name="assistance_bankbatch_download",
            ),
            path("<int:pk>/return/", site.admin_view(self.return_view), name="assistance_bankbatch_return"),
            *super().get_urls(),
        ]

    @admin.display(description="发放表状态")
    def roll_status(self, obj) -> str:
        return obj.roll.get_status_display()

    @admin.display(description="代发机构")
    def payer(self, obj) -> str:
        return obj.layout_spec.get("payer", "")

    @admin.display(description="代发文件格式")
    def layout_name(self, obj) -> str:
        return obj.layout_spec.get("name", "")

    @admin.display(description="回盘记录")
    def returns_list(self, obj) -> str:
        uploads = obj.returns.order_by("uploaded_at")
        if not uploads:
            return "尚未上传回盘"
        return format_html_join(
            "", "<div>{:%Y-%m-%d %H:%M} {}：{} 笔（成功 {}，失败 {}，处理中 {}），本次确定 {} 笔</div>",
            ((u.uploaded_at, u.filename, u.line_count, u.paid_count, u.failed_count, u.pending_count,
              u.applied_count) for u in uploads),
        )  # fmt: skip

    @admin.display(description="操作")
    def actions_link(self, obj) -> str:
        links = [(reverse("admin:assistance_bankbatch_download", args=[obj.pk]), "重新下载代发文件")]
        if obj.reconciled_at is None:
            links.insert(0, (reverse("admin:assistance_bankbatch_return", args=[obj.pk]), "上传回盘"))
        if obj.failed_count:
            url = reverse("admin:assistance_paymentfailure_changelist")
            links.append((f"{url}?{urlencode({'bank_line__batch__id__exact': obj.pk})}", "发放失败"))
        return format_html_join(" ", '<a href="{}">{}</a>', links)

    def _batch(self, request, pk):
        if not is_county(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request).select_related("roll"), pk=pk)

    def download_view(self, request, pk: int):
        batch = self._batch(request, pk)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                file = bank.batch_file(batch=batch, user=request.user, reason=form.cleaned_data["reason"],
                                       request=request)  # fmt: skip
            except ValidationError as exc:
                form.add_error(None, _why(exc))
            else:
                return http_response(file)
        return _page(self, request, "admin/assistance/bank_download.html", f"重新下载代发文件：{batch}",
                     form=form, batch=batch)  # fmt: skip

    def return_view(self, request, pk: int):
        batch = self._batch(request, pk)
        form = ReturnForm(request.POST or None, request.FILES or None)
        rows = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = bank.upload_return(
                    batch=batch, user=request.user, data=upload.read(), filename=upload.name
                )
            except bank.ReturnRejected as exc:
                rows = exc.rows
                form.add_error(None, RETURN_REFUSED.format(n=len(rows)))
            except (FileRejected, ValidationError) as exc:
                form.add_error("file" if isinstance(exc, FileRejected) else None, _why(exc))
            else:
                batch.refresh_from_db()
                done = RETURN_DONE.format(r=result)
                if not result.applied_count:
                    done += RETURN_NOTHING_NEW
                if batch.reconciled_at:
                    done += RETURN_RECONCILED
                self.message_user(request, done, messages.SUCCESS)
                return redirect("admin:assistance_bankbatch_change", batch.pk)
        return _page(self, request, "admin/assistance/bank_return.html", f"上传回盘：{batch}", form=form,
                     batch=batch, rows=rows)  # fmt: skip


@admin.register(m.BankLine)
class BankLineAdmin(_ReadOnly):
    list_display = ["batch", "line_no", "household_no", "payee_name", "bank_account", "amount", "result",
                    "reason", "bank_message"]  # fmt: skip
    list_filter = ["result", "reason", HouseholdTownship]
    list_select_related = ["batch", "household"]
    search_fields = ["payee_name", "=batch__batch_no"]
    fields = ["batch", "line_no", "household_no", "payee_name", "payee_id_no", "bank_name", "bank_account",
              "amount", "result", "reason", "bank_code", "bank_message", "result_at"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="户编号", ordering="household__household_no")
    def household_no(self, obj) -> str:
        return obj.household.household_no


@admin.register(m.BankReturn)
class BankReturnAdmin(_ReadOnly):
    list_display = ["batch", "filename", "uploaded_at", "uploaded_by", "line_count", "paid_count",
                    "failed_count", "pending_count", "applied_count"]  # fmt: skip
    list_select_related = ["batch", "uploaded_by"]
    readonly_fields = [f.name for f in m.BankReturn._meta.fields]


# ------------------------------------------------------------------ failed payments


class CorrectAccountForm(forms.Form):
    bank_name = forms.CharField(label="开户银行", max_length=60)
    bank_account = forms.CharField(label="新银行账号", max_length=40)
    note = forms.CharField(
        label="说明", max_length=150, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PayeeForm(forms.Form):
    payee_name = forms.CharField(label="领款人姓名", max_length=50)
    payee_id_no = forms.CharField(label="领款人身份证号", max_length=18)
    bank_name = forms.CharField(label="开户银行", max_length=60)
    bank_account = forms.CharField(label="银行账号", max_length=40)
    reason = forms.CharField(
        label="事由", max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：户主长期卧床，由其子代领；或：卡已激活，原账户可用",
    )  # fmt: skip


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label="意见或理由", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@admin.register(m.PaymentFailure)
class PaymentFailureAdmin(_ReadOnly):
    """The village's task list and the county's overview of failed payments."""

    list_display = ["household_no", "payee", "month", "program", "amount", "reason", "status", "created_at",
                    "actions_link"]  # fmt: skip
    list_filter = ["status", "reason", "program", HouseholdTownship]
    list_select_related = ["household", "bank_line", "bank_line__batch"]
    fields = [
        "household_no", "payee", "month", "program", "amount", "reason", "bank_message", "batch_line",
        "status", "change_request", "payee_name", "payee_id_no", "bank_name", "bank_account", "payee_reason",
        "decision_note", "reissue_text", "created_at", "corrected_at", "actions_link",
    ]  # fmt: skip
    readonly_fields = fields

    ACTIONS = {
        "correct": ("纠正账户", CorrectAccountForm, "village"),
        "payee": ("更换领款人或核实原账户", PayeeForm, "village"),
        "confirm": ("确认领款人", DecisionForm, "county"),
        "return": ("退回村级", DecisionForm, "county"),
        "waive": ("不予补发", DecisionForm, "county"),
    }

    def get_urls(self):
        view = self.admin_site.admin_view(self.act_view)
        acts = [
            path(f"<int:pk>/{act}/", view, {"act": act}, name=f"assistance_paymentfailure_{act}")
            for act in self.ACTIONS
        ]
        return [*acts, *super().get_urls()]

    @admin.display(description="户编号", ordering="household__household_no")
    def household_no(self, obj) -> str:
        return obj.household.household_no

    @admin.display(description="原领款人")
    def payee(self, obj) -> str:
        return obj.bank_line.payee_name

    @admin.display(description="银行返回说明")
    def bank_message(self, obj) -> str:
        return obj.bank_line.bank_message or obj.bank_line.bank_code or "—"

    @admin.display(description="原代发明细")
    def batch_line(self, obj) -> str:
        line = obj.bank_line
        account = privacy.shown(_user.get(), privacy.Kind.BANK_ACCOUNT, line.bank_account) or "—"
        where = f"第 {line.line_no} 笔" if line.line_no else "未送银行"
        return f"批次 {line.batch.batch_no} {where}，账号 {account}"

    @admin.display(description="补发")
    def reissue_text(self, obj) -> str:
        line = obj.bank_line.reissues.select_related("roll").first()
        return f"已列入{line.roll}（补发 {line.total_amount} 元）" if line else "—"

    def _allowed_acts(self, user, obj) -> list[str]:
        role = role_of(user)
        if role == Role.VILLAGE_CLERK and bank_failures._correctable(obj):
            return ["correct", "payee"]
        if role in COUNTY_ROLES:
            if obj.status == FailureStatus.PAYEE_PROPOSED:
                return ["confirm", "return", "waive"]
            if obj.status in (FailureStatus.OPEN, FailureStatus.CORRECTING, FailureStatus.CORRECTED):
                return ["waive"]
        return []

    def get_list_display(self, request):
        _user.set(request.user)
        return super().get_list_display(request)

    def get_readonly_fields(self, request, obj=None):
        _user.set(request.user)
        return super().get_readonly_fields(request, obj)

    @admin.display(description="操作")
    def actions_link(self, obj) -> str:
        acts = self._allowed_acts(_user.get(), obj)
        if not acts:
            return "—"
        links = [
            (reverse(f"admin:assistance_paymentfailure_{a}", args=[obj.pk]), self.ACTIONS[a][0]) for a in acts
        ]
        return format_html_join(" ", '<a class="button" href="{}">{}</a>', links)

    def act_view(self, request, pk: int, act: str):
        if act not in self.ACTIONS:
            raise PermissionDenied
        failure = get_object_or_404(
            self.get_queryset(request).select_related("household", "bank_line__batch"), pk=pk
        )
        if act not in self._allowed_acts(request.user, failure):
            raise PermissionDenied
        title, form_class, _ = self.ACTIONS[act]
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data, user = form.cleaned_data, request.user
            try:
                done = self._act(act, failure, user, data)
            except (ValidationError, PermissionDenied) as exc:
                messages_ = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                    for name, errors in exc.message_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, "；".join(messages_))
            else:
                self.message_user(request, done, messages.SUCCESS)
                return redirect("admin:assistance_paymentfailure_change", failure.pk)
        _user.set(request.user)
        context = {
            "form": form, "failure": failure, "act": act, "batch_line": self.batch_line(failure),
            "payee": failure.bank_line.payee_name,
            "proposed_account": privacy.shown(request.user, privacy.Kind.BANK_ACCOUNT, failure.bank_account),
        }  # fmt: skip
        title = f"{title}：{failure.household.household_no}"
        return _page(self, request, "admin/assistance/failure_act.html", title, **context)

    def _act(self, act: str, failure, user, data) -> str:
        if act == "correct":
            change = bank_failures.correct_account(
                failure=failure, user=user, bank_name=data["bank_name"], bank_account=data["bank_account"],
                note=data["note"],
            )  # fmt: skip
            return f"已提交变更申请#{change.pk}（开户银行和银行账号），镇、县审核通过后补发"
        if act == "payee":
            payee = {k: data[k] for k in ("payee_name", "payee_id_no", "bank_name", "bank_account")}
            bank_failures.propose_payee(failure=failure, user=user, reason=data["reason"], **payee)
            return "已提交，待县级确认领款人后补发"
        if act == "confirm":
            bank_failures.confirm_payee(failure=failure, user=user, note=data["reason"])
            return "已确认领款人，将在下一期发放表中补发"
        if act == "return":
            bank_failures.return_payee(failure=failure, user=user, reason=data["reason"])
            return "已退回村级重新纠正"
        bank_failures.waive(failure=failure, user=user, reason=data["reason"])
        return "已决定不予补发，理由已记录"

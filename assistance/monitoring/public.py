"""农户自主申报: the public page of a village (no login, reached by the QR code of its poster), the
receipt, and progress by receipt number + the last 4 digits of the ID number.

Every submission is answered the same way — a receipt number and the masked data — whatever the
register holds, so the page tells nobody whether a person is registered. A CAPTCHA (served locally)
and a limit per address (settings.SELF_REPORT_RATE, on the ratelimit cache) keep it usable; the
personal data is masked on every page after submission and in the log line (households.privacy)."""

from __future__ import annotations

from captcha.fields import CaptchaField
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from assistance.monitoring.choices import LeadStatus, RiskType
from assistance.monitoring.models import MonitoringLead
from assistance.monitoring.params import monitoring_params
from assistance.monitoring.services import leads
from core import privacy
from core.choices import RegionLevel
from core.models import Region

TOO_MANY = "同一网络提交次数过多，请一小时后再试，或拨打热线电话申报"
NOT_FOUND = "未查到该回执，请核对回执编号和身份证号后四位"
CONSENT = (
    "本人承诺所填信息真实、完整，如有虚假愿承担相应责任。本人同意并授权县、乡、村防止返贫监测帮扶工作人员"
    "及相关部门，为核实本次申报查询、核对本人及家庭成员的收入、财产、医疗、教育、就业、社会保障等信息，"
    "并入户核实。所填个人信息仅用于防止返贫监测帮扶工作，依法予以保护。"
)
PROGRESS_TEXT = {
    LeadStatus.OPEN: "已受理，等待村干部入户核实",
    LeadStatus.IN_REVIEW: "已入户核实，正在按程序认定",
    LeadStatus.CLOSED: "已办结",
}


class ReportForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名"})
    id_no = forms.CharField(
        label="身份证号", max_length=18, min_length=15, error_messages={"required": "请填写身份证号"}
    )
    phone = forms.RegexField(
        label="联系电话",
        regex=r"^1\d{10}$|^0\d{9,11}$",
        error_messages={"invalid": "请填写11位手机号或固定电话"},
    )
    risk_types = forms.MultipleChoiceField(
        label="遇到的困难（可多选）",
        choices=RiskType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一项"},
    )
    description = forms.CharField(
        label="简要说明", max_length=300, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    consent = forms.BooleanField(
        label="我已阅读并同意以上承诺和授权", error_messages={"required": "请勾选同意承诺授权"}
    )
    captcha = CaptchaField(label="验证码", error_messages={"invalid": "验证码错误，请重新输入"})


class ProgressForm(forms.Form):
    receipt_no = forms.CharField(label="回执编号", max_length=20)
    id_last4 = forms.RegexField(
        label="身份证号后四位", regex=r"^\d{3}[\dXx]$", error_messages={"invalid": "请填写身份证号后四位"}
    )
    captcha = CaptchaField(label="验证码", error_messages={"invalid": "验证码错误，请重新输入"})


def _village(code: str) -> Region:
    village = Region.objects.filter(code=code, level=RegionLevel.VILLAGE).select_related("parent").first()
    if village is None:
        raise Http404("未找到该村")
    return village


def _client(group: str, request) -> str:
    return privacy.client_ip(request) or "unknown"


def _limited(request, group: str) -> bool:
    return is_ratelimited(
        request, group=group, key=_client, rate=settings.SELF_REPORT_RATE, method="POST", increment=True
    )


def _hotline(village: Region) -> str:
    from django.utils import timezone

    return str(monitoring_params(region_code=village.code, as_of=timezone.localdate())["monitor.hotline"])


@never_cache
def report(request, village_code: str):
    village = _village(village_code)
    context = {
        "village": village,
        "full_name": village.full_name(),
        "consent": CONSENT,
        "hotline": _hotline(village),
    }
    if request.method != "POST":
        return render(request, "monitoring/report.html", {**context, "form": ReportForm()})
    if _limited(request, "monitoring-self-report"):
        return render(
            request,
            "monitoring/report.html",
            {**context, "form": ReportForm(), "refused": TOO_MANY},
            status=429,
        )
    form = ReportForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            lead = leads.self_report(
                village=village, name=data["name"], id_no=data["id_no"], phone=data["phone"],
                risk_types=data["risk_types"], description=data["description"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error("id_no", "身份证号有误：" + "；".join(exc.messages))
        else:
            shown = {
                "name": data["name"].strip()[:1] + "*" * max(len(data["name"].strip()) - 1, 1),
                "id_no": privacy.mask(privacy.Kind.ID_NO, lead.id_no),
                "phone": privacy.mask(privacy.Kind.PHONE, lead.phone),
                "risks": "、".join(RiskType(r).label for r in lead.risk_types),
            }
            return render(
                request, "monitoring/receipt.html", {**context, "receipt_no": lead.receipt_no, "shown": shown}
            )
    return render(request, "monitoring/report.html", {**context, "form": form}, status=400)


@never_cache
def progress(request):
    form = ProgressForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST":
        if _limited(request, "monitoring-progress"):
            return render(request, "monitoring/progress.html", {**context, "refused": TOO_MANY}, status=429)
        if form.is_valid():
            number = form.cleaned_data["receipt_no"].strip()
            last4 = form.cleaned_data["id_last4"].upper()
            lead = MonitoringLead.objects.filter(receipt_no=number, id_no__endswith=last4).first()
            if lead is None:
                context["not_found"] = NOT_FOUND
            else:
                context["lead"] = lead
                context["progress"] = PROGRESS_TEXT[lead.status]
                context["outcome"] = lead.get_outcome_display() if lead.outcome else ""
    return render(request, "monitoring/progress.html", context)

"""Forms of the 防返贫监测 pages (admin and the record page's dialogs): fields only, services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from assistance.choices import MeasureKind
from assistance.monitoring.choices import Category, LeadOutcome, RiskType

DATE: dict[str, Any] = {"widget": forms.DateInput(attrs={"type": "date"}), "initial": timezone.localdate}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (a phone's camera roll)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def risk_choices_field(label: str = "风险类型", required: bool = True) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=RiskType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=required,
        error_messages={"required": "请至少选择一项风险类型"},
    )


class LeadForm(forms.Form):
    """干部走访排查: a lead the cadre found (a registered household by its number, or a person)."""

    household_no = forms.CharField(
        label="户编号", max_length=30, required=False, help_text="已登记农户填写户编号"
    )
    name = forms.CharField(label="姓名", max_length=50, required=False, help_text="未登记人员填写")
    id_no = forms.CharField(label="身份证号", max_length=18, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    risk_types = risk_choices_field()
    description = forms.CharField(label="情况说明", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    detected_on = forms.DateField(label="发现日期", **DATE)


class VerificationForm(forms.Form):
    """入户核实 (village with the household's 帮扶责任人)."""

    visited_on = forms.DateField(label="核实日期", **DATE)
    visitors = forms.CharField(label="走访人员", max_length=200, initial="村文书、帮扶责任人")
    findings = forms.CharField(label="核实情况", widget=forms.Textarea(attrs={"rows": 4}))
    percap_income = forms.DecimalField(
        label="核查年人均纯收入（元）", max_digits=12, decimal_places=2, required=False, min_value=0
    )
    risk_found = forms.TypedChoiceField(
        label="核实结论",
        choices=[("1", "存在返贫致贫风险，提出监测对象认定"), ("0", "核实无风险，办结线索")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    risk_types = risk_choices_field(required=False)
    category = forms.ChoiceField(label="建议监测类别", choices=[("", "—")] + Category.choices, required=False)
    risk_other = forms.CharField(label="其他风险情况", max_length=200, required=False)
    photos = PhotosField(label="现场照片")


class CloseLeadForm(forms.Form):
    outcome = forms.ChoiceField(
        label="办理结果",
        choices=[(c, LeadOutcome(c).label) for c in (LeadOutcome.DIBAO_TEKUN, LeadOutcome.NO_RISK)],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="办理说明", widget=forms.Textarea(attrs={"rows": 3}))


class SubmitForm(forms.Form):
    democratic_review_date = forms.DateField(label="村民主评议日期", **DATE)


class IncludeForm(forms.Form):
    category = forms.ChoiceField(label="监测类别", choices=Category.choices)
    risk_types = risk_choices_field("风险类型（不勾选则沿用入户核实认定的风险类型）", required=False)
    risk_other = forms.CharField(label="其他风险情况", max_length=200, required=False)
    note = forms.CharField(label="审定说明", max_length=400, required=False)


class MeasureForm(forms.Form):
    risk_type = forms.ChoiceField(label="针对风险", choices=RiskType.choices)
    kind = forms.ChoiceField(label="措施类别", choices=MeasureKind.choices)
    content = forms.CharField(label="措施内容", max_length=300)
    date = forms.DateField(label="实施日期", **DATE)
    responsible_unit = forms.CharField(label="责任单位", max_length=100)
    amount = forms.DecimalField(
        label="金额（元）", max_digits=12, decimal_places=2, required=False, min_value=0
    )


class FollowUpForm(forms.Form):
    visited_on = forms.DateField(label="回访日期", **DATE)
    visitors = forms.CharField(label="走访人员", max_length=200, initial="帮扶责任人")
    findings = forms.CharField(label="回访情况", widget=forms.Textarea(attrs={"rows": 3}))
    percap_income = forms.DecimalField(
        label="核查年人均纯收入（元）", max_digits=12, decimal_places=2, required=False, min_value=0
    )

"""Forms of the phone pages: fields only; the visit and 入户核实 services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from assistance.monitoring.forms import PhotosField, VerificationForm
from households.choices import FieldChange
from reports.crosscheck.choices import PAIR_RESULT_LABELS, CheckResult, Rule
from reports.crosscheck.home_checks import CheckInput

ISO_DATE = "%Y-%m-%d"  # a date input takes ISO dates only
CAMERA = {"accept": "image/*", "capture": "environment"}


def _text() -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 3})


class VisitForm(forms.Form):
    """记录走访. The page's script fills client_id (made on the phone) and the location."""

    visit_date = forms.DateField(
        label="走访日期",
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        initial=timezone.localdate,
    )
    met = forms.MultipleChoiceField(
        label="见到的人", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    met_other = forms.CharField(label="其他见到的人", max_length=100, required=False)
    content = forms.CharField(label="做了什么", widget=_text())
    measures_delivered = forms.CharField(label="落实的帮扶措施", required=False, widget=_text())
    problems = forms.CharField(label="发现的问题", required=False, widget=_text())
    photos = PhotosField(label="现场照片")
    change_kind = forms.ChoiceField(
        label="发现信息变化", required=False, choices=[("", "没有变化"), *FieldChange.choices]
    )
    change_value = forms.CharField(label="变化后的情况", max_length=200, required=False)
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    accuracy_m = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["met"].choices = [(m.name, f"{m.name}（{m.get_relation_display()}）") for m in members]
        self.fields["photos"].widget.attrs.update(CAMERA)

    def met_persons(self) -> str:
        names = list(self.cleaned_data.get("met") or [])
        other = (self.cleaned_data.get("met_other") or "").strip()
        return "、".join([*names, other] if other else names)


class CheckForm(VerificationForm):
    """入户核实 of a lead on the phone: the monitoring page's own form, with the camera and the id the
    phone gives a check it keeps while offline."""

    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].widget.attrs.update(CAMERA)
        self.fields["visited_on"].widget.format = ISO_DATE


class _Choice(forms.ModelChoiceField):
    """A record offered by what a person recognises (its date and state), never by its number."""

    def __init__(self, *args, label_of, **kwargs):
        self.label_of = label_of
        super().__init__(*args, required=False, empty_label="（不选）", **kwargs)

    def label_from_instance(self, obj) -> str:
        return self.label_of(obj)


class HitCheckForm(forms.Form):
    """入户核实 of a 疑点 (reports.crosscheck.home_checks). The village clerk's check is her answer:
    for 属实 she names the change request or the 低保 stop it caused (the answer's rule)."""

    visited_on = forms.DateField(
        label="核实日期",
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        initial=timezone.localdate,
    )
    result = forms.ChoiceField(
        label="核实结果", widget=forms.RadioSelect, choices=CheckResult.choices,
        error_messages={"required": "请选择核实结果"},
    )  # fmt: skip
    note = forms.CharField(
        label="核实情况", max_length=400, widget=_text(), error_messages={"required": "请填写核实情况"}
    )
    photos = PhotosField(label="现场照片")
    change_request = _Choice(
        queryset=None, label="因此提出的变更申请",
        label_of=lambda c: f"{c.created_at:%Y年%m月%d日}提出的变更申请（{c.get_state_display()}）",
    )  # fmt: skip
    stopped_case = _Choice(
        queryset=None, label="因此停保的低保案件",
        label_of=lambda c: f"低保案件（{c.get_status_display()}）",
    )  # fmt: skip
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    accuracy_m = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, hit, change_requests, stopped_cases, **kwargs):
        super().__init__(*args, **kwargs)
        if hit.rule == Rule.LIKELY_DUPLICATE:
            self.fields["result"].choices = list(PAIR_RESULT_LABELS.items())
        self.fields["photos"].widget.attrs.update(CAMERA)
        self.fields["change_request"].queryset = change_requests
        self.fields["stopped_case"].queryset = stopped_cases

    def check_input(self) -> CheckInput:
        data = self.cleaned_data
        return CheckInput(
            visited_on=data["visited_on"], result=data["result"], note=data["note"],
            client_id=data.get("client_id"), photos=data.get("photos") or [],
            latitude=data.get("latitude"), longitude=data.get("longitude"), accuracy_m=data.get("accuracy_m"),
            change_request=data.get("change_request"), stopped_case=data.get("stopped_case"),
        )  # fmt: skip


class DismissForm(forms.Form):
    reason = forms.CharField(label="不予采纳的理由", max_length=200, required=False)

"""Forms of the phone pages: fields only; the visit and 入户核实 services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from assistance.monitoring.forms import PhotosField, VerificationForm

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

"""Custom admin pages of programs: the what-if simulation (county staff) and village indicators."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone

from core.scoping import village_page
from programs.rules.whatif import PHASE_OUT, STANDARD, Scenario
from programs.selectors import village_counts, village_indicators
from programs.whatif import county_prefix_for, run_whatif

STANDARD_REQUIRED = "请填写拟调整的农村低保标准"
MONTHS_REQUIRED = "请填写拟设置的渐退月数"


class WhatIfForm(forms.Form):
    kind = forms.ChoiceField(
        label="模拟内容",
        choices=[(STANDARD, "调整农村低保标准"), (PHASE_OUT, "调整低保渐退期限")],
        widget=forms.RadioSelect,
        initial=STANDARD,
    )
    as_of = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    standard_year = forms.DecimalField(
        label="农村低保标准（元/人/年）",
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        help_text="例如 4200（即每人每月 350.00 元）",
    )
    phase_out_months = forms.IntegerField(label="渐退期限（月）", required=False, min_value=1, max_value=60)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == STANDARD and cleaned.get("standard_year") is None:
            self.add_error("standard_year", STANDARD_REQUIRED)
        if cleaned.get("kind") == PHASE_OUT and not cleaned.get("phase_out_months"):
            self.add_error("phase_out_months", MONTHS_REQUIRED)
        return cleaned


def whatif_view(model_admin, request):
    """Nothing is written: the result is computed from the county's approved data on each request."""
    try:
        county = county_prefix_for(request.user)
    except ValidationError as exc:
        raise PermissionDenied(exc.messages[0]) from exc
    form = WhatIfForm(request.GET or None, initial={"as_of": timezone.localdate()})
    timed, error = None, None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        scenario = Scenario(
            kind=data["kind"],
            as_of=data["as_of"],
            region_prefix=county,
            standard_year=data.get("standard_year"),
            phase_out_months=data.get("phase_out_months"),
        )
        try:
            timed = run_whatif(user=request.user, county_prefix=county, scenario=scenario)
        except ValidationError as exc:
            error = "；".join(exc.messages)
    rows = []
    if timed is not None:
        rows = [
            (timed.township_names.get(code, code), tally)
            for code, tally in sorted(timed.result.by_township.items())
        ]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "低保政策情景模拟",
        "opts": model_admin.model._meta,
        "form": form,
        "timed": timed,
        "rows": rows,
        "error": error,
        "county": county,
    }
    return TemplateResponse(request, "admin/programs/whatif.html", context)


def villages_view(model_admin, request):
    as_of = timezone.localdate()
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else as_of.year
    vp = village_page(request.user, request.GET)
    rows = village_indicators(
        user=request.user,
        as_of=as_of,
        year=year,
        codes=[village.code for village in vp.page],
        counts=village_counts(request.user),
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"贫困村退出指标（{year}年）",
        "opts": model_admin.model._meta,
        "rows": rows,
        "year": year,
        "vp": vp,
    }
    return TemplateResponse(request, "admin/programs/villages.html", context)

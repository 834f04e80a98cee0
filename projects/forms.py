"""Forms of the project pages: the 公告/公示 dates and place, a stage date, a payment, an asset, a
distribution of income (the services check everything again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from projects.choices import AssetType, DistributionRule, FundSource

_date: dict[str, Any] = {"widget": forms.DateInput(attrs={"type": "date"})}


class NoticeForm(forms.Form):
    start = forms.DateField(label="开始日期", initial=timezone.localdate, **_date)
    end = forms.DateField(label="结束日期", **_date)
    place = forms.CharField(label="张贴地点", max_length=200, initial="村务公开栏、县政府网站")

    @staticmethod
    def probe() -> dict:
        today = timezone.localdate()
        return {"start": today, "end": today + dt.timedelta(days=30), "place": "（试算）"}


class DateForm(forms.Form):
    on = forms.DateField(label="日期", initial=timezone.localdate, **_date)

    @staticmethod
    def probe() -> dict:
        return {"on": timezone.localdate() + dt.timedelta(days=3650)}


class PaymentForm(forms.Form):
    source = forms.ChoiceField(label="资金来源", choices=FundSource.choices)
    amount = forms.DecimalField(label="支付金额（元）", max_digits=14, decimal_places=2, min_value=0)
    voucher_no = forms.CharField(label="凭证号", max_length=40)
    paid_on = forms.DateField(label="支付日期", initial=timezone.localdate, **_date)
    note = forms.CharField(label="摘要", max_length=200, required=False)


class AssetForm(forms.Form):
    name = forms.CharField(label="资产名称", max_length=100)
    asset_type = forms.ChoiceField(label="资产类型", choices=AssetType.choices)
    value = forms.DecimalField(label="资产原值（元）", max_digits=14, decimal_places=2, min_value=0)
    owner = forms.CharField(label="所有权人", max_length=100, initial="村集体经济组织")
    manager = forms.CharField(label="经营管理主体", max_length=100)
    registered_on = forms.DateField(label="登记日期", initial=timezone.localdate, **_date)


class DistributionForm(forms.Form):
    year = forms.IntegerField(label="收益年度", min_value=2000, max_value=2100)
    amount = forms.DecimalField(label="收益金额（元）", max_digits=14, decimal_places=2, min_value=0)
    rule = forms.ChoiceField(label="分配方式", choices=DistributionRule.choices)
    distributed_on = forms.DateField(label="分配日期", initial=timezone.localdate, **_date)
    listed = forms.CharField(
        label="分配名单（按名单分配时填写，每行：户编号,金额）",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

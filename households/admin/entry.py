"""The household form as a clerk meets it: in tabs (基本信息 · 家庭成员 · 收入 · 住房与生产生活条件 ·
帮扶 …), 户编号 assigned on entry (households.numbering), the member ID checked as typed
(widgets.IdNumberInput). The admin's fieldsets stay where they are; this only sorts them into tabs."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from households.numbering import save_with_new_number

NUMBER_ON_SAVE = "保存后自动分配（村代码＋4位顺序号）"

# Fieldset title → tab; a fieldset not named here (a panel an upper floor adds) goes to 政策测算.
FIELDSET_TABS = {
    "基本信息": "basic",
    "贫困户属性": "basic",
    "脱贫与监测": "basic",
    "生产生活条件": "living",
    "住房": "living",
}
TABS = [
    {"key": "basic", "label": "基本信息", "inlines": []},
    {"key": "members", "label": "家庭成员", "inlines": ["members"]},
    {"key": "income", "label": "收入", "inlines": ["incomes"]},
    {"key": "living", "label": "住房与生产生活条件", "inlines": []},
    {"key": "support", "label": "帮扶", "inlines": ["helper_assignments", "visits"]},
    {"key": "panels", "label": "政策测算", "inlines": []},
    {"key": "history", "label": "流转记录与历史", "inlines": [], "selectors": [".record-history"]},
]


class HouseholdEntryAdminMixin:
    @property
    def media(self):
        return super().media + forms.Media(js=["django_htmx/htmx-2.min.js", "households/entry.js"])

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "household_no_shown"]

    @admin.display(description="户编号")
    def household_no_shown(self, obj) -> str:
        return (obj.household_no if obj is not None else "") or NUMBER_ON_SAVE

    def get_fieldsets(self, request, obj=None):
        tabbed = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [
                tuple("household_no_shown" if f == "household_no" else f for f in row)
                if isinstance(row, tuple | list)
                else ("household_no_shown" if row == "household_no" else row)
                for row in options["fields"]
            ]
            tab = FIELDSET_TABS.get(title, "panels")
            classes = [*options.get("classes", []), f"tab-{tab}"]
            tabbed.append((title, {**options, "fields": fields, "classes": classes}))
        return tabbed

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra = {**(extra_context or {}), "entry_tabs": TABS}
        return super().changeform_view(request, object_id, form_url, extra)

    def save_model(self, request, obj, form, change):
        if change or obj.household_no:
            return super().save_model(request, obj, form, change)
        obj.created_by = obj.created_by or request.user
        save_with_new_number(obj)
        return None

"""A cascading region picker (县 → 乡镇 → 村) with a name search; choices come from the server, in scope."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from households.choices import RegionLevel
from households.models import Region


class RegionCascadeWidget(forms.Widget):
    """Renders a hidden input plus an empty picker that region_picker.js fills level by level.

    Unlike a Select it never iterates its choices, so it costs nothing however many villages exist."""

    def __init__(self, *, level: int = RegionLevel.VILLAGE, attrs=None):
        super().__init__(attrs)
        self.level = level

    class Media:
        css = {"all": ["households/region_picker.css"]}
        js = ["households/region_picker.js"]

    def render(self, name, value, attrs=None, renderer=None):
        current = ""
        if value:
            region = Region.objects.filter(code=value).select_related("parent", "parent__parent").first()
            if region is not None:
                current = region.full_name() or region.name
        element_id = (attrs or {}).get("id") or f"id_{name}"
        return format_html(
            '<div class="region-picker" data-children-url="{}" data-search-url="{}" data-level="{}">'
            '<input type="hidden" name="{}" id="{}" value="{}">'
            '<div class="region-picker-current">当前：<b>{}</b></div>'
            '<div class="region-picker-selects"></div>'
            '<input type="search" class="region-picker-search vTextField"'
            ' placeholder="或输入村名、区划代码搜索"'
            ' autocomplete="off" aria-label="搜索村">'
            '<ul class="region-picker-results"></ul>'
            "</div>",
            reverse("households:region-children"),
            reverse("households:region-search"),
            self.level,
            name,
            element_id,
            value or "",
            current or "未选择",
        )

    def value_from_datadict(self, data, files, name):
        return data.get(name) or None


class IdNumberInput(forms.TextInput):
    """The member's ID, checked as it is typed: htmx posts it (never in a URL) to households:id-check,
    which answers '校验码错误' or the birth date and sex; entry.js then fills the row's 性别."""

    class Media:
        js = ["django_htmx/htmx-2.min.js", "households/entry.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "hx-post": reverse("households:id-check"),
                "hx-trigger": "input changed delay:400ms, change",
                "hx-target": "next .id-check",
                "hx-sync": "this:replace",
                "data-id-check": "",
                "autocomplete": "off",
                "maxlength": "18",
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        return format_html('{}<span class="id-check" aria-live="polite"></span>', html)

"""A cascading region picker (县 → 乡镇 → 村) with a name search; choices come from the server, in scope."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from core.choices import RegionLevel
from core.models import Region


class RegionCascadeWidget(forms.Widget):
    """Renders a hidden input plus an empty picker that region_picker.js fills level by level.

    Unlike a Select it never iterates its choices, so it costs nothing however many villages exist."""

    def __init__(self, *, level: int = RegionLevel.VILLAGE, attrs=None):
        super().__init__(attrs)
        self.level = level

    class Media:
        css = {"all": ["core/region_picker.css"]}
        js = ["core/region_picker.js"]

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
            reverse("core:region-children"),
            reverse("core:region-search"),
            self.level,
            name,
            element_id,
            value or "",
            current or "未选择",
        )

    def value_from_datadict(self, data, files, name):
        return data.get(name) or None

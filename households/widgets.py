"""Registry form widgets: the member ID number input, checked as the clerk types."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html


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

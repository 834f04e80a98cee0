"""Registry form widgets: the member ID number input, checked as the clerk types; the autocomplete
picker of a household page's rows."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
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


class RowAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete picker of an inline row, showing the choice the row already holds
    from the row itself (read with it: select_related) instead of reading it again — one query a
    row before. `known` ({value: label}) is set per row by households.forms.HouseholdRowsFormSet;
    a value it does not hold (a posted form showing another choice) is read as usual."""

    known: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if not selected or self.known is None or not selected <= self.known.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for option_value in sorted(selected):
            options.append(
                self.create_option(name, option_value, self.known[option_value], selected, len(options))
            )
        return [(None, options, 0)]

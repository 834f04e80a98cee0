"""The form renderer (settings.FORM_RENDERER): Django's own, with the few templates every field of
every form goes through — the <input> family, <select> and its <option>s, <textarea>, the field's
<label>, the admin's date input — written out in Python.

A household's record page renders some 600 fields, options and labels; through the template engine
each one is a template (an <option> is two: the option and its attributes), about half of the
page's server time (docs/benchmarks.md, 农户记录页). The functions below give the same bytes as
Django's templates (tests/test_form_renderer.py renders every kind of field both ways and compares);
any other template, or a widget whose options use another template, goes through the engine as before.
"""

from __future__ import annotations

import html

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs

OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
ERROR_TEMPLATES = frozenset({"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"})

# Templates that are exactly `{% include "django/forms/widgets/input.html" %}`.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "search",
        "tel",
        "color",
        "file",
    )
)


def _out(value) -> str:
    """`{{ value }}`: what the engine prints for a variable (localised, escaped unless safe)."""
    if type(value) is not str:  # a plain str is neither localised nor safe: escaped below
        value = localize(template_localtime(value))
        if not isinstance(value, str):
            value = str(value)
        if hasattr(value, "__html__"):
            return value.__html__()
    return html.escape(value)  # django.utils.html.escape without its lazy-argument wrapper


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 - the filter's own formatting
    except (ValueError, TypeError):
        text = ""
    # The filter is is_safe: formatting a safe value keeps it safe (and unescaped), as in the engine.
    return _out(mark_safe(text) if isinstance(value, SafeData) else text)  # noqa: S308


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html (and django/forms/attrs.html)."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_out(name)}" if value is True else f' {_out(name)}="{_formatted(value)}"')
    return "".join(out)


def _input(widget) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    kind, name = _out(widget["type"]), _out(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def _option(option) -> str:
    value, label = _formatted(option["value"]), _out(option["label"])
    return f'<option value="{value}"{_attrs(option["attrs"])}>{label}</option>'


def _select(widget) -> str | None:
    parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(f"\n  {_option(option)}\n")  # the option's template ends in a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget) -> str:
    value = _out(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _label(context) -> str:
    if not context["use_tag"]:
        return _out(context["label"])
    tag = _out(context["tag"])
    return f"<{tag}{_attrs(context['attrs'] or {})}>{_out(context['label'])}</{tag}>"


class FastTemplates(DjangoTemplates):
    """DjangoTemplates, with inputs (the admin's date input too), selects, textareas, labels and
    empty error lists rendered without the engine."""

    def render(self, template_name, context, request=None):
        out = None
        if template_name in INPUT_TEMPLATES:
            out = _input(context["widget"])
        elif template_name == "django/forms/widgets/select.html":
            out = _select(context["widget"])
        elif template_name == "django/forms/widgets/textarea.html":
            out = _textarea(context["widget"])
        elif template_name == "admin/widgets/date.html":  # the admin's date input: a <p> around it
            out = f'<p class="date">\n  {_input(context["widget"])}\n\n\n</p>'
        elif template_name == "django/forms/label.html":
            out = _label(context)
        elif template_name in ERROR_TEMPLATES and not context["errors"]:
            out = ""  # every field asks for its (mostly empty) error list
        if out is None:
            return super().render(template_name, context, request)
        return out.strip()

"""The admin's fieldset (simpleui's admin/includes/fieldset.html) and the rows of a tabular inline
(Django's admin/edit_inline/tabular.html) written out in Python.

A clerk's household record page renders it 25 times, for some 200 fields: through the template
engine about a third of the page's server time (docs/benchmarks.md, 农户记录页). `fieldset_html`
gives the bytes simpleui's template gives (tests/test_form_renderer.py renders every fieldset of
record pages both ways and compares); templates/admin/includes/fieldset.html calls it.
"""

from __future__ import annotations

from django import template
from django.contrib.admin.templatetags.admin_modify import cell_count
from django.utils.safestring import mark_safe

from core.renderers import _out

register = template.Library()

_LINE_END = "\n        </div>\n    "


def _get(obj, name: str):
    """`obj.name` as the engine looks it up: a key of a dict (a read-only field's), else an
    attribute; "" when there is none."""
    if isinstance(obj, dict):
        return obj.get(name, "")
    return getattr(obj, name, "")


def _field(line, field, single: bool) -> str:
    name = _get(field.field, "name")
    parts = ["\n                <div"]
    if not single:
        parts.append(' class="fieldBox')
        if name:
            parts.append(f" field-{_out(name)}")
        if not field.is_readonly and field.errors():
            parts.append(" errors")
        if _get(field.field, "is_hidden"):
            parts.append(" hidden")
        parts.append('"')
    elif field.is_checkbox:
        parts.append(' class="checkbox-row"')
    parts.append(">\n                    ")
    if not single and not field.is_readonly:
        parts.append(_out(field.errors()))
    parts.append("\n                    ")
    if field.is_checkbox:
        parts += [
            "\n                        ",
            _out(field.field),
            _out(field.label_tag()),
            "\n                    ",
        ]
    else:
        parts += ["\n                        ", _out(field.label_tag()), "\n                        "]
        if field.is_readonly:
            parts += ['\n                            <div class="readonly">', _out(field.contents())]
            parts.append("</div>\n                        ")
        else:
            parts += ["\n                            ", _out(field.field), "\n                        "]
        parts.append("\n                    ")
    parts.append("\n                    ")
    help_text = _get(field.field, "help_text")
    if help_text:
        parts += [
            '\n                        <div class="help">',
            str(help_text),
            "</div>\n                    ",
        ]
    parts.append("\n                </div>\n            ")
    return "".join(parts)


def _line(line) -> str:
    single = len(line.fields) == 1
    parts = ['\n        <div class="form-row']
    if single and line.errors():
        parts.append(" errors")
    if not line.has_visible_field:
        parts.append(" hidden")
    for field in line:
        name = _get(field.field, "name")
        if name:
            parts.append(f" field-{_out(name)}")
    parts.append('">\n            ')
    if single:
        parts.append(_out(line.errors()))
    parts.append("\n            ")
    parts += [_field(line, field, single) for field in line]
    parts.append(_LINE_END)
    return "".join(parts)


@register.simple_tag
def fieldset_html(fieldset) -> str:
    parts = ['\n<fieldset class="module aligned ', _out(fieldset.classes), '">\n    ']
    if fieldset.name:
        parts += ["<h2>", _out(fieldset.name), "</h2>"]
    parts.append("\n    ")
    if fieldset.description:
        parts += ['\n        <div class="description">', str(fieldset.description), "</div>\n    "]
    parts.append("\n    ")
    parts += [_line(line) for line in fieldset]
    parts.append("\n\n</fieldset>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped as the engine would


# ---- the rows of a tabular inline (Django's admin/edit_inline/tabular.html, its <tbody> loop)


@register.filter
def plain_tabular(inline_admin_formset) -> bool:
    """Rows tabular_rows writes: no change link and no 'view on site' link (those stay with the
    template's own loop)."""
    opts = inline_admin_formset.opts
    return not opts.show_change_link and not hasattr(opts.model, "get_absolute_url")


def _tabular_cell(field) -> str:
    parts = ['\n              <td class="']
    name = _get(field.field, "name")
    if name:
        parts.append(f"field-{_out(name)}")
    if _get(field.field, "is_hidden"):
        parts.append(" hidden")
    parts.append('">\n              ')
    if field.is_readonly:
        parts += ["\n                  <p>", _out(field.contents()), "</p>\n              "]
    else:
        parts += ["\n                  ", _out(field.field.errors.as_ul()), "\n                  "]
        parts += [_out(field.field), "\n              "]
    parts.append("\n              </td>\n            ")
    return "".join(parts)


def _tabular_row(inline_admin_formset, form, index: int, empty: bool) -> str:
    parts = ["\n        "]
    errors = form.form.non_field_errors()
    if errors:
        parts += ['\n        <tr class="row-form-errors"><td colspan="', _out(cell_count(form)), '">']
        parts += [_out(errors), "</td></tr>\n        "]
    parts.append('\n        <tr class="form-row ')
    if form.original:
        parts.append("has_original")
    if empty:
        parts.append(" empty-form")
    parts += ['"\n             id="', _out(inline_admin_formset.formset.prefix), "-"]
    parts += ["empty" if empty else _out(index), '">\n        <td class="original">\n          ']
    if form.original:
        parts += ["<p>\n          \n          ", _out(form.original), "\n          \n          \n          "]
        parts.append("\n            </p>")
    parts.append("\n          ")
    if form.needs_explicit_pk_field():
        parts.append(_out(form.pk_field().field))
    parts.append("\n          ")
    fk_field = form.fk_field()
    if fk_field:
        parts.append(_out(fk_field.field))
    parts.append("\n        </td>\n        ")
    for fieldset in form:
        parts.append("\n          ")
        for line in fieldset:
            parts.append("\n            ")
            parts += [_tabular_cell(field) for field in line]
            parts.append("\n          ")
        parts.append("\n        ")
    parts.append('\n        <td class="delete">')
    formset = inline_admin_formset
    if formset.formset.can_delete and formset.has_delete_permission and form.original:
        parts.append(_out(form.deletion_field().field))
    parts.append("</td>\n        </tr>\n     ")
    return "".join(parts)


@register.simple_tag
def tabular_rows(inline_admin_formset) -> str:
    """The bytes of tabular.html's row loop for an inline of plain_tabular (tests/test_form_renderer.py
    renders tabular inlines both ways and compares): a clerk's household page has one editable row a
    走访记录, some 12 cells each, through the engine about a third of the page's time with 20 visits."""
    forms = list(inline_admin_formset)
    last = len(forms) - 1 if inline_admin_formset.has_add_permission else -1  # the empty form
    rows = [_tabular_row(inline_admin_formset, form, i, i == last) for i, form in enumerate(forms)]
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped as the engine would

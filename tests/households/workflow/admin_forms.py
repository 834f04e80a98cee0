"""Build the POST data of an admin add/change page from its GET response, like a browser would."""

import datetime as dt
from decimal import Decimal

from django import forms


def _encode(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, dt.date | Decimal | int):
        return str(value)
    return value


def _form_data(form, data: dict) -> None:
    for name in form.fields:
        bound = form[name]
        if getattr(bound.field, "disabled", False):
            continue
        value = bound.value()
        key = bound.html_name
        if isinstance(bound.field, forms.MultipleChoiceField) or isinstance(value, list | tuple):
            data[key] = [str(v) for v in value or []]
            continue
        encoded = _encode(value)
        if encoded is not None:
            data[key] = encoded


def admin_form_data(response) -> dict:
    """Main form + every inline formset (management forms and existing rows) of an admin page."""
    context = response.context
    data: dict = {}
    _form_data(context["adminform"].form, data)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        for form in formset.forms:
            _form_data(form, data)
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.forms))
    return data


def set_row(data: dict, response, model_name: str, index: int, values: dict) -> None:
    """Fill inline row `index` (a new row starts from the formset's defaults, like 添加另一个)."""
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        if formset.model._meta.model_name != model_name:
            continue
        if index >= int(data[f"{formset.prefix}-TOTAL_FORMS"]):
            row: dict = {}
            _form_data(formset.empty_form, row)
            data.update({k.replace("__prefix__", str(index)): v for k, v in row.items()})
            data[f"{formset.prefix}-TOTAL_FORMS"] = str(index + 1)
        for name, value in values.items():
            data[f"{formset.prefix}-{index}-{name}"] = value
        return
    raise KeyError(model_name)

"""What a record page renders most, written in Python, gives the same bytes as the templates it
replaces: core.renderers.FastTemplates (inputs, selects, textareas, labels, empty error lists:
Django's templates), field by field and for a whole household record page; and the admin's
fieldset (core.templatetags.admin_fieldsets: simpleui's admin/includes/fieldset.html), fieldset by
fieldset of record pages (editable, read-only, with errors) and of a form with every kind of line."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
import simpleui
from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin import widgets as admin_widgets
from django.forms.renderers import DjangoTemplates
from django.template import Context, Engine
from django.template.loader import get_template
from django.test import override_settings
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.choices import ReviewState
from core.renderers import FastTemplates
from core.templatetags.admin_fieldsets import fieldset_html, plain_tabular
from households.choices import Relation
from households.forms import HouseholdAdminForm, MemberAdminForm
from tests.factories import (
    HelperAssignmentFactory,
    HelperPersonFactory,
    HouseholdFactory,
    IncomeYearFactory,
    MemberFactory,
    VisitFactory,
    user_for,
)
from tests.households.workflow.admin_forms import admin_form_data, set_row

TRICKY = "a<b>&\"c'd"


class EveryWidgetForm(forms.Form):
    text = forms.CharField(label=TRICKY, help_text="说明")
    safe_text = forms.CharField(label=mark_safe("<b>粗</b>"), required=False)
    lazy_label = forms.CharField(label=gettext_lazy("Name"), required=False)
    number = forms.DecimalField(widget=forms.NumberInput(attrs={"step": 0.01, "min": 0}))
    integer = forms.IntegerField(widget=admin_widgets.AdminIntegerFieldWidget)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    date = forms.DateField(widget=admin_widgets.AdminDateWidget)
    date_plain = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    moment = forms.DateTimeField(widget=forms.DateTimeInput, required=False)
    clock = forms.TimeField(widget=forms.TimeInput, required=False)
    flag = forms.BooleanField(required=False)
    other_flag = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"disabled": True}))
    search = forms.CharField(widget=forms.SearchInput, required=False)
    tel = forms.CharField(widget=forms.TelInput, required=False)
    color = forms.CharField(widget=forms.ColorInput, required=False)
    upload = forms.FileField(widget=forms.FileInput, required=False)
    choice = forms.ChoiceField(choices=[("", "---------"), ("a", TRICKY), ("b", "乙")])
    grouped = forms.ChoiceField(
        choices=[("甲组", [("1", "一"), ("2", "二")]), ("乙组<>", [("3", "三")]), ("4", "四")], required=False
    )
    numbered = forms.TypedChoiceField(choices=[(1, "一级"), (2, dt.date(2024, 1, 2))], coerce=int)
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    maybe = forms.NullBooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "hidden": False, "required": True}))
    admin_text = forms.CharField(widget=admin_widgets.AdminTextInputWidget(attrs={"data-x": None}))
    admin_area = forms.CharField(widget=admin_widgets.AdminTextareaWidget, required=False)


VALUES = {
    "text": TRICKY,
    "safe_text": mark_safe("<i>x</i>"),
    "number": Decimal("12.50"),
    "integer": 7,
    "password": "secret<",
    "hidden": "h&",
    "date": dt.date(2025, 3, 4),
    "moment": dt.datetime(2025, 3, 4, 5, 6, 7),
    "clock": dt.time(8, 9),
    "flag": True,
    "choice": "a",
    "grouped": "3",
    "numbered": 2,
    "several": ["x", "y"],
    "maybe": True,
    "note": "第一行\n<第二行>",
    "admin_text": "",
}


def rendered(form) -> list[str]:
    out = [str(form), str(form.non_field_errors())]
    for name in form.fields:
        field = form[name]
        out += [
            str(field),
            str(field.errors),
            str(field.label_tag()),
            str(field.label_tag(attrs={"class": "required", "data-x": True, "hidden": False})),
            str(field.legend_tag()),
        ]
    return out


@pytest.mark.parametrize(
    "make",
    [
        lambda renderer: EveryWidgetForm(initial=VALUES, renderer=renderer),
        lambda renderer: EveryWidgetForm(renderer=renderer),
        lambda renderer: EveryWidgetForm(
            data={"text": "x", "number": "abc", "choice": "z"}, renderer=renderer
        ),
    ],
    ids=["initial", "empty", "errors"],
)
def test_every_widget_renders_as_djangos_templates(make):
    fast = rendered(make(FastTemplates()))
    assert fast == rendered(make(DjangoTemplates()))
    assert all(tag in fast[0] for tag in ("<option", "<optgroup", "<textarea", "<label", 'type="checkbox"'))


@pytest.mark.django_db
def test_registry_forms_render_as_djangos_templates(village_a):
    household = HouseholdFactory(village=village_a)
    member = MemberFactory(household=household, relation=Relation.HEAD)
    pages = {}
    for renderer in ("core.renderers.FastTemplates", "django.forms.renderers.DjangoTemplates"):
        with override_settings(FORM_RENDERER=renderer):
            forms_ = [HouseholdAdminForm(instance=household), MemberAdminForm(instance=member)]
            pages[renderer] = "".join(str(form) for form in forms_)
    assert len(set(pages.values())) == 1


def _page(client, url, renderer) -> str:
    with override_settings(FORM_RENDERER=renderer):
        html = client.get(url).content.decode()
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["clerk_a", "county_admin"])
def test_household_record_page_is_the_same_page(client, village_a, role, request):
    household = HouseholdFactory(village=village_a, review_state=ReviewState.VERIFIED)
    for relation in (Relation.HEAD, Relation.SPOUSE, Relation.SON):
        MemberFactory(household=household, relation=relation)
    IncomeYearFactory(household=household)
    client.force_login(request.getfixturevalue(role))
    url = reverse("admin:households_household_change", args=[household.pk])
    fast = _page(client, url, "core.renderers.FastTemplates")
    assert fast == _page(client, url, "django.forms.renderers.DjangoTemplates")
    assert fast.count("<select") > (10 if role == "clerk_a" else -1)


SIMPLEUI_FIELDSET = Path(simpleui.__file__).parent / "templates/admin/includes/fieldset.html"


def _simpleui(fieldset) -> str:
    return (
        Engine.get_default()
        .from_string(SIMPLEUI_FIELDSET.read_text())
        .render(Context({"fieldset": fieldset}))
    )


def _fieldsets(context):
    yield from context["adminform"]
    for inline in context["inline_admin_formsets"]:
        for form in inline:
            yield from form


def _compare(context) -> int:
    fieldsets = list(_fieldsets(context))
    for fieldset in fieldsets:
        assert fieldset_html(fieldset) == _simpleui(fieldset), fieldset.name
    return len(fieldsets)


def test_fieldsets_render_as_simpleuis_template_on_a_form_with_every_kind_of_line():
    form = EveryWidgetForm(data={"text": "x", "number": "abc", "choice": "z", "flag": "on"})
    layout = [
        (None, {"fields": ["text", "flag", ("number", "integer", "other_flag"), "hidden"]}),
        (
            "说明<>",
            {"fields": [("choice", "grouped"), "note"], "description": "<b>须知</b>", "classes": ["x"]},
        ),
        ("空", {"fields": ["date", ("hidden", "text")]}),
    ]
    for fieldset in helpers.AdminForm(form, layout, {}):
        assert fieldset_html(fieldset) == _simpleui(fieldset)
    assert "errors" in fieldset_html(next(iter(helpers.AdminForm(form, layout, {}))))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "state"),
    [
        ("clerk_a", ReviewState.DRAFT),
        ("clerk_a", ReviewState.VERIFIED),
        ("county_admin", ReviewState.VERIFIED),
    ],
)
def test_record_page_fieldsets_render_as_simpleuis_template(client, village_a, role, state, request):
    household = HouseholdFactory(village=village_a, review_state=state)
    MemberFactory(household=household, relation=Relation.HEAD)
    MemberFactory(household=household, relation=Relation.SON)
    IncomeYearFactory(household=household)
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("admin:households_household_change", args=[household.pk]))
    assert _compare(response.context) > 10


@pytest.mark.django_db
def test_fieldsets_with_errors_render_as_simpleuis_template(client, village_a, clerk_a):
    """A draft saved with a bad ID number, no main cause and two heads: errors on lines of one field
    and of several, and on the formset."""
    household = HouseholdFactory(village=village_a, review_state=ReviewState.DRAFT)
    MemberFactory(household=household, relation=Relation.HEAD)
    MemberFactory(household=household, relation=Relation.SON)
    client.force_login(clerk_a)
    url = reverse("admin:households_household_change", args=[household.pk])
    data = admin_form_data(client.get(url))
    data |= {"main_cause": "", "members-1-relation": Relation.HEAD, "members-0-id_no": "211223199001011234"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["errors"]
    assert _compare(response.context) > 10


DJANGO_TABULAR = Path(admin.__file__).parent / "templates/admin/edit_inline/tabular.html"


def _tabulars(context):
    return [
        inline for inline in context["inline_admin_formsets"] if inline.opts.template.endswith("tabular.html")
    ]


def _compare_tabulars(context) -> int:
    """Each tabular inline through our tabular.html (rows by tabular_rows) and Django's own."""
    ours = get_template("admin/edit_inline/tabular.html")
    django_s = Engine.get_default().from_string(DJANGO_TABULAR.read_text())
    inlines = _tabulars(context)
    for inline in inlines:
        assert plain_tabular(inline)
        assert ours.render({"inline_admin_formset": inline}) == django_s.render(
            Context({"inline_admin_formset": inline})
        ), inline.opts.model
    return len(inlines)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "state"),
    [
        ("clerk_a", ReviewState.DRAFT),
        ("clerk_a", ReviewState.VERIFIED),
        ("township_reviewer_a", ReviewState.VERIFIED),
        ("county_admin", ReviewState.VERIFIED),
    ],
)
def test_record_page_tabular_inlines_render_as_djangos_template(client, village_a, role, state, request):
    """结对帮扶 and 走访记录 rows (editable for the clerk, read-only for the others; with and without
    a 记录人), the new row's template included."""
    household = HouseholdFactory(village=village_a, review_state=state)
    MemberFactory(household=household, relation=Relation.HEAD)
    helper = HelperPersonFactory(county=village_a.parent.parent)
    HelperAssignmentFactory(household=household, helper=helper)
    VisitFactory(household=household, helper=helper, recorded_by=user_for(village_a, first_name="李文"))
    VisitFactory(household=household, content="<b>走访</b> & 了解")
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("admin:households_household_change", args=[household.pk]))
    assert _compare_tabulars(response.context) == 2


@pytest.mark.django_db
def test_tabular_rows_with_errors_render_as_djangos_template(client, village_a, clerk_a):
    """A new 走访记录 row without its date and content, and a stored one emptied."""
    household = HouseholdFactory(village=village_a, review_state=ReviewState.DRAFT)
    MemberFactory(household=household, relation=Relation.HEAD)
    VisitFactory(household=household)
    client.force_login(clerk_a)
    url = reverse("admin:households_household_change", args=[household.pk])
    page = client.get(url)
    data = admin_form_data(page)
    data["visits-0-content"] = ""
    set_row(data, page, "visit", 1, {"visitor": "张三"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert _compare_tabulars(response.context) == 2
    assert "errorlist" in get_template("admin/edit_inline/tabular.html").render(
        {"inline_admin_formset": _tabulars(response.context)[1]}
    )


@pytest.mark.django_db
def test_other_tabular_inlines_render_as_djangos_template(client, village_a, county_admin):
    """A 驻村工作队's members: editable, with its extra row."""
    from tests.factories import WorkTeamFactory

    team = WorkTeamFactory(village=village_a)
    client.force_login(county_admin)
    response = client.get(reverse("admin:households_workteam_change", args=[team.pk]))
    assert _compare_tabulars(response.context) == 1

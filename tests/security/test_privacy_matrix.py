"""Scenario 65: every surface masked. The matrix finds its surfaces itself — nobody lists them.

Seeded: one of everything (tests.api.test_permission_matrix.build_world, approved), with a value in
every personal field of every model that declares one (core.privacy.declaring_models(); a model
that declares a field the seed leaves empty fails the test). Walked, for every role:

- every model admin registered in admin.site: its changelist, the record page, history page and
  every custom view (`get_urls()`) of up to two records in the role's scope; a custom view that
  answers GET with a form (no file field) is posted with the form's defaults (the downloads:
  年度动态调整表, 台账, …); every admin action on the records;
- every other page of the URL resolver that takes no object (the public report page by village);
- every API route and action (the rows of tests/api/test_permission_matrix.py, whose guard fails
  on a route without a row);
- every ledger the role may export (reports.exporting.ledger_choices).

Every answer — HTML, JSON, xlsx/zip members, CSV — is searched for every stored full value; the
city's answers also for any masked account. A full value in an answer whose request wrote its
reason to the access log (查看完整信息, the bank file) is the sanctioned way and counted apart.
Each request runs in a rolled-back savepoint, so an action or a posted form changes nothing for
the next one. The figure is printed at the end of the run (tests/security/conftest.py).
"""

from __future__ import annotations

import io
import re
import zipfile

import pgtrigger
import pytest
from django import forms
from django.contrib import admin
from django.db import transaction
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from assistance.models import BankLine, MonitoringLead, PaymentFailure, PaymentLine
from core import privacy
from core.choices import ReviewState
from core.models import AccessLog
from households.models import Household, Member
from households.workflow.models import ChangeItem
from reports import exporting
from reports.crosscheck.models import OutsideListRow
from tests.api.test_permission_matrix import COUNTY_LISTS, LISTS, ROWS, build_world
from tests.factories import assign, helper_user, user_for, valid_id

pytestmark = pytest.mark.django_db

ROLES = ["clerk_a", "township_reviewer_a", "county_admin", "city_supervisor", "helper"]
FIGURES: dict = {"surfaces": set(), "requests": 0, "full_values": 0, "logged_reveals": 0, "by_role": {}}
STANDARD_VIEWS = ("_changelist", "_add", "_history", "_delete", "_change", "_autocomplete")
OBJECTS_PER_ADMIN = 2
_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")


# ------------------------------------------------------------------ the seed


def seed(village, owner):
    """The permission matrix's world, approved, with every declared personal field filled."""
    world = build_world(village, owner)
    household, (head, other) = world.household, world.household.members.order_by("id")
    Household.objects.filter(pk=household.pk).update(
        phone="13712345678", bank_account="6228480012345670001", review_state=ReviewState.VERIFIED
    )
    Member.objects.filter(pk=other.pk).update(disability_card_no=other.id_no + "21")
    PaymentLine.objects.filter(pk=world.line.pk).update(
        payee_id_no=head.id_no, bank_account="6228480012345670002"
    )
    with pgtrigger.ignore("assistance.BankLine:bank_line_result_is_final"):
        BankLine.objects.filter(pk=world.bank_line.pk).update(payee_id_no=head.id_no)
    PaymentFailure.objects.filter(pk=world.failure.pk).update(
        payee_id_no=head.id_no, bank_account="6228480012345670003"
    )
    MonitoringLead.objects.filter(pk=world.lead.pk).update(id_no=valid_id(), phone="13612345678")
    OutsideListRow.objects.create(batch=world.batch, row_no=1, id_no=head.id_no, name=head.name)
    # A change request naming a new phone, account and ID (its old values are the stored ones).
    ChangeItem.objects.create(
        change_request=world.change,
        target="household",
        target_id=household.pk,
        old_values={"phone": "13712345678", "bank_account": "6228480012345670001"},
        new_values={"phone": "13512345678", "bank_account": "6228480012345670004"},
    )
    ChangeItem.objects.create(
        change_request=world.change,
        target="member",
        target_id=head.pk,
        old_values={"id_no": head.id_no},
        new_values={"id_no": valid_id()},
    )
    # A reveal by another county user: the access log's pages and CSV export are walked too.
    privacy.reveal(
        user=user_for(village.parent.parent), request=None, record=head, reason="核对", channel="page"
    )
    helper = helper_user(village.parent.parent)
    assign(helper, household)
    world.helper_user = helper
    return world


def stored_full_values() -> set[str]:
    """Every non-empty personal value of every declaring model; each model must hold one of each."""
    values, unseeded = set(), []
    for model in privacy.declaring_models():
        fields = privacy.fields_of(model)
        rows = list(model.objects.values_list(*fields))
        for i, name in enumerate(fields):
            found = {row[i] for row in rows if row[i]}
            if not found:
                unseeded.append(f"{model._meta.label_lower}.{name}")
            values |= found
    assert unseeded == [], f"seed a value for {unseeded}"
    return values | json_personal_values()


def json_personal_values() -> set[str]:
    """Personal values kept under a personal field's name in any JSON column (change requests)."""
    from django.apps import apps
    from django.db.models import JSONField

    values = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, JSONField):
                for data in model.objects.exclude(**{field.name: None}).values_list(field.name, flat=True):
                    if isinstance(data, dict):
                        values |= {str(v) for k, v in data.items() if k in privacy.FIELD_KINDS and v}
    return values


# ------------------------------------------------------------------ reading any answer


def body_text(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK" and zipfile.is_zipfile(io.BytesIO(raw)):  # xlsx, docx, zip: every member
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "ignore") for name in archive.namelist())
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "ignore")


class Walk:
    def __init__(self, role: str, user, full: set[str], accounts: set[str]):
        self.role, self.user, self.full = role, user, full
        # The city sees no bank account at all, not even masked.
        self.forbidden_masked = (
            {f"**** **** {a[-4:]}" for a in accounts} if role == "city_supervisor" else set()
        )
        self.leaks: dict[str, list[str]] = {}
        self.errors: dict[str, int] = {}
        self.client = self._client()
        self.api = APIClient()
        self.api.force_authenticate(user)

    def _client(self):
        from django.test import Client

        client = Client()
        client.force_login(self.user)
        return client

    def check(self, surface: str, label: str, response, *, logged: bool = False) -> None:
        """`logged`: the request wrote its reason to the access log (a reveal, a bank file): the one
        way a full value may leave (the city's masked accounts never may)."""
        FIGURES["requests"] += 1
        FIGURES["surfaces"].add(surface)
        text = body_text(response)
        full = sorted(v for v in self.full if v in text)
        if full and logged:
            FIGURES["logged_reveals"] += 1
            full = []
        leaked = full + sorted(v for v in self.forbidden_masked if v in text)
        FIGURES["full_values"] += len(leaked)
        if leaked:
            self.leaks[label] = leaked
        if response.status_code >= 500:
            self.errors[label] = response.status_code

    def request(self, surface: str, method: str, url: str, data=None, *, api: bool = False, **extra):
        """One request in a rolled-back savepoint (an action or posted form changes nothing)."""
        client = self.api if api else self.client
        with transaction.atomic():
            if api:
                response = getattr(client, method)(url, data, format="json")
            else:
                response = getattr(client, method)(url, data or {}, **extra)
            logged = AccessLog.objects.filter(user=self.user).exclude(reason="").exists()  # this request
            self.check(surface, f"{method.upper()} {url}", response, logged=logged)
            transaction.set_rollback(True)
        return response


# ------------------------------------------------------------------ the admin


def _fill(form: forms.BaseForm) -> dict:
    """A form's defaults as a browser would post them (first choice for a required choice)."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
            data[name] = [] if value is None else value
            continue
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
            continue
        if value in (None, "") and isinstance(field, forms.ModelChoiceField) and field.required:
            first = field.queryset.first()
            value = first.pk if first is not None else ""
        elif value in (None, "") and isinstance(field, forms.ChoiceField) and field.required:
            value = next((key for key, _ in field.choices if key not in ("", None)), "")
        data[name] = "" if value is None else value
    return data


def _has_file_field(form) -> bool:
    return any(isinstance(f, forms.FileField) for f in form.fields.values())


def _custom_patterns(model_admin) -> list[URLPattern]:
    return [
        p
        for p in model_admin.get_urls()
        if isinstance(p, URLPattern)
        and p.name
        and not p.name.endswith(STANDARD_VIEWS)
        and "(?P" not in str(p.pattern)
    ]


def walk_admin(walk: Walk) -> None:
    request = RequestFactory().get("/admin/")
    request.user = walk.user
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        surface = f"admin {opts.app_label}.{opts.model_name}"
        walk.request(f"{surface} changelist", "get", base)
        objects = list(model_admin.get_queryset(request).order_by("-pk")[:OBJECTS_PER_ADMIN])
        for obj in objects:
            walk.request(f"{surface} change", "get", f"{base}{obj.pk}/change/")
            walk.request(f"{surface} history", "get", f"{base}{obj.pk}/history/")
        for pattern in _custom_patterns(model_admin):
            route = str(pattern.pattern)
            targets = objects if _ARG.search(route) else [None]
            for obj in targets:
                url = base + _ARG.sub(str(obj.pk) if obj is not None else "", route)
                name = f"{surface} {pattern.name}"
                response = walk.request(name, "get", url)
                form = (response.context or {}).get("form") if response.status_code == 200 else None
                download_form = isinstance(form, forms.BaseForm) and not isinstance(form, forms.ModelForm)
                if download_form and not _has_file_field(form):
                    walk.request(f"{name} (posted)", "post", url, _fill(form))
        if objects:
            for action in model_admin.get_actions(request):
                walk.request(
                    f"{surface} action {action}",
                    "post",
                    base,
                    {"action": action, "_selected_action": [o.pk for o in objects], "index": 0},
                )


# ------------------------------------------------------------------ the rest of the resolver


def _pages_outside_admin_and_api(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if not route.startswith(("admin/", "api/")):
                yield from _pages_outside_admin_and_api(pattern, route)
        elif not route.startswith(("admin/", "api/")) and "(?P" not in route and "^" not in route:
            yield route


def walk_pages(walk: Walk, world) -> None:
    """Pages outside the admin and the API: region codes from the seed, and `<pk>` of the phone
    pages (m/h/<pk>/: a household, m/lead/<pk>/: a lead) by the segment before it."""
    values = {"village_code": world.region.code, "code": world.region.code, "county_code": world.county.code}
    objects = {"h": world.household.pk, "lead": world.lead.pk}
    for route in _pages_outside_admin_and_api():
        names = [name for _, name in _ARG.findall(route)]
        segment = route.split("<")[0].rstrip("/").rsplit("/", 1)[-1]
        local = {**values, "pk": objects.get(segment)}
        if any(local.get(name) is None for name in names):
            continue
        url = "/" + _ARG.sub(lambda m, local=local: str(local[m.group(2)]), route)
        walk.request(f"page {route}", "get", url)


def walk_api(walk: Walk, world) -> None:
    for row in ROWS:
        url = row.url(world)
        payload = row.payload(world) if callable(row.payload) else row.payload
        walk.request(f"api {row.name}", row.method, url, payload, api=True)
    for url in [*LISTS, *COUNTY_LISTS]:
        walk.request(f"api {url}", "get", url, api=True)


def walk_ledgers(walk: Walk) -> None:
    try:
        keys = [key for key, _ in exporting.ledger_choices(walk.user)]
    except Exception:  # noqa: BLE001 - a role without ledgers
        return
    for key in keys:
        with transaction.atomic():
            outcome = exporting.start_export(user=walk.user, key=key)
            if outcome.path:
                with open(outcome.path, "rb") as handle:
                    response = _FileAnswer(handle.read())
                walk.check(f"ledger {key}", f"ledger {key}", response)
            transaction.set_rollback(True)


class _FileAnswer:
    streaming, status_code = False, 200

    def __init__(self, content: bytes):
        self.content = content


# ------------------------------------------------------------------ the test


@pytest.mark.usefixtures("media")
@pytest.mark.parametrize("role", ROLES)
def test_scenario_65_every_surface_masked_for_every_role(role, request, village_a, county_admin):
    world = seed(village_a, county_admin)
    user = world.helper_user if role == "helper" else request.getfixturevalue(role)
    full = stored_full_values()
    accounts = {v for v in full if len(v) >= 16 and v.startswith("62")}
    walk = Walk(role, user, full, accounts)
    before = FIGURES["requests"]
    if user.is_staff:
        walk_admin(walk)
    walk_pages(walk, world)
    walk_api(walk, world)
    walk_ledgers(walk)
    FIGURES["by_role"][role] = FIGURES["requests"] - before
    assert walk.errors == {}, f"server errors ({role})"
    assert walk.leaks == {}, f"full values where the policy masks them ({role})"


def test_scenario_65_a_full_value_leaves_only_by_a_reasoned_logged_reveal(village_a, county_admin, client):
    world = seed(village_a, county_admin)
    head = world.member
    client.force_login(county_admin)
    url = f"/admin/households/member/{head.pk}/reveal/"
    assert head.id_no not in client.get(url).content.decode()
    assert head.id_no in client.post(url, {"reason": "核对户籍"}).content.decode()
    log = AccessLog.objects.get(user=county_admin)
    assert (log.user, log.reason, log.record_id) == (county_admin, "核对户籍", head.pk)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_every_admin_and_inline_of_a_model_with_personal_fields_applies_the_policy():
    """By structure: an admin (or inline) of a model declaring personal fields — a proxy included,
    found through its concrete model — inherits the masking mixin, so nobody lists it."""
    from core.admin.scoping import PrivacyAdminMixin

    missing = []
    for model, model_admin in admin.site._registry.items():
        for candidate in [model_admin, *model_admin.inlines]:
            target = model if candidate is model_admin else candidate.model
            cls = candidate if isinstance(candidate, type) else type(candidate)
            if privacy.fields_of(target) and not issubclass(cls, PrivacyAdminMixin):
                missing.append(f"{cls.__name__} ({target._meta.label_lower})")
    assert missing == []


def test_every_ledger_column_of_identifying_data_declares_its_kind():
    """A ledger masks by its columns' declared kinds (write_ledger), never by hand in a row source;
    a column whose header names an ID number, a card or an account without a kind fails here."""
    from reports.ledgers.base import Ledger

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    undeclared = [
        f"{ledger.__name__}: {column.header}"
        for ledger in subclasses(Ledger)
        for column in ledger.columns
        if re.search(r"身份证|证号|账号", column.header) and column.personal is None
    ]
    assert undeclared == []


def test_every_serializer_of_personal_fields_masks_them():
    """Every model serializer the API registers that outputs a declared personal field masks it
    through core.api.privacy.MaskedFieldsMixin (by structure: no serializer masks by hand)."""
    from rest_framework import serializers

    from core.api.privacy import MaskedFieldsMixin

    get_resolver().url_patterns  # noqa: B018 - imports every API module

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    unmasked = []
    for serializer in set(subclasses(serializers.ModelSerializer)):
        meta = getattr(serializer, "Meta", None)
        model = getattr(meta, "model", None)
        if model is None or serializer.__module__.split(".")[0] not in {
            "core",
            "households",
            "programs",
            "assistance",
            "reports",
            "projects",
            "field",
        }:
            continue
        fields = getattr(meta, "fields", ())
        names = {f.name for f in model._meta.concrete_fields} if fields == "__all__" else set(fields)
        if set(privacy.fields_of(model)) & names and not issubclass(serializer, MaskedFieldsMixin):
            unmasked.append(f"{serializer.__module__}.{serializer.__name__}")
    assert unmasked == []

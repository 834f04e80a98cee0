"""Admin plumbing shared by every app: scope every queryset and every choice by the user's region."""

from __future__ import annotations

import json
import re
import secrets
from contextvars import ContextVar
from typing import ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property

from core import privacy, scoping
from core.idcard import normalize_id
from core.models import Region


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to EXACT_LIMIT rows, beyond that takes the planner's estimate.

    A county's changelist over a million households must not run COUNT(*) on every page view;
    `SELECT count(*) FROM (… LIMIT 10001)` stops early, and EXPLAIN answers in a millisecond."""

    EXACT_LIMIT = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "explain"):
            return super().count
        unordered = queryset.order_by()
        capped = unordered[: self.EXACT_LIMIT + 1].count()
        if capped <= self.EXACT_LIMIT:
            return capped
        try:
            plan = json.loads(unordered.explain(format="json"))
            estimate = int(plan[0]["Plan"]["Plan Rows"])
        except (ValueError, KeyError, IndexError, TypeError):
            return capped
        return max(estimate, capped)


ID_SEARCH_SESSION = "privacy_id_search:"
ID_LIKE = re.compile(r"\d{15}|\d{17}[\dXx]")
MASKED_TERM = re.compile(r"(\d{6})(\*{5,8})([\dXx]{4})")
ID_TAIL = re.compile(r"[*…]*(\d{4,6}|\d{3,5}[Xx])")

# The user a page is rendered for: masked columns are plain callables of the object.
_viewer: ContextVar = ContextVar("privacy_viewer", default=None)


def _masked_column(name: str, label: str):
    @admin.display(description=label)
    def column(self, obj) -> str:
        return privacy.mask_value(name, getattr(obj, name, ""), _viewer.get()) or "—"

    column.__name__ = f"masked_{name}"
    return column


def _swap(fields, names: dict[str, str]):
    """The same (possibly nested) field list with personal fields replaced by their masked columns."""
    out = []
    for field in fields:
        if isinstance(field, (list, tuple)):
            out.append(tuple(_swap(field, names)))
        else:
            out.append(names.get(field, field) if isinstance(field, str) else field)
    return out


def masked_form(form_class, names: tuple[str, ...]):
    """The form shows stored identifying values masked; one submitted back unchanged keeps the
    stored value, a newly typed one replaces it (a township corrects a phone without seeing it)."""

    class MaskedForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name in names:
                stored = getattr(self.instance, name, "") if self.instance.pk else ""
                if name in self.fields and stored:
                    self.initial[name] = privacy.mask(privacy.FIELD_KINDS[name], stored)

        def clean(self):
            cleaned = super().clean()
            if self.instance.pk:
                privacy.keep_unchanged(cleaned, self.instance, [n for n in names if n in self.fields])
            return cleaned

    MaskedForm.__name__ = form_class.__name__
    return MaskedForm


_FINAL_HOOKS = ("get_list_display", "get_readonly_fields", "get_fieldsets", "get_exclude")


def _finalised(method, hook: str):
    """A subclass's own hook, with the policy applied to what it returns."""
    final = f"_final_{hook.removeprefix('get_')}"

    if hook == "get_list_display":

        def wrapper(self, request):
            return getattr(self, final)(request, None, method(self, request))
    else:

        def wrapper(self, request, obj=None, *args, **kwargs):
            result = method(self, request, obj, *args, **kwargs)
            if hook == "get_readonly_fields":
                result = list(result)
            return getattr(self, final)(request, obj, result)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    wrapper.__wrapped__ = method
    wrapper._privacy_final = True
    return wrapper


class PrivacyAdminMixin:
    """The personal-data policy on every admin page (households.privacy): lists, detail pages and
    inlines show identifying fields masked. Read-only pages show a masked column; a form the user
    may edit shows the masked value in an editable field (unchanged = stored value kept).
    `privacy_edit_form = True` marks the household edit form, where the village clerk sees its own
    草稿/村修正 entries in full."""

    privacy_edit_form = False

    masked_id_no = _masked_column("id_no", "身份证号")
    masked_payee_id_no = _masked_column("payee_id_no", "身份证号")
    masked_disability_card_no = _masked_column("disability_card_no", "残疾人证号")
    masked_bank_account = _masked_column("bank_account", "银行账号")
    masked_phone = _masked_column("phone", "联系电话")

    # -- search by full ID number without the number in a URL: the term waits in the session under
    # a random token (`?_idq=…`); a GET ?q=<ID number> is moved there at once (static/households/
    # id_search.js posts it instead, so it never reaches the address bar).

    def _id_search_fields(self) -> list[str]:
        return [
            f[1:]
            for f in (getattr(self, "search_fields", None) or ())
            if f.startswith("=") and f.endswith("id_no")
        ]

    def get_urls(self):
        urls = super().get_urls()
        if not self._id_search_fields():
            return urls
        from django.urls import path

        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_id_search"
        return [path("id-search/", self.admin_site.admin_view(self.id_search_view), name=name), *urls]

    def _stash_id_term(self, request, term: str):
        from django.http import HttpResponseRedirect

        token = secrets.token_urlsafe(9)
        request.session[f"{ID_SEARCH_SESSION}{token}"] = normalize_id(term)
        params = request.GET.copy()
        params.pop("q", None)
        params["_idq"] = token
        return HttpResponseRedirect(f"{request.path.removesuffix('id-search/')}?{params.urlencode()}")

    def id_search_view(self, request):
        from django.http import HttpResponseRedirect

        if request.method != "POST":  # a bookmark or the back button: the list, not an error page
            return HttpResponseRedirect(request.path.removesuffix("id-search/"))
        return self._stash_id_term(request, request.POST.get("q", ""))

    def changelist_view(self, request, extra_context=None):
        if self._id_search_fields():
            query = request.GET.get("q", "")
            if ID_LIKE.fullmatch(query.strip()):
                return self._stash_id_term(request, query.strip())
            token = request.GET.get("_idq")
            if token is not None:
                request.GET = request.GET.copy()
                del request.GET["_idq"]
                request._privacy_id_term = request.session.get(f"{ID_SEARCH_SESSION}{token}", "")
                if request._privacy_id_term:
                    messages.info(request, f"按身份证号 {privacy.mask_id(request._privacy_id_term)} 查找")
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        term = getattr(request, "_privacy_id_term", None)
        fields = self._id_search_fields()
        distinct = any("__" in f for f in fields)
        if term is None:
            # By what the pages show: a masked number (an autocomplete sends a typed full number
            # masked, core/id_autocomplete.js) or the last digits of one.
            masked = MASKED_TERM.fullmatch(search_term.strip()) if fields else None
            tail = ID_TAIL.fullmatch(search_term.strip()) if fields else None
            if masked is None and tail is None:
                return super().get_search_results(request, queryset, search_term)
            q = Q()
            for field in fields:
                if masked is not None:
                    head, stars, end = masked.groups()
                    q |= Q(**{f"{field}__startswith": head, f"{field}__endswith": end.upper()}) & Q(
                        **{f"{field}__regex": rf"^.{{{len(head) + len(stars) + len(end)}}}$"}
                    )
                else:
                    q |= Q(**{f"{field}__endswith": tail.group(1).upper()})
            found = queryset.filter(q)
            if tail is not None and not tail.group(0).startswith(("*", "…")):
                found = found | super().get_search_results(request, queryset, search_term)[0]
            return (found.distinct() if distinct else found), False
        q = Q()
        for field in fields:
            q |= Q(**{field: term})
        return queryset.filter(q).distinct() if distinct else queryset.filter(q), False

    @property
    def media(self):
        media = super().media
        if self._id_search_fields():
            media += forms.Media(js=["core/id_search.js"])
        if self.autocomplete_fields or any(i.autocomplete_fields for i in self.inlines):
            media += forms.Media(js=["core/id_autocomplete.js"])
        return media

    def _privacy_names(self, request) -> dict[str, str]:
        _viewer.set(request.user)
        return {name: f"masked_{name}" for name in privacy.fields_of(self.model)}

    def _privacy_mode(self, request, obj) -> str:
        """full (the edit-form exception), edit (masked, editable) or read (masked column)."""
        editable = self.has_change_permission(request, obj)
        parent = getattr(self, "parent_model", None)
        if editable and parent is not None and obj is not None:
            # An inline is read-only on a page its parent admin shows read-only.
            parent_admin = self.admin_site._registry.get(parent)
            editable = parent_admin is None or parent_admin.has_change_permission(request, obj)
        if obj is not None and not editable:
            return "read"
        if self.privacy_edit_form:
            # The record whose state decides: the household itself, or the household of a member.
            owner = obj if obj is None else getattr(obj, "household", obj)
            if privacy.full_in_form(request.user, owner):
                return "full"
        return "edit" if editable else "read"

    # The four hooks below are final: __init_subclass__ wraps a subclass's own override so its
    # result passes through them too (an admin that lists `id_no` among its read-only fields without
    # calling super() still shows the masked column). Each is idempotent.

    def _final_list_display(self, request, obj, result):
        return _swap(result, self._privacy_names(request))

    def _final_readonly_fields(self, request, obj, result):
        names = self._privacy_names(request)
        mode = self._privacy_mode(request, obj) if names else "full"
        if mode == "full":
            return result
        swapped = _swap(result, names)
        if mode == "read":  # every personal field of a read-only page is a masked column
            swapped += [m for m in names.values() if m not in swapped]
        return swapped

    def _readonly_swaps(self, request, obj) -> dict[str, str]:
        """The personal fields shown as masked read-only columns on this page."""
        names = self._privacy_names(request)
        if not names:
            return {}
        readonly = set(self.get_readonly_fields(request, obj))
        return {name: masked for name, masked in names.items() if masked in readonly}

    def _final_exclude(self, request, obj, result):
        names = self._readonly_swaps(request, obj)
        if not names:
            return result
        return [*(result or []), *(n for n in names if n not in (result or []))]

    def _final_fieldsets(self, request, obj, result):
        names = self._readonly_swaps(request, obj)
        if not names:
            return result
        out, seen = [], set()
        for title, opts in result:
            fields = []
            for row in _swap(opts["fields"], names):
                items = row if isinstance(row, tuple) else (row,)
                kept = tuple(f for f in items if not (isinstance(f, str) and f in seen))
                seen.update(f for f in kept if isinstance(f, str))
                if kept:
                    fields.append(kept if isinstance(row, tuple) else kept[0])
            out.append((title, {**opts, "fields": fields}))
        return out

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for hook in _FINAL_HOOKS:
            own = cls.__dict__.get(hook)
            if own is not None and not getattr(own, "_privacy_final", False):
                setattr(cls, hook, _finalised(own, hook))

    def get_list_display(self, request):
        return self._final_list_display(request, None, super().get_list_display(request))

    def get_exclude(self, request, obj=None):
        return self._final_exclude(request, obj, super().get_exclude(request, obj))

    def get_fieldsets(self, request, obj=None):
        return self._final_fieldsets(request, obj, super().get_fieldsets(request, obj))

    def get_readonly_fields(self, request, obj=None):
        return self._final_readonly_fields(request, obj, list(super().get_readonly_fields(request, obj)))

    def _masked_form_kwargs(self, request, obj, kwargs):
        names = tuple(n for n in self._privacy_names(request) if n not in self._readonly_swaps(request, obj))
        if names and self._privacy_mode(request, obj) == "edit":
            kwargs["form"] = masked_form(kwargs.get("form", self.form), names)
        return kwargs

    def get_form(self, request, obj=None, change=False, **kwargs):
        return super().get_form(request, obj, change=change, **self._masked_form_kwargs(request, obj, kwargs))

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, **self._masked_form_kwargs(request, obj, kwargs))


class ScopedAdminMixin(PrivacyAdminMixin):
    """Every queryset, foreign-key choice and autocomplete answer goes through scoping.scoped()."""

    show_full_result_count = False  # no second, unfiltered COUNT(*)
    paginator: ClassVar[type] = EstimatedCountPaginator  # and no exact COUNT(*) beyond 10,000 rows

    def get_queryset(self, request):
        return scoping.scoped(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is Region:
            qs = scoping.regions_for(request.user)
            limit = db_field.get_limit_choices_to()
            kwargs["queryset"] = qs.filter(**limit) if isinstance(limit, dict) else qs.filter(limit)
        elif scoping.is_scoped_model(related):
            kwargs["queryset"] = scoping.choices_for(related, request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Household data is never hard-deleted; people leave by status, households are archived.
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_fieldsets(self, request, obj=None):
        """A read-only list of codes (其他致贫原因) shows its Chinese names, not the stored codes."""
        fieldsets = super().get_fieldsets(request, obj)
        shown = getattr(self.model, "READONLY_LABELS", {})
        if obj is None or not shown:
            return fieldsets
        readonly = set(self.get_readonly_fields(request, obj))
        if self.has_change_permission(request, obj):
            shown = {field: label for field, label in shown.items() if field in readonly}
        if not shown:
            return fieldsets

        seen: set[str] = set()

        def swap(row):
            if isinstance(row, list | tuple):
                return type(row)(f for f in (swap(field) for field in row) if f)
            name = shown.get(row, row)
            if name in seen:
                return None
            seen.add(name)
            return name

        out = []
        for title, opts in fieldsets:
            rows = [row for row in (swap(row) for row in opts["fields"]) if row]
            out.append((title, {**opts, "fields": rows}))
        return out

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        for field, label in getattr(self.model, "READONLY_LABELS", {}).items():
            if field in fields and label not in fields:
                fields.append(label)
        return fields


class RoleAdminMixin(ScopedAdminMixin):
    """Everyone in scope may look; who may change is the role's business (each app's permissions module)."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)


class ScopedInlineMixin(ScopedAdminMixin):
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TownshipFilter(admin.SimpleListFilter):
    """Townships inside the user's scope only (a county has ~20; never all of China)."""

    title = "乡镇"
    parameter_name = "township"
    code_field = "village__code"

    def lookups(self, request, model_admin):
        prefix = scoping.region_prefix_for(request.user)
        if prefix is None or len(prefix) >= 9:
            return []
        from core.choices import RegionLevel

        qs = Region.objects.filter(level=RegionLevel.TOWNSHIP)
        if prefix:
            qs = qs.filter(code__startswith=prefix)
        elif qs.count() > 200:
            return []  # a province-wide admin narrows by search instead
        return [(r.code[:9], r.name) for r in qs.only("code", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) == 9:
            return queryset.filter(**{f"{self.code_field}__startswith": value})
        return queryset


class VillageFilter(admin.SimpleListFilter):
    """Villages of the chosen township (cascades from TownshipFilter), or of the user's township."""

    title = "村"
    parameter_name = "village"
    code_field = "village__code"

    def lookups(self, request, model_admin):
        from core.choices import RegionLevel

        prefix = scoping.region_prefix_for(request.user)
        township = request.GET.get("township", "")
        if prefix is None:
            return []
        if township.isdigit() and len(township) == 9 and township.startswith(prefix):
            base = township
        elif len(prefix) == 9:
            base = prefix
        else:
            return []
        qs = Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=base).only("code", "name")
        return [(r.code, r.name) for r in qs]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) == 12:
            return queryset.filter(**{f"{self.code_field}": value})
        return queryset


def scoped_field_filter(base: type[admin.SimpleListFilter], code_field: str) -> type[admin.SimpleListFilter]:
    """The same region filter for a model that reaches its village through a relation."""
    return type(f"{base.__name__}_{code_field}", (base,), {"code_field": code_field})


__all__ = [
    "EstimatedCountPaginator",
    "RoleAdminMixin",
    "ScopedAdminMixin",
    "ScopedInlineMixin",
    "TownshipFilter",
    "VillageFilter",
    "scoped_field_filter",
]

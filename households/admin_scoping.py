"""Admin plumbing shared by every app: scope every queryset and every choice by the user's region."""

from __future__ import annotations

import json

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from households import selectors
from households.models import Household, Region


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


class ScopedAdminMixin:
    """Every queryset, foreign-key choice and autocomplete answer goes through selectors.scoped()."""

    show_full_result_count = False  # no second, unfiltered COUNT(*)
    paginator = EstimatedCountPaginator  # and no exact COUNT(*) beyond 10,000 rows

    def get_queryset(self, request):
        return selectors.scoped(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is Region:
            qs = selectors.regions_for(request.user)
            limit = db_field.get_limit_choices_to()
            kwargs["queryset"] = qs.filter(**limit) if isinstance(limit, dict) else qs.filter(limit)
        elif related is Household:
            kwargs["queryset"] = selectors.households_for(request.user)
        elif related._meta.label_lower in selectors.REGION_CODE_PATHS or related._meta.label_lower == (
            "households.helperperson"
        ):
            kwargs["queryset"] = selectors.scoped(related._default_manager.all(), request.user)
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


class ScopedInlineMixin(ScopedAdminMixin):
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TownshipFilter(admin.SimpleListFilter):
    """Townships inside the user's scope only (a county has ~20; never all of China)."""

    title = "乡镇"
    parameter_name = "township"
    code_field = "village__code"

    def lookups(self, request, model_admin):
        prefix = selectors.region_prefix_for(request.user)
        if prefix is None or len(prefix) >= 9:
            return []
        from households.choices import RegionLevel

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
        from households.choices import RegionLevel

        prefix = selectors.region_prefix_for(request.user)
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
    "ScopedAdminMixin",
    "ScopedInlineMixin",
    "TownshipFilter",
    "VillageFilter",
    "scoped_field_filter",
]

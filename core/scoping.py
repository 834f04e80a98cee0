"""The one scoping function: every read or write of household data starts from `scoped()`, where a
user becomes a region-code prefix. A leak across regions is the worst bug this product can have.

Each floor registers how its models reach a 12-digit region code (`register_scope`, called from its
app's `ready()`); a model nobody registered cannot be scoped, and `scoped()` refuses it rather than
returning everything."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Q, QuerySet
from django.http import QueryDict

from core.choices import RegionLevel, Role

# How each scoped model reaches a 12-digit region code: a lookup path, or a function of the
# prefix that gives the Q (for rows that belong to a region *or* to the regions above it).
ScopePath = str | Callable[[str], Q]
REGION_CODE_PATHS: dict[str, ScopePath] = {
    "core.region": "code",
    "core.user": "region__code",
    # Review chain (core/workflow): events and notices carry the record's village code.
    "core.workflowevent": "region_code",
    "core.publicity": "region_code",
    "core.publicityobjection": "publicity__region_code",
    # Reveals and full-value exports: the region of the record (or of the exported ledger).
    "core.accesslog": "region_code",
}
# What a form may offer when it links to a scoped model, when that is narrower than every scoped
# row (a household form never offers an archived household).
_CHOICES: dict[str, Callable[[object], QuerySet]] = {}


def register_scope(
    model: type[models.Model], path: ScopePath, *, choices: Callable[[object], QuerySet] | None = None
) -> None:
    """Each app declares how its models reach a region code (e.g. a case via its household)."""
    REGION_CODE_PATHS[model._meta.label_lower] = path
    if choices is not None:
        _CHOICES[model._meta.label_lower] = choices


# Roles whose scope is not a region prefix: role → rule(queryset, user) → the rows that user may
# see. The registry registers the 帮扶责任人's rule (its assignments, households.helper_scope) in
# its AppConfig.ready(); `scoped()` applies it to every model, so no page filters by hand.
ScopeRule = Callable[[QuerySet, object], QuerySet]
SCOPE_RULES: dict[str, ScopeRule] = {}


def register_scope_rule(role: str, rule: ScopeRule) -> None:
    SCOPE_RULES[role] = rule


def _scope_rule(user) -> ScopeRule | None:
    if user is None or not user.is_authenticated or user.is_superuser:
        return None
    return SCOPE_RULES.get(user.role)


def is_scoped_model(model: type[models.Model]) -> bool:
    return model._meta.label_lower in REGION_CODE_PATHS


def region_prefix_for(user) -> str | None:
    """The region-code prefix a user may see: '' for everything, None for nothing (also for a role
    scoped by a rule rather than a region: no code path may widen a helper to their county)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser or user.role == Role.SYSTEM_ADMIN:
        return ""
    if user.role in SCOPE_RULES:
        return None
    region = user.region
    if region is None:
        return None
    return region.prefix


def scope_q(model: type[models.Model], prefix: str) -> Q:
    label = model._meta.label_lower
    path = REGION_CODE_PATHS.get(label)
    if path is None:
        raise LookupError(f"{label} has no region scope; register it with core.scoping.register_scope")
    if callable(path):
        return path(prefix)
    return Q(**{f"{path}__startswith": prefix})


def code_range_q(path: str, prefix: str) -> Q:
    """The codes starting with a (digits) prefix as a range, `prefix <= code < prefix + 1`: what a
    plain btree on the code answers in its own order. scope_q's LIKE needs a pattern-ops index,
    whose order is not the ORDER BY's, so a township's list ordered by village walked the whole
    county's index (417 ms for the last township of 1,000,000 households; 1.2 ms with the range).
    Digits only, so the bound compares alike in any collation."""
    if not prefix.isdigit():
        return Q()
    upper = str(int(prefix) + 1).zfill(len(prefix))
    if len(upper) > len(prefix):
        return Q(**{f"{path}__gte": prefix})
    return Q(**{f"{path}__gte": prefix, f"{path}__lt": upper})


def with_code_range(queryset: QuerySet, user, path: str) -> QuerySet:
    """A scoped list ordered by a region code (`path`): the user's scope as a range of that code's
    plain index too (code_range_q), so the plan reads the scope's part of the index in order."""
    prefix = region_prefix_for(user)
    return queryset.filter(code_range_q(path, prefix)) if prefix else queryset


def scoped(queryset: QuerySet, user) -> QuerySet:
    """Restrict any queryset of a scoped model to the user's region (or to the rows a role's rule
    allows, e.g. a helper's assigned households)."""
    rule = _scope_rule(user)
    if rule is not None:
        return rule(queryset, user) if user.is_active else queryset.none()
    prefix = region_prefix_for(user)
    if prefix is None:
        return queryset.none()
    if prefix == "":
        return queryset
    return queryset.filter(scope_q(queryset.model, prefix))


def choices_for(model: type[models.Model], user) -> QuerySet:
    """The rows of a scoped model a form may offer this user (a foreign-key choice, an autocomplete)."""
    choices = _CHOICES.get(model._meta.label_lower)
    if choices is not None:
        return choices(user)
    return scoped(model._default_manager.all(), user)


def is_in_scope(user, region_code: str) -> bool:
    prefix = region_prefix_for(user)
    return prefix is not None and region_code.startswith(prefix)


def ancestor_codes(prefix: str) -> list[str]:
    """Codes of the regions above a prefix (the county, city, province a user sits in)."""
    codes = []
    for length in (2, 4, 6, 9):
        if len(prefix) > length:
            codes.append(prefix[:length].ljust(12, "0"))
    return codes


def villages_for(user) -> QuerySet:
    from core.models import Region

    return scoped(Region.objects.filter(level=RegionLevel.VILLAGE), user)


def regions_for(user) -> QuerySet:
    from core.models import Region

    return scoped(Region.objects.all(), user)


# A county has hundreds to thousands of villages: pages listing every village of the scope show them
# a page at a time, optionally one township's (a city's 2,000 on one page took 0.15–0.45 s to read and
# render, bench/every_page.py).
VILLAGES_PER_PAGE = 100


@dataclass(frozen=True)
class VillagePage:
    """One page of the user's villages in code order (Region rows, their township selected), the
    townships to choose from (none when the scope has one), the chosen township's code, and the
    query strings of the pages before and after (the request's other parameters kept)."""

    page: Page
    townships: list
    township: str
    previous_query: str
    next_query: str


def village_page(user, params: QueryDict, per_page: int | None = None) -> VillagePage:
    """The villages of `user`'s scope for a page of `params` (`page`, `township`); a township outside
    the scope is ignored."""
    townships = list(regions_for(user).filter(level=RegionLevel.TOWNSHIP).order_by("code"))
    township = params.get("township", "")
    villages = villages_for(user).select_related("parent").order_by("code")
    if township in {t.code for t in townships}:
        villages = villages.filter(code__startswith=township[:9])
    page = Paginator(villages, per_page or VILLAGES_PER_PAGE).get_page(params.get("page"))

    def query(number: int) -> str:
        kept = params.copy()
        kept["page"] = str(number)
        return kept.urlencode()

    return VillagePage(
        page=page,
        townships=townships if len(townships) > 1 else [],
        township=township,
        previous_query=query(page.previous_page_number()) if page.has_previous() else "",
        next_query=query(page.next_page_number()) if page.has_next() else "",
    )

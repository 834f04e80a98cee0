"""Reads for programs: parameter lookups (INTERFACES.md "Parameters") and household facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from programs.models import Parameter
from programs.rules.params import ParameterMissing, ParameterSet, ParamVersion, region_prefixes, resolve


def _versions(queryset: QuerySet) -> list[ParamVersion]:
    return [p.as_version() for p in queryset]


def parameter_versions(
    *, region_code: str, keys: Iterable[str] | None = None, as_of: dt.date | None = None
) -> list[ParamVersion]:
    """Every version that could apply to region_code: its own prefixes up the tree (one query)."""
    qs = Parameter.objects.filter(region_prefix__in=region_prefixes(region_code))
    if keys is not None:
        qs = qs.filter(key__in=list(keys))
    if as_of is not None:
        qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=as_of), valid_from__lte=as_of)
    return _versions(qs)


def parameter_versions_under(*, region_prefix: str, keys: Iterable[str] | None = None) -> list[ParamVersion]:
    """All versions for a region and everything under it plus those inherited from above (one query):
    what a bulk evaluation or a what-if run of a county needs to resolve any of its villages."""
    scope = Q(region_prefix__in=region_prefixes(region_prefix)) | Q(region_prefix__startswith=region_prefix)
    qs = Parameter.objects.filter(scope)
    if keys is not None:
        qs = qs.filter(key__in=list(keys))
    return _versions(qs)


def parameters_for(*, region_code: str, as_of: dt.date, keys: Iterable[str] | None = None) -> ParameterSet:
    """key → value of the nearest region up the tree valid on as_of, with the version ids used."""
    keys = list(keys) if keys is not None else None
    versions = parameter_versions(region_code=region_code, keys=keys, as_of=as_of)
    return resolve(versions, region_code=region_code, as_of=as_of, keys=keys)


def parameter_value(key: str, *, region_code: str, as_of: dt.date) -> Any:
    """The value of one key; raises a Chinese ValidationError naming the key when none applies."""
    params = parameters_for(region_code=region_code, as_of=as_of, keys=[key])
    if key not in params:
        raise ParameterMissing(key, region_code, as_of)
    return params[key]


def parameters_visible_to(user) -> QuerySet:
    """Parameters a user may look at: their own scope and below, and everything inherited from above."""
    from households.selectors import region_prefix_for

    prefix = region_prefix_for(user)
    if prefix is None:
        return Parameter.objects.none()
    if prefix == "":
        return Parameter.objects.all()
    return Parameter.objects.filter(
        Q(region_prefix__startswith=prefix) | Q(region_prefix__in=region_prefixes(prefix))
    )

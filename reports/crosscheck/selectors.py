"""Reads of the cross-checks, every one from households.selectors.scoped()."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from core.models import Region
from core.scoping import scoped
from reports.crosscheck.choices import HitStatus, Severity
from reports.crosscheck.models import Hit

UNRESOLVED = (HitStatus.OPEN, HitStatus.ANSWERED)


def hits_for(user) -> QuerySet:
    return scoped(Hit.objects.all(), user)


def open_hits_for(user) -> QuerySet:
    """Unresolved 疑点 the user's level acts on: the village answers open ones, the township confirms
    answered ones; the county watches all unresolved ones. For the 工作台 to-do list."""
    from core.choices import Role
    from core.permissions import role_of

    role = role_of(user)
    hits = hits_for(user).select_related("village", "household", "member")
    if role == Role.VILLAGE_CLERK:
        return hits.filter(status=HitStatus.OPEN)
    if role == Role.TOWNSHIP_REVIEWER:
        return hits.filter(status=HitStatus.ANSWERED)
    return hits.filter(status__in=UNRESOLVED)


def counts_by_county(user) -> list[dict]:
    """Per county (in the user's scope): open / answered / closed / 高 unresolved / overdue (one query,
    plus one for the county names)."""
    today = timezone.localdate()
    rows = (
        hits_for(user)
        .annotate(county_prefix=Substr("village_id", 1, 6))
        .values("county_prefix")
        .annotate(
            open=Count("id", filter=Q(status=HitStatus.OPEN)),
            answered=Count("id", filter=Q(status=HitStatus.ANSWERED)),
            closed=Count("id", filter=Q(status=HitStatus.CLOSED)),
            high_unresolved=Count("id", filter=Q(status__in=UNRESOLVED, severity=Severity.HIGH)),
            overdue=Count("id", filter=Q(status=HitStatus.OPEN, deadline__lt=today)),
            total=Count("id"),
        )
        .order_by("county_prefix")
    )
    rows = list(rows)
    codes = [r["county_prefix"].ljust(12, "0") for r in rows]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        {
            **r,
            "region": r["county_prefix"].ljust(12, "0"),
            "region_name": names.get(r["county_prefix"].ljust(12, "0"), ""),
        }
        for r in rows
    ]

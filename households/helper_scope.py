"""The scope of a 帮扶责任人 (Role.HELPER): the households currently assigned to their HelperPerson
(HelperAssignment with start ≤ today ≤ end), and the rows that belong to those households — not a
region prefix. Registered with `selectors.scoped()` in HouseholdsConfig.ready(), so every page, API
and file that starts from scoped() is limited for helpers too. A household reassigned to another
helper leaves the old helper's scope the day the assignment ends.

How a model reaches its household is derived from its region path ("…household__village__code" →
"…household"); a row scoped by its village that also names a household (a monitoring lead, a 疑点)
is seen through that household — a helper sees the leads and 疑点 of their households, never a
village's rows without one. Any other model is invisible to helpers, except their own person, user
and their households' villages below."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.utils import timezone

HOUSEHOLD_SUFFIX = "household__village__code"
HOUSEHOLD = "households.household"


def assigned_household_ids(helper_person_id: int | None, today=None) -> QuerySet:
    """Ids of the households assigned to a helper today (a subquery, not a list)."""
    from households.models import HelperAssignment

    today = today or timezone.localdate()
    return (
        HelperAssignment.objects.filter(helper_id=helper_person_id, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .values("household_id")
    )


def household_path(model) -> str | None:
    """ "" for Household, "household" for a member or visit, "case__household" for a case …"""
    from core.scoping import REGION_CODE_PATHS

    label = model._meta.label_lower
    if label == HOUSEHOLD:
        return ""
    path = REGION_CODE_PATHS.get(label, "")
    if isinstance(path, str) and path.endswith(HOUSEHOLD_SUFFIX):
        return path[: -len("__village__code")]
    try:
        field = model._meta.get_field("household")
    except FieldDoesNotExist:
        return None
    if getattr(field.related_model, "_meta", None) and field.related_model._meta.label_lower == HOUSEHOLD:
        return "household"
    return None


def helper_scope(queryset: QuerySet, user) -> QuerySet:
    from households.models import Household

    if not user.helper_person_id:
        return queryset.none()
    ids = assigned_household_ids(user.helper_person_id)
    label = queryset.model._meta.label_lower
    if label == "households.helperperson":
        return queryset.filter(pk=user.helper_person_id)
    if label == "core.user":
        return queryset.filter(pk=user.pk)
    if label == "core.region":
        # the villages their households live in (names on cards), nothing above or beside them
        return queryset.filter(code__in=Household.objects.filter(pk__in=ids).values("village_id"))
    path = household_path(queryset.model)
    if path is None:
        return queryset.none()
    lookup = f"{path}__in" if path else "pk__in"
    return queryset.filter(**{lookup: ids})

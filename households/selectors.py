"""Reads of the registry. Every read starts from `core.scoping.scoped()`, the one place where a user
becomes a region-code prefix; the registry's models register their paths in `register_scopes()`."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.choices import ReviewState
from core.scoping import ancestor_codes, register_scope, scoped


def households_for(user) -> QuerySet:
    from households.models import Household

    return scoped(Household.objects.filter(archived_at__isnull=True), user)


def approved_q(household_path: str = "") -> Q:
    """The approved register (已入库): households the last review level stored and nobody archived.

    `household_path` leads from the queried model to its household ("" for Household itself,
    "household__" for a member, "case__household__" for a 渐退 …). Live rows of such a household
    are its approved version: a change request keeps the proposed values on its items until the
    last level approves (households.workflow.changes), so the rows stay as approved meanwhile.
    Drafts, records in review, and records the city reopened (市抽查异议) are not in the register."""
    path = household_path
    return Q(**{f"{path}review_state": ReviewState.VERIFIED, f"{path}archived_at__isnull": True})


def approved(queryset: QuerySet, user, household_path: str = "") -> QuerySet:
    """Rows of the approved register inside the user's scope: what ledgers and statistics count."""
    return scoped(queryset.filter(approved_q(household_path)), user)


def approved_households(user) -> QuerySet:
    """The households of the approved register the user may see."""
    from households.models import Household

    return approved(Household.objects.all(), user)


# How each registry model reaches a 12-digit region code (core.scoping).
REGISTRY_SCOPE_PATHS: dict[str, str] = {
    "Member": "village_code",  # the household's, denormalised (Member.village_code)
    "IncomeYear": "village_code",  # the household's, denormalised (IncomeYear.village_code)
    "HelperAssignment": "household__village__code",
    "Visit": "household__village__code",
    "VisitPhoto": "visit__household__village__code",
    "WorkTeam": "village__code",
    "WorkTeamMember": "team__village__code",
    "HouseholdReview": "village__code",
    "ChangeRequest": "household__village__code",
    "ChangeItem": "change_request__household__village__code",
    # Excel batches and jobs: the region of the user who made them.
    "ImportBatch": "region__code",
    "ResurveyFilter": "owner_region__code",
}


def _helper_scope(prefix: str) -> Q:
    # Helpers belong to a county; anyone inside that county (or above it) sees them.
    return Q(county__code__startswith=prefix) | Q(county_id__in=ancestor_codes(prefix))


def register_scopes() -> None:
    """Called from HouseholdsConfig.ready()."""
    from households import models

    for name, path in REGISTRY_SCOPE_PATHS.items():
        register_scope(getattr(models, name), path)
    # A form linking to a household never offers an archived one.
    register_scope(models.Household, "village__code", choices=households_for)
    register_scope(models.HelperPerson, _helper_scope)

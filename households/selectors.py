"""Reads of household data. Every read starts from `scoped()`: the one place where a user
becomes a region-code prefix. A leak across regions is the worst bug this product can have."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q, QuerySet

from households.choices import RegionLevel, ReviewState, Role
from households.models import BackupRun, Region

# How each scoped model reaches a 12-digit region code. A model not listed here cannot be
# scoped, and `scoped()` refuses it rather than returning everything.
REGION_CODE_PATHS: dict[str, str] = {
    "households.region": "code",
    "households.household": "village__code",
    "households.member": "household__village__code",
    "households.incomeyear": "household__village__code",
    "households.helperassignment": "household__village__code",
    "households.visit": "household__village__code",
    "households.visitphoto": "visit__household__village__code",
    "households.workteam": "village__code",
    "households.workteammember": "team__village__code",
    "households.user": "region__code",
    # Review chain (households/workflow): events and notices carry the record's village code.
    "households.householdreview": "village__code",
    "households.workflowevent": "region_code",
    "households.publicity": "region_code",
    "households.publicityobjection": "publicity__region_code",
    "households.changerequest": "household__village__code",
    "households.changeitem": "change_request__household__village__code",
    # Excel batches and jobs: the region of the user who made them.
    "households.importbatch": "region__code",
    "households.resurveyfilter": "owner_region__code",
    # Reveals and full-value exports: the region of the record (or of the exported ledger).
    "households.accesslog": "region_code",
}


def register_scope(model: type[models.Model], path: str) -> None:
    """Other apps declare how their models reach a region code (e.g. a case via its household)."""
    REGION_CODE_PATHS[model._meta.label_lower] = path


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
    if label == "households.helperperson":
        # Helpers belong to a county; anyone inside that county (or above it) sees them.
        return Q(county__code__startswith=prefix) | Q(county_id__in=_ancestor_codes(prefix))
    path = REGION_CODE_PATHS.get(label)
    if path is None:
        raise LookupError(f"{label} has no region scope; add it to REGION_CODE_PATHS")
    return Q(**{f"{path}__startswith": prefix})


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


def is_in_scope(user, region_code: str) -> bool:
    prefix = region_prefix_for(user)
    return prefix is not None and region_code.startswith(prefix)


def _ancestor_codes(prefix: str) -> list[str]:
    """Codes of the regions above a prefix (the county, city, province a user sits in)."""
    codes = []
    for length in (2, 4, 6, 9):
        if len(prefix) > length:
            codes.append(prefix[:length].ljust(12, "0"))
    return codes


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


def villages_for(user) -> QuerySet:
    return scoped(Region.objects.filter(level=RegionLevel.VILLAGE), user)


def regions_for(user) -> QuerySet:
    return scoped(Region.objects.all(), user)


@dataclass(frozen=True)
class BackupStatus:
    """The state of the backups for the county's 工作台: the last successful set, its age, and a
    failure newer than it. `alert` when there is none, it is too old, or the last run failed."""

    last_ok: BackupRun | None
    last_failed: BackupRun | None
    age: dt.timedelta | None
    alert: bool
    message: str


def _age_text(age: dt.timedelta) -> str:
    hours = int(age.total_seconds() // 3600)
    if hours < 1:
        return "不到 1 小时前"
    if hours < 48:
        return f"{hours} 小时前"
    return f"{hours // 24} 天前"


def latest_backup(now: dt.datetime | None = None) -> BackupStatus:
    """「最近一次备份：…」 with its age (not household data: the same for everyone who may see it)."""
    from django.conf import settings
    from django.utils import timezone

    now = now or timezone.now()
    last_ok = BackupRun.objects.filter(status=BackupRun.Status.OK).order_by("-started_at").first()
    failed = BackupRun.objects.filter(status=BackupRun.Status.FAILED)
    if last_ok is not None:
        failed = failed.filter(started_at__gt=last_ok.started_at)
    last_failed = failed.order_by("-started_at").first()
    if last_ok is None:
        age = None
        message = "最近一次备份：从未成功备份"
    else:
        age = now - last_ok.finished_at
        when = timezone.localtime(last_ok.finished_at).strftime("%Y-%m-%d %H:%M")
        message = f"最近一次备份：{when}（{_age_text(age)}）"
    too_old = age is None or age > dt.timedelta(hours=settings.BACKUP_MAX_AGE_HOURS)
    if too_old and last_ok is not None:
        message += f"，已超过 {settings.BACKUP_MAX_AGE_HOURS} 小时"
    if last_failed is not None:
        when = timezone.localtime(last_failed.started_at).strftime("%Y-%m-%d %H:%M")
        message += f"；{when} 的备份失败，请查看备份服务日志"
    return BackupStatus(last_ok, last_failed, age, too_old or last_failed is not None, message)

"""Writes for programs: parameter versions, stored eligibility results."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from programs.models import Parameter, VillagePopulation
from programs.parameter_keys import spec_for
from programs.rules.params import Kind

OUT_OF_SCOPE = "只能设置本级及下级区划的参数（您的范围：{prefix}）"
NOT_ALLOWED = "只有县级管理员可以设置政策参数"
SAME_START = "该区划范围已有 {start} 起生效的版本；如需更正，请在原版本上修改依据或另选生效日期"
VILLAGE_OUT_OF_SCOPE = "该村不存在或不在您的管辖范围内"
POPULATION_NOT_ALLOWED = "只有县级管理员可以登记村农业户籍人口"
STARTS_INSIDE_LATER = "该区划范围已有 {start} 起生效的版本，新版本的失效日期须早于该日"


def can_edit_parameters(user) -> bool:
    from core.choices import Role
    from core.permissions import role_of

    # The city supervisor is read-only (README's role table); it raises spot-check objections only.
    return role_of(user) in {Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN}


def can_edit_parameter_scope(user, region_prefix: str) -> bool:
    from core.scoping import region_prefix_for

    prefix = region_prefix_for(user)
    return can_edit_parameters(user) and prefix is not None and region_prefix.startswith(prefix)


@transaction.atomic
def set_parameter(
    *,
    key: str,
    value: str,
    valid_from: dt.date,
    source: str,
    region_prefix: str = "",
    valid_to: dt.date | None = None,
    unit: str | None = None,
    kind: str | None = None,
    note: str = "",
    user=None,
) -> Parameter:
    """Add a version from valid_from. The version of the same key and scope running on that day is
    closed on valid_from − 1, so every result for an earlier day stays as it was."""
    if user is not None and not can_edit_parameter_scope(user, region_prefix):
        from core.scoping import region_prefix_for

        if not can_edit_parameters(user):
            raise ValidationError(NOT_ALLOWED)
        raise ValidationError({"region_prefix": OUT_OF_SCOPE.format(prefix=region_prefix_for(user) or "无")})
    spec = spec_for(key)
    kind = kind or (spec.kind if spec else Kind.DECIMAL)
    unit = unit if unit is not None else (spec.unit if spec else "")
    same = Parameter.objects.select_for_update().filter(key=key, region_prefix=region_prefix)
    running = same.filter(valid_from__lt=valid_from).exclude(valid_to__lt=valid_from).first()
    if running is not None:
        if valid_to is None and running.valid_to is not None:
            valid_to = running.valid_to
        running.valid_to = valid_from - dt.timedelta(days=1)
        running.save(update_fields=["valid_to"])
    later = same.filter(valid_from__gte=valid_from).order_by("valid_from").first()
    if later is not None and later.valid_from == valid_from:
        raise ValidationError({"valid_from": SAME_START.format(start=valid_from)})
    if later is not None and valid_to is None:
        valid_to = later.valid_from - dt.timedelta(days=1)
    elif later is not None and valid_to >= later.valid_from:
        raise ValidationError({"valid_from": STARTS_INSIDE_LATER.format(start=later.valid_from)})
    parameter = Parameter(
        key=key,
        region_prefix=region_prefix,
        valid_from=valid_from,
        valid_to=valid_to,
        kind=kind,
        value=str(value),
        unit=unit,
        source=source,
        note=note,
        created_by=user,
    )
    parameter.full_clean()
    parameter.save()
    return parameter


# ---------------------------------------------------------------- village population (R5 denominator)


@transaction.atomic
def set_village_population(
    *, user, village, year: int, agricultural_population: int, source: str = ""
) -> tuple[VillagePopulation, bool]:
    """Record (or correct) a village's 农业户籍人口 for a year: county and city staff, inside their
    scope, as in the admin. Returns (row, created)."""
    from core.scoping import is_in_scope

    if not can_edit_parameters(user):
        raise PermissionDenied(POPULATION_NOT_ALLOWED)
    if not is_in_scope(user, village.code):
        raise ValidationError({"village": VILLAGE_OUT_OF_SCOPE})
    row, created = VillagePopulation.objects.select_for_update().get_or_create(
        village=village,
        year=year,
        defaults={"agricultural_population": agricultural_population, "source": source},
    )
    if not created:
        row.agricultural_population = agricultural_population
        row.source = source
        row.full_clean()
        row.save(update_fields=["agricultural_population", "source"])
    return row, created


# ---------------------------------------------------------------- eligibility results


def evaluate_household(*, household, as_of: dt.date, save: bool = True, approved_only: bool = True) -> list:
    """Every program's decision for one household on as_of; stored unless save=False.
    Returns [] when the household has no approved data (approved_only)."""
    from households.models import Household
    from programs.rules.engine import evaluate
    from programs.selectors import household_facts, parameters_for

    facts = household_facts(Household.objects.filter(pk=household.pk), approved_only=approved_only)
    if not facts:
        return []
    params = parameters_for(region_code=facts[0].village_code, as_of=as_of)
    decisions = evaluate(facts[0], as_of, params)
    if save:
        store_decisions(decisions={facts[0].id: decisions}, as_of=as_of)
    return decisions


@transaction.atomic
def store_decisions(*, decisions: dict, as_of: dt.date) -> int:
    """Store {household_id: decisions} through the one writer (programs.results); returns rows
    written. Safe to run twice: the same decisions give the same rows."""
    from programs.models import HouseholdEvaluation
    from programs.results import result_line, write_results

    # These rows may now differ from what the recalculation last wrote: it evaluates them afresh.
    HouseholdEvaluation.objects.filter(household_id__in=list(decisions)).delete()
    lines = [
        result_line(hid, d) for hid, household_decisions in decisions.items() for d in household_decisions
    ]
    return write_results(lines, as_of)


def recalculate(*, households, as_of: dt.date) -> int:
    """Decisions for a queryset of households (e.g. one primary-key range of the Celery job), stored
    set-based: three queries for facts, one for parameters, one upsert per 2,000 rows."""
    from programs.rules.engine import decide_all
    from programs.selectors import all_parameter_versions, household_facts

    facts = household_facts(households)
    decisions = decide_all(facts, versions=all_parameter_versions(), as_of=as_of)
    return store_decisions(decisions=decisions, as_of=as_of)

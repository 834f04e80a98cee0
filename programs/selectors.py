"""Reads for programs: parameter lookups (domain.md#parameters) and household facts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Value

from households.income import IncomeComponents
from programs.models import Parameter
from programs.rules.facts import MEMBER_FIELD_NAMES, Decision, HouseholdFacts, MemberFacts
from programs.rules.params import ParameterMissing, ParameterSet, ParamVersion, region_prefixes, resolve

ZERO_DECIMAL = Decimal("0.00")


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
    from core.scoping import region_prefix_for

    prefix = region_prefix_for(user)
    if prefix is None:
        return Parameter.objects.none()
    if prefix == "":
        return Parameter.objects.all()
    return Parameter.objects.filter(
        Q(region_prefix__startswith=prefix) | Q(region_prefix__in=region_prefixes(prefix))
    )


# ---------------------------------------------------------------- household facts

MEMBER_FIELDS = ("household_id", *MEMBER_FIELD_NAMES)  # MemberFacts' own field order
# The income year's components, then its checked financial assets (None: not checked; R7 asset test).
INCOME_FIELDS = (
    "household_id", "period_end", *[f.name for f in fields(IncomeComponents)], "financial_assets",
)  # fmt: skip


def _approved(households: QuerySet, approved_only: bool) -> QuerySet:
    from households.selectors import approved_q

    return households.filter(approved_q() if approved_only else Q(archived_at__isnull=True))


def _latest_incomes(ids: QuerySet, bounds: dict | None = None) -> dict[int, list[tuple]]:
    """The latest two income years per household (latest first), one query."""
    from households.models import IncomeYear

    incomes: dict[int, list[tuple]] = defaultdict(list)
    income_qs = IncomeYear.objects.filter(household__in=ids, **(bounds or {})).order_by(
        "household_id", "-period_end"
    )
    for row in income_qs.values_list(*INCOME_FIELDS):
        if len(incomes[row[0]]) < 2:
            incomes[row[0]].append(row)
    return incomes


def household_facts(
    households: QuerySet, *, as_of: dt.date | None = None, approved_only: bool = True
) -> list[HouseholdFacts]:
    """Plain facts for many households in three queries (households, active members, income years),
    whatever their number: the one loader of what the rules read, for every surface (eligibility
    results, the household's panel, what-if, the 低保 case's confirmation and recalculation).
    Approved data only by default: households that passed the review chain (已入库), not archived;
    members with status 正常; the latest income year begun by as_of (any, without as_of) and the one
    before it, for the monitoring rule."""
    from households.choices import MemberStatus
    from households.models import Member

    qs = _approved(households, approved_only)
    rows = list(
        qs.order_by("pk").values_list(
            "id",
            "village_id",
            "attribute",
            "poverty_status",
            "danger_level",
            "has_safe_water",
            "is_relocated",
        )
    )
    if not rows:
        return []
    # The id bounds repeat what the subquery implies: with them PostgreSQL range-scans the members
    # and incomes of these households instead of (in parallel) scanning a county's.
    ids = qs.values("pk")
    bounds = {"household_id__gte": rows[0][0], "household_id__lte": rows[-1][0]}
    members: dict[int, list[MemberFacts]] = defaultdict(list)
    member_qs = Member.objects.filter(
        household__in=ids, member_status=MemberStatus.NORMAL, **bounds
    ).order_by("household_id", "id")
    for row in member_qs.values_list(*MEMBER_FIELDS):
        members[row[0]].append(MemberFacts.from_row(row[1:]))
    if as_of is not None:
        bounds["period_start__lte"] = as_of
    incomes = _latest_incomes(ids, bounds)
    facts = []
    for hid, village, attribute, status, danger, water, relocated in rows:
        years = incomes.get(hid, [])
        facts.append(
            HouseholdFacts.from_values(
                id=hid,
                village_code=village,
                members=tuple(members.get(hid, ())),
                income=_components(years[0]) if years else None,
                income_period_end=years[0][1] if years else None,
                previous_income=_components(years[1]) if len(years) > 1 else None,
                financial_assets=years[0][-1] if years else None,
                attribute=attribute,
                poverty_status=status,
                danger_level=danger,
                has_safe_water=water,
                is_relocated=relocated,
            )
        )
    return facts


def household_income_bounds(
    households: QuerySet, *, approved_only: bool = True
) -> list[tuple[int, str, int, Any]]:
    """(id, village code, active persons, lower bound of the 低保-basis annual income of the latest
    income year or None) per household in three set-based queries, the sums done by the database: a
    conservative pre-filter (households.income.dibao_basis_lower_bound) before rules run."""
    from django.db.models import Count, F

    from households.choices import MemberStatus
    from households.income import DIBAO_LOWER_BOUND_SIGNS
    from households.models import IncomeYear, Member

    qs = _approved(households, approved_only)
    ids = qs.values("pk")
    bound = sum(
        (F(name) * sign for name, sign in DIBAO_LOWER_BOUND_SIGNS.items() if sign), start=Value(ZERO_DECIMAL)
    )
    persons = dict(
        Member.objects.filter(household__in=ids, member_status=MemberStatus.NORMAL)
        .order_by()
        .values("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )
    bounds = dict(
        IncomeYear.objects.filter(household__in=ids)
        .order_by("household_id", "-period_end")
        .distinct("household_id")
        .annotate(b=bound)
        .values_list("household_id", "b")
    )
    return [
        (hid, village, persons.get(hid, 0), bounds.get(hid))
        for hid, village in qs.order_by("pk").values_list("id", "village_id")
    ]


def household_income_rows(
    households: QuerySet, *, approved_only: bool = True
) -> list[tuple[int, str, int, IncomeComponents | None]]:
    """(id, village code, active persons, latest income) per household in three light queries: what a
    pre-test on income needs before loading members (the what-if loader)."""
    from django.db.models import Count

    from households.choices import MemberStatus
    from households.models import Member

    qs = _approved(households, approved_only)
    ids = qs.values("pk")
    counts = dict(
        Member.objects.filter(household__in=ids, member_status=MemberStatus.NORMAL)
        .order_by()
        .values("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )
    incomes = _latest_incomes(ids)
    return [
        (hid, village, counts.get(hid, 0), _components(incomes[hid][0]) if hid in incomes else None)
        for hid, village in qs.order_by("pk").values_list("id", "village_id")
    ]


def _components(row: tuple) -> IncomeComponents:
    return IncomeComponents.from_row(row[2:-1])


def all_parameter_versions() -> list[ParamVersion]:
    """Every stored version (the table holds hundreds of rows, not millions): one query."""
    return _versions(Parameter.objects.all())


def stored_results(*, household) -> QuerySet:
    from programs.models import EligibilityResult

    return EligibilityResult.objects.filter(household=household).select_related("program")


# ---------------------------------------------------------------- village indicators (R5)


@dataclass(frozen=True)
class VillageIndicator:
    code: str
    name: str
    households: int
    people: int
    not_exited_people: int
    agricultural_population: int | None
    region_class: str
    decision: Decision


# The member counts of village_indicators from a summary kept by an upper floor (reports registers
# its register summary's; without one, the members are counted live).
_village_counts: list = []


def register_village_counts(provider) -> None:
    """provider(user) → {village code: {"people", "households", "not_exited"}} of the user's scope."""
    _village_counts[:] = [provider]


def village_counts(user) -> dict[str, dict] | None:
    """The summary's counts, or None (village_indicators counts live): no provider, or a user whose
    scope is not a region (a helper's is their households, not villages)."""
    from core.scoping import region_prefix_for

    if not _village_counts or region_prefix_for(user) is None:
        return None
    return _village_counts[0](user)


def village_indicators(
    *,
    user,
    as_of: dt.date,
    year: int | None = None,
    codes: Iterable[str] | None = None,
    counts: dict[str, dict] | None = None,
) -> list[VillageIndicator]:
    """贫困发生率 of every village in the user's scope (or of those in `codes`, e.g. one API page)
    against its region class threshold (R5), in a fixed number of queries: villages, their
    ancestors' classes, member counts, populations, parameters. A caller holding the member counts
    already (the statistics summary in reports) passes them as `counts`:
    {village code: {"people", "households", "not_exited"}}, and no member is read."""
    from django.db.models import Count

    from core.choices import RegionLevel
    from core.models import Region
    from core.scoping import region_prefix_for, scoped
    from households.choices import MemberStatus
    from households.models import Member
    from households.selectors import approved
    from programs.models import VillagePopulation
    from programs.rules.engine import ParameterResolver
    from programs.rules.exit import decide_village_exit
    from programs.rules.facts import EXITED_STATUSES

    year = year or as_of.year
    village_rows = Region.objects.filter(level=RegionLevel.VILLAGE)
    if codes is not None:
        codes = list(codes)
        village_rows = village_rows.filter(code__in=codes)
    villages = list(
        scoped(village_rows, user).order_by("code").values_list("code", "name", "exit_region_class")
    )
    ancestor_codes = {c[:n].ljust(12, "0") for c, _, _ in villages for n in (2, 4, 6, 9)}
    classes = dict(
        Region.objects.filter(code__in=ancestor_codes)
        .exclude(exit_region_class="")
        .values_list("code", "exit_region_class")
    )
    if counts is None:
        members = approved(Member.objects.filter(member_status=MemberStatus.NORMAL), user, "household__")
        if codes is not None:
            members = members.filter(household__village_id__in=codes)
        counts = {
            row["household__village_id"]: row
            for row in members.values("household__village_id").annotate(
                people=Count("id"),
                households=Count("household_id", distinct=True),
                not_exited=Count("id", filter=~Q(household__poverty_status__in=EXITED_STATUSES)),
            )
        }
    populations_of = VillagePopulation.objects.filter(year=year)
    if codes is not None:
        populations_of = populations_of.filter(village_id__in=codes)
    populations = dict(scoped(populations_of, user).values_list("village_id", "agricultural_population"))
    prefix = region_prefix_for(user) or ""
    resolver = ParameterResolver(parameter_versions_under(region_prefix=prefix), as_of)
    result = []
    for code, name, own_class in villages:
        region_class = own_class or next(
            (classes[a] for n in (9, 6, 4, 2) if (a := code[:n].ljust(12, "0")) in classes), ""
        )
        row = counts.get(code, {"people": 0, "households": 0, "not_exited": 0})
        decision = decide_village_exit(
            not_exited_people=row["not_exited"],
            agricultural_population=populations.get(code),
            region_class=region_class,
            params=resolver(code),
        )
        result.append(
            VillageIndicator(
                code=code,
                name=name,
                households=row["households"],
                people=row["people"],
                not_exited_people=row["not_exited"],
                agricultural_population=populations.get(code),
                region_class=region_class,
                decision=decision,
            )
        )
    return result

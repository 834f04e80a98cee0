"""The cases of the one search (households.search): 低保 cases by a member of the household or the
户编号, 特困 cases and 两项补贴 by their person. Registered from AssistanceConfig.ready()."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from core.scoping import code_range_q, region_prefix_for, scoped
from households.search import NameKind, Query, Result, masked_id, member_tiers, register_kind, tiered

# A 低保 tier looks among the first PEOPLE_READ matching members of the scope (a subquery with a LIMIT:
# the plan reads them first, off the member indexes, then their households' cases). A common surname
# in a township (11,000 王) leaves the page full and "more" shown; a rarer one is read whole.
PEOPLE_READ = 1000


def _household_tiers(query: Query, user) -> list[Q]:
    from households.choices import MemberStatus
    from households.models import Member

    if query.kind == NameKind.NUMBER:
        return [Q(household__household_no=query.text), Q(household__household_no__startswith=query.text)]
    # The case's household among the scoped matching members' (their own village code): the plan
    # starts from those members. With EXISTS over unscoped members it read every 王 of the county,
    # or walked the county's households in id order, to find a township's cases (0.4–0.9 s with
    # 216,434 cases at 1,000,000 households, bench/search.py).
    members = scoped(Member.objects.filter(member_status=MemberStatus.NORMAL), user)
    tiers = member_tiers(query)
    return [
        Q(household_id__in=members.filter(q).order_by().values("household_id")[:PEOPLE_READ]) for q in tiers
    ]


def find_cases(query: Query, user, limit: int) -> tuple[list[Result], bool]:
    from assistance.models import DibaoCase, DisabilitySubsidy, TekunCase

    results: list[Result] = []
    more = False
    cases = scoped(DibaoCase.objects.all(), user)
    prefix = region_prefix_for(user)
    if prefix:
        # The scope as a range of the households' village index too: otherwise the plan may walk the
        # county's households in id order to meet the township's (core.scoping.code_range_q).
        cases = cases.filter(code_range_q("household__village_id", prefix))
    dibao, more_dibao = tiered(
        cases.select_related("household__village"),
        _household_tiers(query, user),
        limit,
    )
    heads = _heads([c.household_id for c in dibao])
    for case in dibao:
        results.append(
            Result(
                kind="case",
                pk=case.pk,
                title=f"低保 · {heads.get(case.household_id, '')}户",
                detail=f"{case.get_case_type_display()} · 户编号 {case.household.household_no}",
                masked_id=masked_id(user, heads.get(("id", case.household_id), "")),
                village=case.household.village.name,
                state=case.get_status_display(),
                url=reverse("admin:assistance_dibaocase_change", args=[case.pk]),
                household_id=case.household_id,
            )
        )
    more = more or more_dibao
    by_person = query.kind != NameKind.NUMBER or query.id_tail
    person_tiers = member_tiers(query, "member__", like=True) if by_person else []
    if prefix:  # the person's own village code too (see _household_tiers)
        person_tiers = [q & Q(member__village_code__startswith=prefix) for q in person_tiers]
    for model, label, url_name in (
        (TekunCase, "特困", "admin:assistance_tekuncase_change"),
        (DisabilitySubsidy, "两项补贴", "admin:assistance_disabilitysubsidy_change"),
    ):
        if len(results) >= limit or not person_tiers:
            more = more or bool(person_tiers)
            break
        rows, more_rows = tiered(
            scoped(model.objects.all(), user).select_related("member", "household__village"),
            person_tiers,
            limit - len(results),
        )
        more = more or more_rows
        results.extend(
            Result(
                kind="case",
                pk=row.pk,
                title=f"{label} · {row.member.name}",
                detail=f"户编号 {row.household.household_no}",
                masked_id=masked_id(user, row.member.id_no),
                village=row.household.village.name,
                state=row.get_status_display(),
                url=reverse(url_name, args=[row.pk]),
                household_id=row.household_id,
            )
            for row in rows
        )
    return results, more


def _heads(household_ids: list[int]) -> dict:
    """Head name by household id, and the head's ID number under ("id", household id)."""
    from households.choices import MemberStatus, Relation
    from households.models import Member

    out: dict = {}
    for hid, name, id_no in Member.objects.filter(
        household__in=household_ids, relation=Relation.HEAD, member_status=MemberStatus.NORMAL
    ).values_list("household_id", "name", "id_no"):
        out[hid] = name
        out[("id", hid)] = id_no
    return out


def register() -> None:
    register_kind("case", "救助案件", find_cases)

"""The cases of the one search (households.search): 低保 cases by a member of the household or the
户编号, 特困 cases and 两项补贴 by their person. Registered from AssistanceConfig.ready()."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from core.scoping import scoped
from households.search import NameKind, Query, Result, masked_id, member_tiers, register_kind, tiered


def _household_tiers(query: Query) -> list[Q]:
    from households.choices import MemberStatus
    from households.models import Member

    if query.kind == NameKind.NUMBER:
        return [Q(household__household_no=query.text), Q(household__household_no__startswith=query.text)]
    members = Member.objects.filter(household=OuterRef("household_id"), member_status=MemberStatus.NORMAL)
    return [Q(Exists(members.filter(q))) for q in member_tiers(query, like=True)]


def find_cases(query: Query, user, limit: int) -> tuple[list[Result], bool]:
    from assistance.models import DibaoCase, DisabilitySubsidy, TekunCase

    results: list[Result] = []
    more = False
    dibao, more_dibao = tiered(
        scoped(DibaoCase.objects.all(), user).select_related("household__village"),
        _household_tiers(query),
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

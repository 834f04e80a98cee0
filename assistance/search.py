"""The cases of the one search (households.search): 低保 cases by a member of the household or the
户编号, 特困 cases and 两项补贴 by their person. Registered from AssistanceConfig.ready().

One round trip for the three kinds: every kind's tiers are LIMIT reads of its scoped queryset
(households.search.tier_parts), all of them one UNION ALL whose rows carry what a result shows (the
head of a 低保 household by a subquery on the page's rows only), so no second read of the rows, of
their households' heads or of the next kind."""

from __future__ import annotations

from django.db.models import (
    CharField,
    F,
    IntegerField,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.urls import reverse

from core.scoping import scoped
from households.search import (
    NameKind,
    Query,
    Result,
    Tier,
    best_rows,
    ends_with,
    labels,
    masked_id,
    register_kind,
    search_tiers,
    tier_parts,
    union_rows,
)

# A 低保 tier looks among the first PEOPLE_READ matching members of the scope (a subquery with a LIMIT:
# the plan reads them first, off the member indexes, then their households' cases). A common surname
# in a township (11,000 王) leaves the page full and "more" shown; a rarer one is read whole.
PEOPLE_READ = 1000

# Each kind's columns, in this order: kind number, pk, household id, person's name, person's ID
# number, 户编号, village name, status, 低保 case type ("" for the others).
COLUMNS = (
    "case_kind",
    "pk",
    "household_id",
    "person",
    "person_id_no",
    "household_no",
    "village",
    "status",
    "ctype",
)


def _household_tiers(query: Query, user) -> list[Q | Tier]:
    from households.choices import MemberStatus
    from households.models import Member

    if query.kind == NameKind.NUMBER:
        return [Q(household__household_no=query.text), Q(household__household_no__startswith=query.text)]
    # The case's household among the scoped matching members' (their own village code): the plan
    # starts from those members. With EXISTS over unscoped members it read every 王 of the county,
    # or walked the county's households in id order, to find a township's cases (0.4–0.9 s with
    # 216,434 cases at 1,000,000 households, bench/search.py).
    # Each read in its index's order (search_tiers), so it stops at PEOPLE_READ. The exact matches
    # are a read of their own here (a member read yields them first, but the cases of its people
    # would all have to be read and sorted to put theirs first: 1,000 households for 王 in a county,
    # 10 ms, where a LIMIT read of cases stops after a hundred); for pinyin two, initials and full
    # pinyin (as one OR, the plan read a bitmap of every exact match: 3,889 `hx` in a city, 7–10 ms).
    members = scoped(Member.objects.filter(member_status=MemberStatus.NORMAL), user)

    def people(q: Q, order: OrderBy | None = None) -> Q:
        read = members.filter(q).order_by(*([order] if order else []))
        return Q(household_id__in=read.values("household_id")[:PEOPLE_READ])

    tiers: list[Q | Tier] = []
    for tier in search_tiers(query):
        if isinstance(tier.exact, Q):
            tiers.append(Tier(people(tier.exact), number=0))
        tiers.append(Tier(people(tier.q, tier.order), number=tier.number))
    return tiers


def _dibao(user) -> QuerySet:
    """低保 cases in scope (by the case's own village code) with their head's name and ID number."""
    from assistance.models import DibaoCase
    from households.choices import MemberStatus, Relation
    from households.models import Member

    head = Member.objects.filter(
        household_id=OuterRef("household_id"), relation=Relation.HEAD, member_status=MemberStatus.NORMAL
    ).order_by("-id")
    return scoped(DibaoCase.objects.all(), user).annotate(
        case_kind=Value(0, output_field=IntegerField()),
        person=Subquery(head.values("name")[:1]),
        person_id_no=Subquery(head.values("id_no")[:1]),
        household_no=F("household__household_no"),
        village=F("household__village__name"),
        ctype=F("case_type"),
    )


def _by_person(model, number: int, user) -> QuerySet:
    return scoped(model.objects.all(), user).annotate(
        case_kind=Value(number, output_field=IntegerField()),
        person=F("member__name"),
        person_id_no=F("member__id_no"),
        household_no=F("household__household_no"),
        village=F("household__village__name"),
        ctype=Value("", output_field=CharField()),
    )


def _person_tiers(query: Query) -> list[Q | Tier]:
    """A 特困 case's or a 两项补贴's person, by the keys copied onto the row (assistance.models.
    person_keys): each tier one range of the row's own index (key, village code), which the scope's
    village code bounds. A full ID number by the member's (only its tail is copied)."""
    if query.kind == NameKind.FULL_ID:
        return list(search_tiers(query, "member__"))
    if query.kind == NameKind.NUMBER:
        return [ends_with("person_id_tail", query.id_tail)] if query.id_tail else []
    return list(search_tiers(query, "person_"))


def find_cases(query: Query, user, limit: int) -> tuple[list[Result], bool]:
    from assistance.models import DibaoCase, DisabilitySubsidy, TekunCase

    person_tiers = _person_tiers(query)
    kinds = [
        (DibaoCase, "低保", "admin:assistance_dibaocase_change", _dibao(user), _household_tiers(query, user)),
        *(
            (model, label, url_name, _by_person(model, number, user), person_tiers)
            for number, (model, label, url_name) in enumerate(
                [
                    (TekunCase, "特困", "admin:assistance_tekuncase_change"),
                    (DisabilitySubsidy, "两项补贴", "admin:assistance_disabilitysubsidy_change"),
                ],
                start=1,
            )
        ),
    ]
    parts = [part for _, _, _, cases, tiers in kinds for part in tier_parts(cases, tiers, limit, *COLUMNS)]
    by_kind: dict[int, list[tuple]] = {}
    for row in union_rows(parts):
        by_kind.setdefault(row[0], []).append(row[1:])

    results: list[Result] = []
    more = False
    for number, (model, label, url_name, _, tiers) in enumerate(kinds):
        if number and (len(results) >= limit or not tiers):
            # The page is full of the kinds before: the people's kinds may have more.
            more = more or bool(tiers)
            break
        rows, more_rows = best_rows(by_kind.get(number, []), limit - len(results))
        more = more or more_rows
        statuses, case_types = labels(model, "status"), labels(DibaoCase, "case_type")
        for pk, household_id, person, id_no, household_no, village, status, ctype in rows:
            results.append(
                Result(
                    kind="case",
                    pk=pk,
                    title=f"{label} · {person or ''}户" if number == 0 else f"{label} · {person}",
                    detail=(f"{case_types.get(ctype, ctype)} · " if number == 0 else "")
                    + f"户编号 {household_no}",
                    masked_id=masked_id(user, id_no or ""),
                    village=village,
                    state=statuses.get(status, status),
                    url=reverse(url_name, args=[pk]),
                    household_id=household_id,
                )
            )
    return results, more


def register() -> None:
    register_kind("case", "救助案件", find_cases)

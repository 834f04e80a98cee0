"""One search for the admin header, the results page and `/api/v1/search/` (issue 28): households,
members and cases inside the user's scope (`core.scoping.scoped()`), by

- a Chinese name or any part of it (trigram index on the name; one or two characters match the
  start or the end of a name, the only patterns a trigram index answers for so few characters),
- full pinyin or pinyin initials (`wjg`, `wangjianguo`; households.pinyin keeps them stored),
- a 户编号 or any part of it (three characters or more),
- the last 4–6 digits of an ID number (or 5 digits and an X) or of a phone number (prefix of the
  reversed number: a btree answers it),
- a full ID number (15 or 18 digits): only from a POST body, never from a URL (core.privacy).

Each kind of result comes from a finder in KINDS; the registry's own (households, members) are here,
the cases are registered by assistance in its AppConfig.ready() (a lower floor does not import the
upper one). Matches are tiered — exact, then starting with, then containing — and each tier is read
in id order with a LIMIT, so a common surname over a county of 3 M members costs one index walk that
stops after a page, never a sort of every match. Identifying values leave masked (core.privacy)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Reverse
from django.db.models.lookups import StartsWith
from django.urls import reverse

from core import privacy
from core.idcard import normalize_id
from core.scoping import region_prefix_for, scoped

LIMIT = 20
MIN_LETTERS = 2  # one pinyin letter matches a tenth of a county

FULL_ID = re.compile(r"\d{15}|\d{17}[\dX]")
ID_TAIL = re.compile(r"\d{4,6}|\d{3,5}X")
DIGITS = re.compile(r"[0-9A-Za-z-]+")
LETTERS = re.compile(r"[a-z]+")
HAN = re.compile(r"[\u3400-\u9fff]")

FULL_ID_IN_URL = "完整身份证号请用搜索框提交（不放在网址中）"
TOO_SHORT = "请至少输入一个汉字、两个拼音字母或四位数字"


class NameKind:
    NAME = "name"  # Chinese characters
    PINYIN = "pinyin"  # letters: full pinyin or initials
    NUMBER = "number"  # digits: 户编号 part, ID or phone tail
    FULL_ID = "full_id"  # a whole ID number (POST only)
    NONE = "none"  # too short to search


@dataclass(frozen=True)
class Query:
    text: str
    kind: str

    @property
    def id_tail(self) -> str | None:
        return self.text if self.kind == NameKind.NUMBER and ID_TAIL.fullmatch(self.text) else None

    @property
    def phone_tail(self) -> str | None:
        return self.text if self.kind == NameKind.NUMBER and re.fullmatch(r"\d{4,6}", self.text) else None


def parse(text: str) -> Query:
    """What was typed → what to look for."""
    text = re.sub(r"\s+", "", text or "")
    upper = text.upper()
    if FULL_ID.fullmatch(upper):
        return Query(normalize_id(upper), NameKind.FULL_ID)
    if HAN.search(text):
        return Query(text, NameKind.NAME)
    if LETTERS.fullmatch(text.lower()):
        lower = text.lower()
        return Query(lower, NameKind.PINYIN if len(lower) >= MIN_LETTERS else NameKind.NONE)
    if DIGITS.fullmatch(text) and (len(text) >= 4 or ID_TAIL.fullmatch(upper)):
        return Query(upper if ID_TAIL.fullmatch(upper) else text, NameKind.NUMBER)
    return Query(text, NameKind.NONE)


@dataclass
class Result:
    kind: str
    pk: int
    title: str
    detail: str
    masked_id: str
    village: str
    state: str
    url: str
    household_id: int | None = None  # the household the result belongs to (the phone pages link to it)


@dataclass
class Group:
    kind: str
    label: str
    results: list[Result] = field(default_factory=list)
    more: bool = False


# ------------------------------------------------------------------------- the registry of kinds
Finder = Callable[[Query, object, int], tuple[list[Result], bool]]


@dataclass(frozen=True)
class SearchKind:
    name: str
    label: str
    find: Finder


KINDS: dict[str, SearchKind] = {}


def register_kind(name: str, label: str, find: Finder) -> None:
    """Called from an AppConfig.ready(): households and members here, cases by assistance."""
    KINDS[name] = SearchKind(name, label, find)


def search(text_or_query: str | Query, user, *, limit: int = LIMIT) -> list[Group]:
    """Every kind's first `limit` matches in the user's scope; empty groups are left out."""
    query = text_or_query if isinstance(text_or_query, Query) else parse(text_or_query)
    if query.kind == NameKind.NONE:
        return []
    groups = []
    for kind in KINDS.values():
        results, more = kind.find(query, user, limit)
        if results:
            groups.append(Group(kind.name, kind.label, results, more))
    return groups


# ------------------------------------------------------------------------- matching members
def member_tiers(query: Query, path: str = "") -> list[Q]:
    """The member conditions for a query, best first (exact, starting with, containing). `path`
    leads from the searched model to a member ("members__" from a household)."""
    t = query.text
    f = path
    if query.kind == NameKind.NAME:
        contains = Q(**{f"{f}name__contains": t}) if len(t) >= 3 else Q(**{f"{f}name__endswith": t})
        return [Q(**{f"{f}name": t}), Q(**{f"{f}name__startswith": t}), contains]
    if query.kind == NameKind.PINYIN:
        tiers = [
            Q(**{f"{f}name_initials": t}) | Q(**{f"{f}name_pinyin": t}),
            Q(**{f"{f}name_initials__startswith": t}) | Q(**{f"{f}name_pinyin__startswith": t}),
        ]
        if len(t) >= 3:
            tiers.append(Q(**{f"{f}name_pinyin__contains": t}))
        return tiers
    if query.kind == NameKind.FULL_ID:
        return [Q(**{f"{f}id_no": query.text})]
    if query.id_tail:
        return [Q(StartsWith(Reverse(f"{f}id_no"), query.id_tail[::-1]))]
    return []


def tiered(queryset: QuerySet, tiers: Iterable[Q], limit: int) -> tuple[list, bool]:
    """Rows of the best tiers first, at most `limit` (+ whether more exist). A tier is read without
    ORDER BY: an id-ordered LIMIT walks the county's index until the scope's rows turn up (seconds
    for the last township of 1,000,000 households, bench/search.py); its page is sorted by id."""
    found: list = []
    seen: set[int] = set()
    for q in tiers:
        need = limit + 1 - len(found)
        if need <= 0:
            break
        rows = sorted(queryset.filter(q).exclude(pk__in=seen).order_by()[:need], key=lambda r: r.pk)
        seen.update(r.pk for r in rows)
        found.extend(rows)
    return found[:limit], len(found) > limit


def masked_id(user, value: str) -> str:
    return privacy.shown(user, privacy.Kind.ID_NO, value)


def _household_url(pk: int) -> str:
    return reverse("admin:households_household_change", args=[pk])


def find_members(query: Query, user, limit: int) -> tuple[list[Result], bool]:
    from households.models import Member
    from households.selectors import households_for

    base = scoped(Member.objects.filter(household__archived_at__isnull=True), user).select_related(
        "household__village"
    )
    prefix = region_prefix_for(user)
    if prefix and len(prefix) == 12:
        # A village's few hundred households first: its members by their household index, instead
        # of the county's matches probed one by one for their village.
        base = base.filter(household_id__in=list(households_for(user).values_list("pk", flat=True)))
    rows, more = tiered(base, member_tiers(query), limit)
    return [
        Result(
            kind="member",
            pk=m.pk,
            title=m.name,
            detail=f"{m.get_relation_display()} · 户编号 {m.household.household_no}",
            masked_id=masked_id(user, m.id_no),
            village=m.household.village.name,
            state=m.get_member_status_display(),
            url=_household_url(m.household_id),
            household_id=m.household_id,
        )
        for m in rows
    ], more


def household_tiers(query: Query) -> list[Q]:
    """户编号 (exact, starting, containing), the phone's last digits, or the head's name."""
    from households.choices import MemberStatus, Relation
    from households.models import Member

    tiers: list[Q] = []
    if query.kind == NameKind.NUMBER:
        t = query.text
        tiers = [Q(household_no=t), Q(household_no__startswith=t)]
        if len(t) >= 3:
            tiers.append(Q(household_no__contains=t))
        if query.phone_tail:
            tiers.append(Q(StartsWith(Reverse("phone"), query.phone_tail[::-1])))
        return tiers
    heads = Member.objects.filter(
        household=OuterRef("pk"), relation=Relation.HEAD, member_status=MemberStatus.NORMAL
    )
    return [Q(Exists(heads.filter(q))) for q in member_tiers(query)]


def find_households(query: Query, user, limit: int) -> tuple[list[Result], bool]:
    from households.choices import MemberStatus, Relation
    from households.models import Member
    from households.selectors import households_for

    rows, more = tiered(households_for(user).select_related("village"), household_tiers(query), limit)
    heads = dict(
        Member.objects.filter(
            household__in=[h.pk for h in rows], relation=Relation.HEAD, member_status=MemberStatus.NORMAL
        ).values_list("household_id", "name")
    )
    return [
        Result(
            kind="household",
            pk=h.pk,
            title=f"{heads.get(h.pk, '（无户主）')}户",
            detail=f"户编号 {h.household_no}"
            + (f" · 电话 {privacy.shown(user, privacy.Kind.PHONE, h.phone)}" if h.phone else ""),
            masked_id="",
            village=h.village.name,
            state=f"{h.get_review_state_display()} · {h.get_poverty_status_display()}",
            url=_household_url(h.pk),
            household_id=h.pk,
        )
        for h in rows
    ], more


def register_kinds() -> None:
    """Called from HouseholdsConfig.ready()."""
    register_kind("household", "农户", find_households)
    register_kind("member", "家庭成员", find_members)

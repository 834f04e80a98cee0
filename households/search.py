"""One search for the admin header, the results page and `/api/v1/search/` (issue 28): households,
members and cases inside the user's scope (`core.scoping.scoped()`), by

- a Chinese name or any part of it (its start or its end by btrees; three characters or more
  inside it by the trigram index on the name),
- full pinyin or pinyin initials (`wjg`, `wangjianguo`; households.pinyin keeps them stored),
- a 户编号 or any part of it (three characters or more),
- the last 4–6 digits of an ID number (or 5 digits and an X) or of a phone number (prefix of the
  reversed number: a btree answers it),
- a full ID number (15 or 18 digits): only from a POST body, never from a URL (core.privacy).

Each kind of result comes from a finder in KINDS; the registry's own (households, members) are here,
the cases are registered by assistance in its AppConfig.ready() (a lower floor does not import the
upper one). Matches are tiered — exact, then starting with, then ending with, then containing — and
each tier is one LIMIT read of a btree whose first column is the search key and whose second is the
village code (Member.village_code, Household.village, the keys copied onto 特困 cases and 两项补贴;
"exact" and "starting with" one read in the key's order, Tier): a township's or a village's query
walks the key's range and skips other places' rows inside the index, stopping after a page; never a
sort of every match, never the county's matches joined to their households. The containing tier (three
characters or more) reads a trigram index, whose cost grows with the county: search() asks for it
only when no kind found anything in the other tiers. Identifying values leave masked (core.privacy)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Expression,
    F,
    Func,
    OrderBy,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Reverse
from django.db.models.lookups import StartsWith
from django.urls import reverse

from core import privacy
from core.idcard import normalize_id
from core.scoping import scoped

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
    # Containing matches too (trigram indexes): asked for only when nothing matched whole, by its
    # start or by its end (search()), and by the lists' search boxes.
    broad: bool = False

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
    groups = _groups(query, user, limit)
    if not groups and query.kind in (NameKind.NAME, NameKind.PINYIN, NameKind.NUMBER):
        # Nothing is, starts or ends with what was typed: look for it inside (欧阳娜娜 by `yangna`).
        # A second pass only then: a trigram read is the one tier whose cost grows with the county.
        groups = _groups(replace(query, broad=True), user, limit)
    return groups


def _groups(query: Query, user, limit: int) -> list[Group]:
    groups = []
    for kind in KINDS.values():
        results, more = kind.find(query, user, limit)
        if results:
            groups.append(Group(kind.name, kind.label, results, more))
    return groups


# ------------------------------------------------------------------------- matching members
class IndexOrder(OrderBy):
    """ORDER BY in a pattern-ops btree's own order (`USING ~<~`, byte order): the order of the search
    indexes (households.models), which the default collation's ORDER BY is not. (The comment is for
    Django, which finds each ORDER BY term by its ASC or DESC; `USING` takes neither.)"""

    template = "%(expression)s USING ~<~ /* ASC */"


class _PatternRange(Func):
    """`expression` starts with `low`: the range [low, high) by pattern operators (byte order, which
    UTF-8 keeps in code-point order). A btree with varchar_pattern_ops answers it as LIKE 'low%';
    a trigram index does not, so the planner cannot pick one for a common surname (for `王%` in a
    village it read 227,000 trigram entries, 35 ms, where the village's 1,561 rows were at hand)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, expression, low: str, high: str):
        super().__init__(expression, Value(low), Value(high))

    def as_sql(self, compiler, connection, **extra):
        lhs, low, high = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"({lhs[0]} ~>=~ {low[0]} AND {lhs[0]} ~<~ {high[0]})"
        return sql, [*lhs[1], *low[1], *lhs[1], *high[1]]


def _range_prefix(field_path: str, text: str) -> Q:
    """`field` starts with `text` (see _PatternRange)."""
    if ord(text[-1]) >= 0x10FFFF:
        return _like_prefix(field_path, text)
    return Q(_PatternRange(F(field_path), text, text[:-1] + chr(ord(text[-1]) + 1)))


def _like_prefix(field_path: str, text: str) -> Q:
    return Q(**{f"{field_path}__startswith": text})


def ends_with(field_path: str, text: str) -> Q:
    """`field` ends with `text`: a prefix of the reversed value, which a btree on reverse(field)
    answers (the indexes in households.models)."""
    return Q(StartsWith(Reverse(field_path), text[::-1]))


@dataclass(frozen=True)
class Tier:
    """One LIMIT read of a search: its condition, the order it is read in (the btree's, so the read
    stops at the LIMIT), its tier number (None: its place in the list), and the condition of its rows
    that are a better tier, 0 ("is" rather than "starts with"): a starts-with range read in key order
    yields the exact matches first, so the two tiers are one read (one part of the UNION fewer to
    plan and to compile)."""

    q: Q
    order: OrderBy | None = None
    number: int | None = None
    exact: Q | None = None


def _starts_or_is(field_path: str, text: str, starting: int, *, like: bool = False) -> Tier:
    starts_with = _like_prefix if like else _range_prefix
    return Tier(starts_with(field_path, text), IndexOrder(F(field_path)), starting, Q(**{field_path: text}))


def search_tiers(query: Query, path: str = "", *, like: bool = False) -> list[Tier]:
    """The reads of a search for people (members, heads, a case's people, a case's person by the keys
    copied onto it: `path` "member__" or "person_"), best first: 0 is, 1 starts with, 2 ends with, 3
    contains; for pinyin 0 is either, 1 initials start, 2 pinyin starts (initials and full pinyin
    apart, each one range of one index: an OR is a bitmap of both ranges, read whole before the
    LIMIT applies; `wang` starts 10% of names). Each is read in its index's order (a read with a
    LIMIT stops there) and each exact match with its starting-with range (Tier.exact).
    `like`: "starting with" as LIKE 'x%', whose selectivity the planner estimates, for conditions
    inside a join or a subquery (a list's search box); a read of the key's index itself takes the
    pattern range, which no trigram index answers."""
    f, t = path, query.text
    if query.kind == NameKind.NAME:
        tiers = [
            _starts_or_is(f"{f}name", t, 1, like=like),
            Tier(ends_with(f"{f}name", t), IndexOrder(Reverse(f"{f}name")), 2),
        ]
        if query.broad and len(t) >= 3:
            tiers.append(Tier(Q(**{f"{f}name__contains": t}), number=3))
        return tiers
    if query.kind == NameKind.PINYIN:
        tiers = [
            _starts_or_is(f"{f}name_initials", t, 1, like=like),
            _starts_or_is(f"{f}name_pinyin", t, 2, like=like),
        ]
        if query.broad and len(t) >= 3:
            tiers.append(Tier(Q(**{f"{f}name_pinyin__contains": t}), number=3))
        return tiers
    if query.kind == NameKind.FULL_ID:
        return [Tier(Q(**{f"{f}id_no": t}), number=0)]
    if query.id_tail:
        return [Tier(ends_with(f"{f}id_no", query.id_tail), IndexOrder(Reverse(f"{f}id_no")), 0)]
    return []


def tiered_values(
    queryset: QuerySet, tiers: Iterable[Q | Tier], limit: int, *fields: str
) -> tuple[list[tuple], bool]:
    """(key, *fields) of the best tiers' rows first, at most `limit` distinct keys (+ whether more
    exist); the key is the first of `fields` (the pk when none are given). One round trip: the tiers
    are one UNION ALL of LIMIT reads, each without ORDER BY (an id-ordered LIMIT walks the county's
    index until the scope's rows turn up), a key keeping its best tier; a tier's rows in key order.
    A tier past a full page costs one more short index range (cheaper on a shared server than a
    round trip a tier)."""
    parts = tier_parts(queryset, tiers, limit, *fields)
    return best_rows(union_rows(parts), limit)


def tier_parts(queryset: QuerySet, tiers: Iterable[Q | Tier], limit: int, *fields: str) -> list[QuerySet]:
    """One LIMIT read a tier: rows of (*fields, tier number), `limit` + 1 at most (see tiered_values).
    The parts of several querysets (a kind's models) may be read in one round trip (union_rows).
    The columns are set up once for all tiers, each tier adds its condition, its order and its number
    (two copies of the query a tier instead of five: the ORM's copying is much of a search's time)."""
    names = fields or ("pk",)
    base = queryset.order_by().annotate(search_tier=Value(0)).values_list(*names, "search_tier")
    parts = []
    for place, tier in enumerate(tiers):
        if not isinstance(tier, Tier):
            tier = Tier(tier)
        part = base.filter(tier.q)
        number: Expression = Value(place if tier.number is None else tier.number)
        if tier.exact is not None:
            number = Case(When(tier.exact, then=Value(0)), default=number)
        # The clone's own dict; an expression resolved against the part (its columns).
        part.query.annotations["search_tier"] = number.resolve_expression(part.query)
        if tier.order is not None:
            part.query.add_ordering(tier.order)
        parts.append(part[: limit + 1])
    return parts


def union_rows(parts: list[QuerySet]) -> list[tuple]:
    """The rows of tier_parts() (of one or several querysets with the same columns): one UNION ALL."""
    if not parts:
        return []
    return list(parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])


def best_rows(rows: Iterable[tuple], limit: int) -> tuple[list[tuple], bool]:
    """Rows of (key, *values, tier) → (key, *values) of the best tiers first, a key once (its best
    tier), in key order within a tier; at most `limit` (+ whether more exist)."""
    best: dict = {}
    for *values, tier in rows:
        key = values[0]
        if key not in best or tier < best[key][0]:
            best[key] = (tier, tuple(values))
    ordered = sorted(best.values(), key=lambda item: (item[0], item[1][0]))
    return [values for _, values in ordered[:limit]], len(ordered) > limit


def labels(model, field_name: str) -> dict:
    """Stored value → its Chinese name (what get_FOO_display() shows) for rows read as values."""
    return dict(model._meta.get_field(field_name).flatchoices)


def masked_id(user, value: str) -> str:
    return privacy.shown(user, privacy.Kind.ID_NO, value)


def _household_url(pk: int) -> str:
    return reverse("admin:households_household_change", args=[pk])


# What a member result shows, read with its tiers (no second read of the rows).
MEMBER_COLUMNS = (
    "pk", "name", "relation", "member_status", "id_no", "household_id", "household__household_no",
    "household__village__name",
)  # fmt: skip


def find_members(query: Query, user, limit: int) -> tuple[list[Result], bool]:
    from households.models import Member

    # Scoped by the member's own village code (core.scoping: households.selectors).
    base = scoped(Member.objects.filter(household__archived_at__isnull=True), user)
    rows, more = tiered_values(base, search_tiers(query), limit, *MEMBER_COLUMNS)
    relations, statuses = labels(Member, "relation"), labels(Member, "member_status")
    return [
        Result(
            kind="member",
            pk=pk,
            title=name,
            detail=f"{relations.get(relation, relation)} · 户编号 {household_no}",
            masked_id=masked_id(user, id_no),
            village=village,
            state=statuses.get(status, status),
            url=_household_url(household_id),
            household_id=household_id,
        )
        for pk, name, relation, status, id_no, household_id, household_no, village in rows
    ], more


def household_tiers(query: Query) -> list[Tier]:
    """户编号 (exact with starting, then ending), then the phone's last digits, then containing."""
    t = query.text
    later = [ends_with("household_no", t)]
    if query.phone_tail:
        later.append(ends_with("phone", query.phone_tail))
    if query.broad and len(t) >= 3:
        later.append(Q(household_no__contains=t))
    return [_starts_or_is("household_no", t, 1), *(Tier(q, number=n) for n, q in enumerate(later, 2))]


# What a household result shows (after its id and its head's name), read with its tiers.
HOUSEHOLD_COLUMNS = ("household_no", "phone", "village__name", "review_state", "poverty_status")


def _matching_households(query: Query, user, limit: int) -> tuple[list[tuple], bool]:
    """Households by number, or by their head's name or pinyin (the heads found like any member:
    search_tiers over the member indexes, scoped by the member's village code): rows of (id, head's
    name or None when not known yet, *HOUSEHOLD_COLUMNS)."""
    from households.choices import MemberStatus, Relation
    from households.models import Member
    from households.selectors import households_for

    if query.kind == NameKind.NUMBER:
        households = households_for(user).annotate(head=Value(None, output_field=CharField()))
        return tiered_values(households, household_tiers(query), limit, "pk", "head", *HOUSEHOLD_COLUMNS)
    # "relation LIKE 'head%'" (no other relation starts so) rather than "= 'head'": with the equality
    # the planner may walk the partial index of active heads (member_one_active_head) in household
    # order filtering every head of the county by name (27 ms for a rare surname, 符, in a county of
    # 1,000,000 households) instead of the name's range in member_name_village_idx (0.2 ms).
    # The member's scope is its household's (Member.village_code), so the households are in scope.
    heads = scoped(
        Member.objects.filter(
            relation__startswith=Relation.HEAD,
            member_status=MemberStatus.NORMAL,
            household__archived_at__isnull=True,
        ),
        user,
    )
    columns = [f"household__{name}" for name in HOUSEHOLD_COLUMNS]
    return tiered_values(heads, search_tiers(query), limit, "household_id", "name", *columns)


def find_households(query: Query, user, limit: int) -> tuple[list[Result], bool]:
    from households.choices import MemberStatus, Relation
    from households.models import Household, Member

    rows, more = _matching_households(query, user, limit)
    heads = {row[0]: row[1] for row in rows if row[1] is not None}
    missing = [row[0] for row in rows if row[1] is None]
    if missing:
        heads.update(
            Member.objects.filter(
                household__in=missing, relation=Relation.HEAD, member_status=MemberStatus.NORMAL
            ).values_list("household_id", "name")
        )
    review_states, statuses = labels(Household, "review_state"), labels(Household, "poverty_status")
    return [
        Result(
            kind="household",
            pk=pk,
            title=f"{heads.get(pk, '（无户主）')}户",
            detail=f"户编号 {household_no}"
            + (f" · 电话 {privacy.shown(user, privacy.Kind.PHONE, phone)}" if phone else ""),
            masked_id="",
            village=village,
            state=f"{review_states.get(review_state, review_state)} · {statuses.get(poverty, poverty)}",
            url=_household_url(pk),
            household_id=pk,
        )
        for pk, _, household_no, phone, village, review_state, poverty in rows
    ], more


# ------------------------------------------------------------------------- the admin lists' search box
def member_filter(query: Query) -> Q | None:
    """Every tier at once, for a list's search box (the member list): None when nothing is searched."""
    tiers = search_tiers(replace(query, broad=True), like=True)
    return _any(tiers) if tiers else None


def household_filter(query: Query, user) -> Q | None:
    """Households matching what was typed, for the household list's search box: the same matching
    as the search page (a member's name, pinyin or ID tail, any member of the household; the
    户编号 or the phone's last digits), every tier at once. None when nothing is searched."""
    from households.models import Member

    query = replace(query, broad=True)
    q: Q | None = None
    if query.kind == NameKind.NUMBER:
        q = _any(household_tiers(query))
    people = search_tiers(query, like=True)
    if people:
        members = scoped(Member.objects.filter(_any(people)), user).values("household_id")
        q = Q(pk__in=members) if q is None else q | Q(pk__in=members)
    return q


def _any(tiers: list[Tier]) -> Q:
    """Every tier at once (an exact match is inside its starting-with range)."""
    out = Q()
    for tier in tiers:
        out |= tier.q
    return out


def register_kinds() -> None:
    """Called from HouseholdsConfig.ready()."""
    register_kind("household", "农户", find_households)
    register_kind("member", "家庭成员", find_members)

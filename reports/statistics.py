"""Statistics of the 工作台 and of /api/v1/statistics/: one selector per statistic.

Every selector takes the user and, optionally, a region inside the user's scope (a drill-down), and
groups its figures one level below that region (city → counties, county → townships, township →
villages; a village is its own single group). The register figures read the approved register
(审核状态 已入库): a household with a pending change request counts as its stored, approved version,
because a change touches the live rows only when the last level approves it.

The figures come from the summaries of reports.refresh (kept equal to the database on every commit
and rebuilt nightly), so a county of 1,000,000 households answers at once; `tests/reports` compares
every selector with direct ORM counts."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from assistance.choices import PhaseOutStatus, Program
from assistance.models import PhaseOut
from core.choices import PREFIX_LENGTH, RegionLevel, ReviewState
from core.models import Region
from core.scoping import region_prefix_for, scoped
from households.choices import PovertyStatus
from programs.models import Parameter, VillagePopulation
from programs.rules.facts import EXITED_STATUSES
from programs.selectors import village_indicators
from reports import refresh
from reports.summary_models import RegisterSummary, RollSummary

# prefix length of a scope → prefix length of the groups one level below
CHILD_LENGTH = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12, 12: 12}
LEVEL_OF_LENGTH = {length: level for level, length in PREFIX_LENGTH.items()}
MONTHS = 12
INCIDENCE_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Scope:
    """The region a statistic covers (a prefix inside the user's scope) and its groups' level."""

    prefix: str
    name: str
    child_length: int

    @property
    def child_level_label(self) -> str:
        return RegionLevel(LEVEL_OF_LENGTH[self.child_length]).label


def scope_for(user, region_code: str = "") -> Scope:
    """The user's own scope, or a region inside it; a region outside it is not found (codes do not
    leak), a user without any scope is refused."""
    own = region_prefix_for(user)
    if own is None:
        raise PermissionDenied("无权查看统计")
    prefix = own
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None or not region.prefix.startswith(own):
            raise Http404("未找到该区划，或不在您的管辖范围内")
        prefix = region.prefix
    name = "全部" if not prefix else _names([prefix]).get(prefix, prefix)
    return Scope(prefix=prefix, name=name, child_length=CHILD_LENGTH[len(prefix)])


# One page asks several statistics of the same scope: within `shared_reads()` the region names and
# the "summary built" check are read once, not once per statistic.
_SHARED: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "reports_statistics_shared", default=None
)


@contextlib.contextmanager
def shared_reads():
    token = _SHARED.set({"names": {}, "built": set()})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _names(prefixes) -> dict[str, str]:
    shared = _SHARED.get()
    known = shared["names"] if shared is not None else {}
    codes = {p: p.ljust(12, "0") for p in prefixes if p not in known}
    if codes:
        found = dict(Region.objects.filter(code__in=codes.values()).values_list("code", "name"))
        known.update({p: found.get(code, p) for p, code in codes.items()})
    return {p: known[p] for p in prefixes}


def _summary(user, scope: Scope):
    shared = _SHARED.get()
    if shared is None or scope.prefix not in shared["built"]:
        refresh.ensure_built(scope.prefix)
        if shared is not None:
            shared["built"].add(scope.prefix)
    qs = scoped(RegisterSummary.objects.all(), user)
    if scope.prefix:
        qs = qs.filter(village__code__startswith=scope.prefix)
    return qs.annotate(group=Substr("village_id", 1, scope.child_length)).order_by()


def shared(name: str, user, scope: Scope, load):
    """One read per page: within shared_reads() (the 工作台 and the statistics page ask every
    statistic of one scope at once) a read several statistics share is made once."""
    reads = _SHARED.get()
    key = (name, scope.prefix, scope.child_length, region_prefix_for(user))
    if reads is not None and key in reads:
        return reads[key]
    value = load()
    if reads is not None:
        reads[key] = value
    return value


def _register(user, scope: Scope) -> list[dict]:
    """The register summary of the scope per group × review state × poverty status: households,
    persons, the seed 003 gaps, and the summary rows' count and newest refresh (incidence's cache
    fingerprint). One grouped read a page for 已入库户数/人数, 审核状态, 帮扶缺口, 产业项目 and the
    fingerprint, which each summed the same rows again (issue 28)."""
    return shared(
        "register",
        user,
        scope,
        lambda: list(
            _summary(user, scope)
            .values("group", "review_state", "poverty_status")
            .annotate(
                households=Sum("households"),
                persons=Sum("persons"),
                gap_industry=Sum("gap_industry"),
                gap_employment=Sum("gap_employment"),
                rows=Count("id"),
                refreshed=Max("refreshed_at"),
            )
        ),
    )


def _summed(rows: list[dict], keys: tuple[str, ...], values: tuple[str, ...]) -> list[dict]:
    """rows summed by `keys` (the rows of _register(), filtered by the caller)."""
    out: dict[tuple, dict] = {}
    for row in rows:
        group = out.setdefault(
            tuple(row[k] for k in keys), {**{k: row[k] for k in keys}, **dict.fromkeys(values, 0)}
        )
        for v in values:
            group[v] += row[v]
    return list(out.values())


def approved_register(user, scope: Scope) -> list[dict]:
    """_register()'s rows of the approved register (审核状态 已入库)."""
    return [r for r in _register(user, scope) if r["review_state"] == ReviewState.VERIFIED]


def _groups(rows, key_names: list[str], value_names: list[str], scope: Scope) -> list[dict]:
    """[{code, name, <key>: …, values…}] sorted by code, with region names."""
    rows = list(rows)
    names = _names({r["group"] for r in rows})
    return [
        {"code": r["group"], "name": names[r["group"]], **{k: r[k] for k in key_names + value_names}}
        for r in sorted(rows, key=lambda r: (r["group"], *(str(r[k]) for k in key_names)))
    ]


def poverty_status(user, region_code: str = "") -> list[dict]:
    """Approved households and persons by 脱贫状态, per group: [{code, name, status, households, persons}]."""
    scope = scope_for(user, region_code)
    rows = _summed(approved_register(user, scope), ("group", "poverty_status"), ("households", "persons"))
    result = _groups(rows, ["poverty_status"], ["households", "persons"], scope)
    for row in result:
        row["status"] = row.pop("poverty_status")
        row["status_label"] = PovertyStatus(row["status"]).label
    return result


def review_state(user, region_code: str = "") -> list[dict]:
    """Every registered household (all review states) per group: [{code, name, state, households}]."""
    scope = scope_for(user, region_code)
    rows = _summed(_register(user, scope), ("group", "review_state"), ("households",))
    result = _groups(rows, ["review_state"], ["households"], scope)
    for row in result:
        row["state"] = row.pop("review_state")
        row["state_label"] = ReviewState(row["state"]).label
    return result


def measure_gaps(user, region_code: str = "") -> list[dict]:
    """帮扶缺口 (seed 003 goals) of approved households per group:
    [{code, name, households, gap_industry, gap_employment}]."""
    scope = scope_for(user, region_code)
    rows = _summed(
        approved_register(user, scope), ("group",), ("households", "gap_industry", "gap_employment")
    )
    return _groups(rows, [], ["households", "gap_industry", "gap_employment"], scope)


def _village_counts(summary) -> dict[str, dict]:
    rows = summary.values("village_id").annotate(
        people=Sum("persons"),
        households=Sum("households"),
        not_exited=Sum("persons", filter=~Q(poverty_status__in=EXITED_STATUSES)),
    )
    return {
        r["village_id"]: {
            "people": r["people"],
            "households": r["households"],
            "not_exited": r["not_exited"] or 0,
        }
        for r in rows
    }


def village_counts(user) -> dict[str, dict]:
    """The member counts of the approved register per village of the user's scope, as
    programs.selectors.village_indicators reads them ({code: {people, households, not_exited}}), from
    the summary: the 贫困村退出指标 page counted a county's 3 M members live (6 s at 1,000,000
    households, issue 28). Registered with programs in ReportsConfig.ready()."""
    scope = scope_for(user)
    return _village_counts(_summary(user, scope).filter(review_state=ReviewState.VERIFIED))


def incidence(user, region_code: str = "", as_of: dt.date | None = None) -> list[dict]:
    """贫困发生率 of every village of the scope against its exit threshold (R5, parameters):
    [{code, name, group, not_exited_persons, persons, population, rate_pct, threshold_pct, meets}].
    rate_pct is None where the village's 农业户籍人口 is not registered; the population is that of the
    latest year registered in the scope up to as_of's year.

    Resolving the parameters of 2,000 villages costs more than reading their counts, so the result is
    cached under a fingerprint of everything it depends on: the scope's summary rows (their newest
    refresh), its registered populations and the parameter table."""
    as_of = as_of or timezone.localdate()
    scope = scope_for(user, region_code)
    summary = _summary(user, scope).filter(review_state=ReviewState.VERIFIED)
    approved = approved_register(user, scope)
    # 农业户籍人口 of the latest year registered up to as_of (a year's figure comes after the year ends)
    registered = scoped(VillagePopulation.objects.filter(year__lte=as_of.year), user)
    if scope.prefix:
        registered = registered.filter(village__code__startswith=scope.prefix)
    year = registered.aggregate(year=Max("year"))["year"] or as_of.year
    populations = registered.filter(year=year)
    fingerprint = (
        scope.prefix,
        region_prefix_for(user),
        as_of.isoformat(),
        year,
        {
            "at": max((r["refreshed"] for r in approved), default=None),
            "n": sum(r["rows"] for r in approved),
        },
        populations.aggregate(last=Max("id"), n=Count("id"), total=Sum("agricultural_population")),
        Parameter.objects.aggregate(last=Max("id"), n=Count("id")),
    )
    key = "reports.incidence." + hashlib.sha256(repr(fingerprint).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    counts = _village_counts(summary)
    codes = None  # the user's own scope: village_indicators scopes by itself
    if scope.prefix != (region_prefix_for(user) or ""):
        villages = Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=scope.prefix)
        codes = list(scoped(villages, user).values_list("code", flat=True))
    indicators = village_indicators(user=user, as_of=as_of, year=year, codes=codes, counts=counts)
    result = [
        {
            "code": ind.code,
            "name": ind.name,
            "group": ind.code[: scope.child_length],
            "not_exited_persons": ind.not_exited_people,
            "persons": ind.people,
            "population": ind.agricultural_population,
            "rate_pct": ind.decision.amounts.get("incidence_pct"),
            "threshold_pct": ind.decision.amounts.get("threshold_pct"),
            "meets": bool(ind.decision.eligible),
        }
        for ind in indicators
    ]
    cache.set(key, result, INCIDENCE_CACHE_SECONDS)
    return result


def incidence_by_group(rows: list[dict], scope: Scope) -> list[dict]:
    """Villages per group meeting the threshold, above it, and without a registered population."""
    groups: dict[str, dict] = defaultdict(lambda: {"meets": 0, "above": 0, "no_population": 0})
    for row in rows:
        g = groups[row["group"]]
        if row["rate_pct"] is None:
            g["no_population"] += 1
        elif row["meets"]:
            g["meets"] += 1
        else:
            g["above"] += 1
    names = _names(groups)
    return [{"code": code, "name": names[code], **groups[code]} for code in sorted(groups)]


def last_months(today: dt.date, n: int = MONTHS) -> list[dt.date]:
    first = today.replace(day=1)
    months = []
    for _ in range(n):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


def dibao_monthly(user, region_code: str = "", today: dt.date | None = None) -> list[dict]:
    """低保 paid by the confirmed rolls of the last 12 months: [{month, households, persons, amount}],
    one row per month (zeros where no roll was confirmed)."""
    today = today or timezone.localdate()
    scope = scope_for(user, region_code)
    refresh.summarize_rolls(scope.prefix)
    months = last_months(today)
    qs = scoped(
        RollSummary.objects.filter(program=Program.DIBAO, month__gte=months[0], month__lte=months[-1]), user
    )
    if scope.prefix:
        qs = qs.filter(village__code__startswith=scope.prefix)
    found = {
        r["month"]: r
        for r in qs.order_by()
        .values("month")
        .annotate(households=Sum("households"), persons=Sum("persons"), amount=Sum("amount"))
    }
    return [
        {
            "month": month.isoformat(),
            "households": found.get(month, {}).get("households") or 0,
            "persons": found.get(month, {}).get("persons") or 0,
            "amount": found.get(month, {}).get("amount") or Decimal("0.00"),
        }
        for month in months
    ]


def phase_outs(user, region_code: str = "") -> list[dict]:
    """低保渐退 in progress (渐退中) and proposed (拟渐退) per group: [{code, name, active, proposed}]."""
    scope = scope_for(user, region_code)
    qs = scoped(PhaseOut.objects.filter(status__in=[PhaseOutStatus.ACTIVE, PhaseOutStatus.PROPOSED]), user)
    if scope.prefix:
        qs = qs.filter(case__household__village__code__startswith=scope.prefix)
    rows = (
        qs.annotate(group=Substr("case__household__village_id", 1, scope.child_length))
        .order_by()
        .values("group")
        .annotate(
            active=Count("id", filter=Q(status=PhaseOutStatus.ACTIVE)),
            proposed=Count("id", filter=Q(status=PhaseOutStatus.PROPOSED)),
        )
    )
    return _groups(rows, [], ["active", "proposed"], scope)


# name in /api/v1/statistics/<name>/ → (selector, title)
STATISTICS = {
    "poverty-status": (poverty_status, "按脱贫状态统计户数、人数（已入库）"),
    "review-state": (review_state, "登记户审核状态"),
    "incidence": (incidence, "各村贫困发生率与退出标准"),
    "dibao-monthly": (dibao_monthly, "近12个月低保发放（已确认发放表）"),
    "phase-outs": (phase_outs, "低保渐退"),
    "measure-gaps": (measure_gaps, "帮扶缺口（产业、就业）"),
}


# 防返贫监测 (reports.statistics_monitoring) adds its statistics to STATISTICS when imported.
import reports.statistics_monitoring  # noqa: E402, F401

# 扶贫项目库 (reports.statistics_projects) too.
import reports.statistics_projects  # noqa: E402, F401

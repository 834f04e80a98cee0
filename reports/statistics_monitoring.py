"""防返贫监测 statistics of the 工作台 and of /api/v1/statistics/, one level below the scope like the
others (reports.statistics): 监测对象 by category and by risk type, 风险消除 rate, average days to
认定, leads by source with the open and overdue ones.

监测对象 are the approved identification records decided 纳入监测 (assistance.monitoring) of the
approved register — the rows of the 防返贫监测对象台账 (reports.ledgers.monitoring), so the two always
agree; a lead, or a record still in review, moves neither. Direct aggregates over indexed columns:
a 1,000,000-household county answers within the 工作台's second (bench/monitoring.py)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from assistance.monitoring.choices import Category, LeadSource, LeadStatus, RiskType
from assistance.monitoring.models import MonitoringLead, MonitoringRecord
from assistance.monitoring.selectors import episode_q
from core.scoping import scoped
from households.selectors import approved_q
from reports import statistics as stats


def monitored_records(user, scope: stats.Scope):
    """The 台账's rows in the scope: approved 纳入监测 identifications of approved households."""
    qs = scoped(MonitoringRecord.objects.filter(episode_q()).filter(approved_q("household__")), user)
    if scope.prefix:
        qs = qs.filter(household__village__code__startswith=scope.prefix)
    return qs.annotate(group=Substr("household__village_id", 1, scope.child_length)).order_by()


def _labelled(rows, key: str, choices) -> list[dict]:
    for row in rows:
        row[f"{key}_label"] = choices(row[key]).label
    return rows


_memo = stats.shared  # one read per page (reports.statistics.shared)


def _episodes(user, scope: stats.Scope) -> list[tuple]:
    """(group, category, risk types, eliminated, days to 认定) of every episode in the scope."""
    return _memo(
        "monitoring.episodes",
        user,
        scope,
        lambda: list(
            monitored_records(user, scope).values_list(
                "group", "category", "risk_types", "eliminated_on", "days_to_identify"
            )
        ),
    )


def _counted(pairs) -> list[dict]:
    counts: dict[tuple[str, str], int] = {}
    for pair in pairs:
        counts[pair] = counts.get(pair, 0) + 1
    return [{"group": g, "value": v, "households": n} for (g, v), n in counts.items()]


def monitoring_categories(user, region_code: str = "") -> list[dict]:
    """监测对象 per group and category: [{code, name, category, category_label, households}]."""
    scope = stats.scope_for(user, region_code)
    rows = [
        {"group": r["group"], "category": r["value"], "households": r["households"]}
        for r in _counted((group, category) for group, category, *_ in _episodes(user, scope))
    ]
    return _labelled(stats._groups(rows, ["category"], ["households"], scope), "category", Category)


def monitoring_risks(user, region_code: str = "") -> list[dict]:
    """监测对象 per group and risk type (a household with two risks counts under both):
    [{code, name, risk_type, risk_type_label, households}]."""
    scope = stats.scope_for(user, region_code)
    pairs = ((group, risk) for group, _, risks, *_ in _episodes(user, scope) for risk in risks)
    rows = [
        {"group": r["group"], "risk_type": r["value"], "households": r["households"]} for r in _counted(pairs)
    ]
    return _labelled(stats._groups(rows, ["risk_type"], ["households"], scope), "risk_type", RiskType)


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _lead_rows(user, scope: stats.Scope, today: dt.date) -> list[dict]:
    """Leads per group and source: counts in all, open and overdue (one query a page)."""
    overdue = Q(status=LeadStatus.OPEN, verify_deadline__lt=today) | Q(
        status=LeadStatus.IN_REVIEW, identify_deadline__lt=today
    )

    def load():
        qs = scoped(MonitoringLead.objects.all(), user)
        if scope.prefix:
            qs = qs.filter(village__code__startswith=scope.prefix)
        qs = qs.annotate(group=Substr("village_id", 1, scope.child_length)).order_by()
        return list(
            qs.values("group", "source").annotate(
                leads=Count("id"),
                open=Count("id", filter=~Q(status=LeadStatus.CLOSED)),
                overdue=Count("id", filter=overdue),
            )
        )

    return _memo(f"monitoring.leads.{today}", user, scope, load)


def monitoring_summary(user, region_code: str = "", today: dt.date | None = None) -> list[dict]:
    """Per group: 监测对象, 风险已消除, 风险消除率 (%), 平均认定用时 (days), leads in all, open and overdue:
    [{code, name, objects, eliminated, elimination_rate, avg_days_to_identify, leads, leads_open,
    leads_overdue}]."""
    today = today or timezone.localdate()
    scope = stats.scope_for(user, region_code)
    groups: dict[str, dict] = {}

    def group(code: str) -> dict:
        return groups.setdefault(
            code, {"objects": 0, "eliminated": 0, "days": 0, "timed": 0, "leads": 0, "open": 0, "overdue": 0}
        )

    for code, _, _, eliminated, days in _episodes(user, scope):
        g = group(code)
        g["objects"] += 1
        g["eliminated"] += eliminated is not None
        if days is not None:
            g["days"] += days
            g["timed"] += 1
    for row in _lead_rows(user, scope, today):
        g = group(row["group"])
        for key in ("leads", "open", "overdue"):
            g[key] += row[key]
    names = stats._names(groups)
    return [
        {
            "code": code,
            "name": names[code],
            "objects": g["objects"],
            "eliminated": g["eliminated"],
            "elimination_rate": _pct(g["eliminated"], g["objects"]),
            "avg_days_to_identify": (
                (Decimal(g["days"]) / g["timed"]).quantize(Decimal("0.1"), ROUND_HALF_UP)
                if g["timed"]
                else None
            ),
            "leads": g["leads"],
            "leads_open": g["open"],
            "leads_overdue": g["overdue"],
        }
        for code, g in sorted(groups.items())
    ]


def monitoring_leads(user, region_code: str = "", today: dt.date | None = None) -> list[dict]:
    """线索 per group and source: [{code, name, source, source_label, leads, open, overdue}]."""
    today = today or timezone.localdate()
    scope = stats.scope_for(user, region_code)
    rows = _lead_rows(user, scope, today)
    return _labelled(
        stats._groups(rows, ["source"], ["leads", "open", "overdue"], scope), "source", LeadSource
    )


STATISTICS = {
    "monitoring-categories": (monitoring_categories, "防返贫监测对象（按监测类别）"),
    "monitoring-risks": (monitoring_risks, "防返贫监测对象（按风险类型）"),
    "monitoring-summary": (monitoring_summary, "防返贫监测：风险消除率、平均认定用时、线索逾期"),
    "monitoring-leads": (monitoring_leads, "防返贫监测线索（按来源）"),
}
stats.STATISTICS.update(STATISTICS)

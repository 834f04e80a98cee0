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

from django.db.models import Avg, Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from assistance.monitoring.choices import Category, LeadSource, LeadStatus, RiskType
from assistance.monitoring.models import MonitoringLead, MonitoringRecord
from households.selectors import approved_q, scoped
from reports import statistics as stats


def monitored_records(user, scope: stats.Scope):
    """The 台账's rows in the scope: approved 纳入监测 identifications of approved households."""
    qs = scoped(
        MonitoringRecord.objects.filter(purpose="identify", decision="included").filter(
            approved_q("household__")
        ),
        user,
    )
    if scope.prefix:
        qs = qs.filter(household__village__code__startswith=scope.prefix)
    return qs.annotate(group=Substr("household__village_id", 1, scope.child_length)).order_by()


def _labelled(rows, key: str, choices) -> list[dict]:
    for row in rows:
        row[f"{key}_label"] = choices(row[key]).label
    return rows


def monitoring_categories(user, region_code: str = "") -> list[dict]:
    """监测对象 per group and category: [{code, name, category, category_label, households}]."""
    scope = stats.scope_for(user, region_code)
    rows = monitored_records(user, scope).values("group", "category").annotate(households=Count("id"))
    return _labelled(stats._groups(rows, ["category"], ["households"], scope), "category", Category)


def monitoring_risks(user, region_code: str = "") -> list[dict]:
    """监测对象 per group and risk type (a household with two risks counts under both):
    [{code, name, risk_type, risk_type_label, households}]."""
    scope = stats.scope_for(user, region_code)
    counts: dict[tuple[str, str], int] = {}
    for group, risks in monitored_records(user, scope).values_list("group", "risk_types"):
        for risk in risks:
            counts[(group, risk)] = counts.get((group, risk), 0) + 1
    rows = [{"group": g, "risk_type": r, "households": n} for (g, r), n in counts.items()]
    return _labelled(stats._groups(rows, ["risk_type"], ["households"], scope), "risk_type", RiskType)


def _pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def monitoring_summary(user, region_code: str = "", today: dt.date | None = None) -> list[dict]:
    """Per group: 监测对象, 风险已消除, 风险消除率 (%), 平均认定用时 (days), leads in all, open and overdue:
    [{code, name, objects, eliminated, elimination_rate, avg_days_to_identify, leads, leads_open,
    leads_overdue}]."""
    today = today or timezone.localdate()
    scope = stats.scope_for(user, region_code)
    objects = {
        r["group"]: r
        for r in monitored_records(user, scope)
        .values("group")
        .annotate(
            objects=Count("id"),
            eliminated=Count("id", filter=Q(eliminated_on__isnull=False)),
            avg_days=Avg("days_to_identify"),
        )
    }
    leads = {
        r["group"]: r for r in _leads(user, scope, today).values("group").annotate(**_lead_counts(today))
    }
    result = []
    names = stats._names(set(objects) | set(leads))
    for code in sorted(names):
        o, lead = objects.get(code, {}), leads.get(code, {})
        avg = o.get("avg_days")
        result.append(
            {
                "code": code,
                "name": names[code],
                "objects": o.get("objects", 0),
                "eliminated": o.get("eliminated", 0),
                "elimination_rate": _pct(o.get("eliminated", 0), o.get("objects", 0)),
                "avg_days_to_identify": None
                if avg is None
                else Decimal(avg).quantize(Decimal("0.1"), ROUND_HALF_UP),
                "leads": lead.get("leads", 0),
                "leads_open": lead.get("open", 0),
                "leads_overdue": lead.get("overdue", 0),
            }
        )
    return result


def _leads(user, scope: stats.Scope, today: dt.date):
    qs = scoped(MonitoringLead.objects.all(), user)
    if scope.prefix:
        qs = qs.filter(village__code__startswith=scope.prefix)
    return qs.annotate(group=Substr("village_id", 1, scope.child_length)).order_by()


def _lead_counts(today: dt.date) -> dict:
    overdue = Q(status=LeadStatus.OPEN, verify_deadline__lt=today) | Q(
        status=LeadStatus.IN_REVIEW, identify_deadline__lt=today
    )
    return {
        "leads": Count("id"),
        "open": Count("id", filter=~Q(status=LeadStatus.CLOSED)),
        "overdue": Count("id", filter=overdue),
    }


def monitoring_leads(user, region_code: str = "", today: dt.date | None = None) -> list[dict]:
    """线索 per group and source: [{code, name, source, source_label, leads, open, overdue}]."""
    today = today or timezone.localdate()
    scope = stats.scope_for(user, region_code)
    rows = _leads(user, scope, today).values("group", "source").annotate(**_lead_counts(today))
    return _labelled(
        stats._groups(rows, ["source"], ["leads", "open", "overdue"], scope), "source", LeadSource
    )


STATISTICS = {
    "monitoring-categories": (monitoring_categories, "防返贫监测对象（按监测类别）"),
    "monitoring-risks": (monitoring_risks, "防返贫监测对象（按风险类型）"),
    "monitoring-summary": (monitoring_summary, "防返贫监测：风险消除率、平均认定用时、线索逾期"),
    "monitoring-leads": (monitoring_leads, "防返贫监测线索（按来源）"),
}

"""防返贫监测 charts of the 工作台 (reports.statistics_monitoring shaped for ECharts), each bar linked
to the list behind it."""

from __future__ import annotations

import datetime as dt

from assistance.monitoring.choices import Category, LeadSource, RiskType
from reports import statistics as stats
from reports import statistics_monitoring as sm
from reports.dashboard import GREEN, GREY, ORANGE, RED, _links

RECORDS = "admin:assistance_monitoringrecord_changelist"
LEADS = "admin:assistance_monitoringlead_changelist"
CATEGORY_COLORS = {Category.UNSTABLE: ORANGE, Category.EDGE: "#409EFF", Category.SUDDEN: RED}


def _stacked(rows, key, choices, value, changelist, param, colors=None, **params) -> dict:
    codes = list(dict.fromkeys(r["code"] for r in rows))
    names = {r["code"]: r["name"] for r in rows}
    series = []
    for choice in choices:
        found = {r["code"]: r[value] for r in rows if r[key] == choice.value}
        if found:
            series.append(
                {
                    "name": choice.label,
                    "stack": "total",
                    "color": (colors or {}).get(choice.value),
                    "data": [found.get(c, 0) for c in codes],
                    "links": _links(codes, changelist, **{**params, param: choice.value}),
                }
            )
    return {"categories": [names[c] for c in codes], "series": series}


def monitoring_charts(user, region_code: str, scope: stats.Scope, today: dt.date | None) -> list[dict]:
    level = scope.child_level_label
    included = {"decision": "included", "purpose": "identify"}
    summary = sm.monitoring_summary(user, region_code, today=today)
    codes = [r["code"] for r in summary]
    total = sum(r["objects"] for r in summary)
    eliminated = sum(r["eliminated"] for r in summary)
    days = [
        (r["avg_days_to_identify"], r["objects"]) for r in summary if r["avg_days_to_identify"] is not None
    ]
    average = sum(float(d) * n for d, n in days) / sum(n for _, n in days) if days else None
    note = (
        f"监测对象 {total} 户，风险已消除 {eliminated} 户，风险消除率 {(eliminated * 100 / total):.2f}%"
        if total
        else "暂无监测对象"
    )
    if average is not None:
        note += f"；平均认定用时 {average:.1f} 天"
    note += f"；逾期线索 {sum(r['leads_overdue'] for r in summary)} 条"
    return [
        {
            "key": "monitoring-categories",
            "title": f"防返贫监测对象（按监测类别，分{level}）",
            "unit": "户",
            "note": note,
            **_stacked(
                sm.monitoring_categories(user, region_code),
                "category",
                Category,
                "households",
                RECORDS,
                "category",
                CATEGORY_COLORS,
                **included,
            ),
        },  # fmt: skip
        {
            "key": "monitoring-risks",
            "title": f"防返贫监测对象（按风险类型，分{level}）",
            "unit": "户",
            **_stacked(
                sm.monitoring_risks(user, region_code),
                "risk_type",
                RiskType,
                "households",
                RECORDS,
                "risk",
                **included,
            ),
        },  # fmt: skip
        {
            "key": "monitoring-elimination",
            "title": f"风险消除与逾期线索（分{level}）",
            "unit": "户",
            "categories": [r["name"] for r in summary],
            "series": [
                {
                    "name": "风险未消除",
                    "stack": "total",
                    "color": ORANGE,
                    "data": [r["objects"] - r["eliminated"] for r in summary],
                    "links": _links(codes, RECORDS, **included),
                },
                {
                    "name": "风险已消除",
                    "stack": "total",
                    "color": GREEN,
                    "data": [r["eliminated"] for r in summary],
                    "links": _links(codes, RECORDS, **included),
                },
                {
                    "name": "逾期线索",
                    "color": RED,
                    "data": [r["leads_overdue"] for r in summary],
                    "links": _links(codes, LEADS, overdue="verify"),
                },
            ],
        },  # fmt: skip
        {
            "key": "monitoring-leads",
            "title": f"监测线索（按来源，分{level}）",
            "unit": "条",
            **_stacked(
                sm.monitoring_leads(user, region_code, today=today),
                "source",
                LeadSource,
                "leads",
                LEADS,
                "source",
                {
                    LeadSource.SELF_REPORT: "#409EFF",
                    LeadSource.CADRE_VISIT: GREEN,
                    LeadSource.AGENCY_WARNING: ORANGE,
                    LeadSource.SYSTEM: GREY,
                },
            ),
        },  # fmt: skip
    ]

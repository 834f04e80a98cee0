"""扶贫项目库 charts of the county's and the city's 工作台 (reports.statistics_projects shaped for
ECharts): funds allocated vs paid by source, projects by stage one level down, registered poor
households in no 产业 project yet one level down."""

from __future__ import annotations

from decimal import Decimal

from projects.choices import FundSource
from reports import statistics as stats
from reports import statistics_projects as sp
from reports.dashboard import GREEN, GREY, ORANGE, _links

PROJECTS = "admin:projects_project_changelist"
HOUSEHOLDS = "admin:households_household_changelist"


def project_charts(user, region_code: str, scope: stats.Scope) -> list[dict]:
    level = scope.child_level_label
    funds = sp.project_funds(user, region_code)
    by_source = {s: [Decimal(0), Decimal(0)] for s in FundSource.values}
    for row in funds:
        by_source[row["source"]][0] += row["budget"]
        by_source[row["source"]][1] += row["paid"]
    sources = [s for s in FundSource if any(by_source[s.value])]
    budget = sum(b for b, _ in by_source.values())
    paid = sum(p for _, p in by_source.values())
    stages = sp.project_stages(user, region_code)
    codes = list(dict.fromkeys(r["code"] for r in stages))
    names = {r["code"]: r["name"] for r in stages}
    gaps = sp.industry_gaps(user, region_code)
    return [
        {
            "key": "project-funds",
            "title": "扶贫项目资金（按资金来源，县审批入库项目）",
            "unit": "元",
            "note": f"预算 {budget:,.2f} 元，已支付 {paid:,.2f} 元，支付进度 "
            + (f"{paid * 100 / budget:.1f}%" if budget else "—"),
            "categories": [s.label for s in sources],
            "series": [
                {"name": "预算", "color": GREY, "data": [float(by_source[s.value][0]) for s in sources]},
                {"name": "已支付", "color": GREEN, "data": [float(by_source[s.value][1]) for s in sources]},
            ],
        },
        {
            "key": "project-stages",
            "title": f"扶贫项目（按审核状态和实施阶段，分{level}）",
            "unit": "个",
            "categories": [names[c] for c in codes],
            "series": [
                {
                    "name": label,
                    "stack": "total",
                    "data": [
                        next((r["projects"] for r in stages if r["code"] == c and r["stage"] == stage), 0)
                        for c in codes
                    ],
                    "links": _links(codes, PROJECTS),
                }
                for stage, label in sp.STAGE_LABELS.items()
                if any(r["stage"] == stage for r in stages)
            ],
        },
        {
            "key": "industry-gaps",
            "title": f"建档立卡户参与产业项目（分{level}）",
            "unit": "户",
            "note": f"未参与任何入库产业项目 {sum(g['without_industry'] for g in gaps)} 户",
            "categories": [g["name"] for g in gaps],
            "series": [
                {
                    "name": "已参与产业项目",
                    "stack": "total",
                    "color": GREEN,
                    "data": [g["with_industry"] for g in gaps],
                    "links": _links([g["code"] for g in gaps], HOUSEHOLDS),
                },
                {
                    "name": "未参与产业项目",
                    "stack": "total",
                    "color": ORANGE,
                    "data": [g["without_industry"] for g in gaps],
                    "links": _links([g["code"] for g in gaps], HOUSEHOLDS),
                },
            ],
        },
    ]

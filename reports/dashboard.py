"""The charts of the 工作台: the statistics selectors shaped for ECharts, with the list behind each bar."""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import urlencode

from django.urls import get_script_prefix, reverse

from core.choices import ReviewState
from households.choices import PovertyStatus
from reports import statistics as stats

GREEN, RED, GREY, ORANGE = "#67C23A", "#F56C6C", "#909399", "#E6A23C"
# Colours that mean the same on every chart: green done, orange under way, red a problem, grey unknown.
STATE_COLORS = {
    ReviewState.DRAFT: GREY,
    ReviewState.PENDING_TOWNSHIP: "#409EFF",
    ReviewState.PENDING_COUNTY: "#2F6FD0",
    ReviewState.VERIFIED: GREEN,
    ReviewState.RETURNED_TO_VILLAGE: RED,
    ReviewState.RETURNED_TO_TOWNSHIP: ORANGE,
    PovertyStatus.NOT_EXITED: "#409EFF",
    PovertyStatus.PROPOSED_EXIT: "#9B59B6",
    PovertyStatus.IN_PUBLICITY: "#1ABC9C",
    PovertyStatus.EXITED_WITH_POLICY: GREEN,
    PovertyStatus.EXITED_NO_POLICY: GREY,
    PovertyStatus.RETURNED_TO_POVERTY: RED,
}


def _region_params(code: str) -> dict | None:
    """The admin list filter of one group (乡镇 or 村); None above the township (drill down instead)."""
    if len(code) == 9:
        return {"township": code}
    if len(code) == 12:
        return {"village": code}
    return None


@functools.lru_cache(maxsize=64)
def _path(name: str, prefix: str) -> str:
    return reverse(name)


def _url(name: str) -> str:
    """reverse() of an argument-free URL, remembered: a county's charts link ~300 bars to a few lists
    (issue 28: a tenth of the 工作台's Python time went to resolving the same names again)."""
    return _path(name, get_script_prefix())


def _links(codes, changelist: str, **params) -> list[str]:
    """The list behind each bar: the filtered admin list, or the group's own 工作台 above the township.
    The filter shared by a series is encoded once (a township's charts link ~1,200 bars; encoding each
    link whole was a tenth of the page, issue 28)."""
    head = urlencode(params)
    base = _url(changelist)
    links = []
    for code in codes:
        region = _region_params(code)
        if region is None:
            links.append(f"{_url('reports:statistics')}?{urlencode({'region': code.ljust(12, '0')})}")
        else:
            links.append(f"{base}?{head}&{urlencode(region)}" if head else f"{base}?{urlencode(region)}")
    return links


def _by_group(rows: list[dict], key: str, choices, value: str, changelist: str, param: str, **params) -> dict:
    """One stacked series per choice (status); each bar links to the list filtered by group and choice."""
    codes = list(dict.fromkeys(r["code"] for r in rows))
    names = {r["code"]: r["name"] for r in rows}
    series = []
    for choice in choices:
        found = {r["code"]: r[value] for r in rows if r[key] == choice.value}
        if not found:
            continue
        series.append(
            {
                "name": choice.label,
                "stack": "total",
                "color": STATE_COLORS.get(choice.value),
                "data": [found.get(c, 0) for c in codes],
                "links": _links(codes, changelist, **{**params, param: choice.value}),
            }
        )
    return {"categories": [names[c] for c in codes], "series": series}


def _plain(rows: list[dict], fields: list[tuple[str, str]], changelist: str, params_of) -> dict:
    return {
        "categories": [r["name"] for r in rows],
        "series": [
            {
                "name": label,
                "data": [r[field] for r in rows],
                "links": _links([r["code"] for r in rows], changelist, **params_of(field)),
            }
            for field, label in fields
        ],
    }


def _missing_population(villages: list[dict]) -> str:
    missing = [v["name"] for v in villages if v["population"] is None]
    return f"未登记农业户籍人口、无法计算发生率的村：{'、'.join(missing)}" if missing else ""


def charts_for(user, region_code: str = "", today: dt.date | None = None) -> tuple[stats.Scope, list[dict]]:
    with stats.shared_reads():
        return _charts(user, region_code, today)


def _charts(user, region_code: str, today: dt.date | None) -> tuple[stats.Scope, list[dict]]:
    scope = stats.scope_for(user, region_code)
    level = scope.child_level_label
    household_list = "admin:households_household_changelist"
    charts = []

    rows = stats.poverty_status(user, region_code)
    for value, unit in (("households", "户"), ("persons", "人")):
        charts.append(
            {
                "key": f"poverty-status-{value}",
                "title": f"已入库{'户数' if value == 'households' else '人数'}（按脱贫状态，分{level}）",
                "unit": unit,
                **_by_group(
                    rows,
                    "status",
                    PovertyStatus,
                    value,
                    household_list,
                    "poverty_status",
                    review_state=ReviewState.VERIFIED,
                ),
            }
        )
    rows = stats.review_state(user, region_code)
    charts.append(
        {
            "key": "review-state",
            "title": f"登记户审核状态（分{level}）",
            "unit": "户",
            **_by_group(rows, "state", ReviewState, "households", household_list, "review_state"),
        }
    )

    villages = stats.incidence(user, region_code, as_of=today)
    if scope.child_length == 12:
        charts.append(
            {
                "key": "incidence",
                "title": "各村贫困发生率（%）与退出标准",
                "unit": "%",
                "categories": [v["name"] for v in villages],
                "series": [
                    {
                        "name": "贫困发生率",
                        "data": [
                            float(v["rate_pct"]) if v["rate_pct"] is not None else None for v in villages
                        ],
                        "links": _links(
                            [v["code"] for v in villages], household_list, review_state=ReviewState.VERIFIED
                        ),
                        "threshold": max((float(v["threshold_pct"] or 0) for v in villages), default=None),
                    }
                ],
                "note": _missing_population(villages),
            }
        )
    else:
        groups = stats.incidence_by_group(villages, scope)
        charts.append(
            {
                "key": "incidence",
                "title": f"贫困发生率达到退出标准的村数（分{level}）",
                "unit": "个村",
                "categories": [g["name"] for g in groups],
                "series": [
                    {
                        "name": label,
                        "stack": "total",
                        "color": color,
                        "data": [g[field] for g in groups],
                        "links": _links([g["code"] for g in groups], household_list),
                    }
                    for field, label, color in (
                        ("meets", "低于退出标准", GREEN),
                        ("above", "高于退出标准", RED),
                        ("no_population", "未登记人口", GREY),
                    )
                ],
            }
        )

    months = stats.dibao_monthly(user, region_code, today=today)
    line_list = reverse("admin:assistance_paymentline_changelist")
    month_links = []
    for m in months:
        start = dt.date.fromisoformat(m["month"])
        end = (start + dt.timedelta(days=32)).replace(day=1)
        query = {"program": "dibao", "month__gte": start.isoformat(), "month__lt": end.isoformat()}
        month_links.append(f"{line_list}?{urlencode(query)}")
    charts.append(
        {
            "key": "dibao-monthly",
            "title": "近12个月低保发放（已确认发放表）",
            "unit": "",
            "categories": [m["month"][:7] for m in months],
            "series": [
                {"name": "户数", "data": [m["households"] for m in months], "links": month_links},
                {"name": "人数", "data": [m["persons"] for m in months], "links": month_links},
                {
                    "name": "金额（元）",
                    "data": [float(m["amount"]) for m in months],
                    "links": month_links,
                    "axis": 1,
                    "type": "line",
                },
            ],
        }
    )

    rows = stats.phase_outs(user, region_code)
    charts.append(
        {
            "key": "phase-outs",
            "title": f"低保渐退（分{level}）",
            "unit": "户",
            **_plain(
                rows,
                [("active", "渐退中"), ("proposed", "拟渐退")],
                "admin:assistance_phaseout_changelist",
                lambda field: {"status": field},
            ),
        }
    )
    rows = stats.measure_gaps(user, region_code)
    charts.append(
        {
            "key": "measure-gaps",
            "title": f"帮扶缺口（已入库户，分{level}）",
            "unit": "户",
            **_plain(
                rows,
                [("gap_industry", "缺产业项目"), ("gap_employment", "有劳动力无稳定就业")],
                "admin:assistance_measuregap_changelist",
                lambda field: {"gap": "industry" if field == "gap_industry" else "employment"},
            ),
        }
    )
    from reports.dashboard_monitoring import monitoring_charts

    charts.extend(monitoring_charts(user, region_code, scope, today))
    if len(scope.prefix) <= 6:  # the county's and the city's 工作台 (issue 29)
        from reports.dashboard_projects import project_charts

        charts.extend(project_charts(user, region_code, scope))
    return scope, charts

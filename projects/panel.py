"""扶贫项目 on the household page: the projects the household benefits from (and how), and the
资产收益分红 it received, with the income year each went to (R32)."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join

from projects.models import IncomeShare, ProjectBeneficiary

EMPTY = "未参与扶贫项目"


def projects_panel(household) -> str:
    links = list(
        ProjectBeneficiary.objects.filter(household=household)
        .select_related("project")
        .order_by("-project__year", "project_id")
    )
    if not links:
        return EMPTY
    shares = list(
        IncomeShare.objects.filter(household=household)
        .select_related("income__asset", "income_year")
        .order_by("-income__year", "id")
    )
    projects = format_html_join(
        "",
        "<tr><td>{}年</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                link.project.year,
                link.project.name,
                link.project.get_project_type_display(),
                link.get_how_display(),
                link.project.get_stage_display()
                if link.project.review_state == "verified"
                else link.project.get_review_state_display(),
            )
            for link in links
        ),
    )
    dividends = format_html_join(
        "",
        "<tr><td>{}年</td><td>{}</td><td>{}</td><td>{}</td><td>{} 至 {}</td></tr>",
        (
            (
                s.income.year,
                s.income.asset.name,
                s.income.get_rule_display(),
                s.amount,
                s.income_year.period_start,
                s.income_year.period_end,
            )
            for s in shares
        ),
    )
    return format_html(
        "<table><thead><tr><th>年度</th><th>项目</th><th>类型</th><th>受益方式</th><th>阶段</th></tr></thead>"
        "<tbody>{}</tbody></table>"
        "{}",
        projects,
        format_html(
            "<table><thead><tr><th>收益年度</th><th>资产</th><th>分配方式</th><th>分红（元）</th>"
            "<th>计入收入年度</th></tr></thead><tbody>{}</tbody></table>",
            dividends,
        )
        if shares
        else "",
    )

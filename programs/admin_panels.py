"""Read-only panels programs adds to other apps' admin pages.

The panel speaks to village clerks and reviewers: names, 是/否, amounts and the 文号 of each
standard. Parameter keys and internal notes stay on the parameter admin page.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import format_html, format_html_join

from core.models import Region
from programs import services
from programs.models import Parameter, Program
from programs.wording import document_numbers, plain_label, plain_value

NOT_SAVED = "保存后显示政策资格测算结果"
NOT_APPROVED = "本户尚未审核入库，以下按当前录入数据试算，仅供参考。"
PANEL_HEAD = "测算日期 {as_of}；依据已审核数据（在册成员、最近一个收入年度）。"


def _scope_names(prefixes: set[str]) -> dict[str, str]:
    codes = {prefix.ljust(12, "0"): prefix for prefix in prefixes if prefix}
    rows = Region.objects.filter(code__in=codes).values_list("code", "name")
    return {codes[code]: name for code, name in rows}


def eligibility_panel(obj) -> str:
    """Every program's current decision with its reasons and the standards behind it."""
    if obj is None or obj.pk is None:
        return NOT_SAVED
    as_of = timezone.localdate()
    approved = obj.review_state == "verified"
    decisions = services.evaluate_household(household=obj, as_of=as_of, save=False, approved_only=approved)
    names = dict(Program.objects.values_list("code", "name"))
    ids = sorted({pid for d in decisions for pid in d.parameter_ids})
    versions = list(Parameter.objects.filter(pk__in=ids).order_by("key", "region_prefix"))
    scopes = _scope_names({p.region_prefix for p in versions})
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                names.get(d.program, "其他项目"),
                "符合" if d.eligible else "不符合",
                d.monthly_amount if d.monthly_amount else "—",
                d.annual_amount if d.annual_amount else "—",
                format_html_join("", "<div>{}</div>", ((r,) for r in d.reasons)),
            )
            for d in decisions
        ),
    )
    params = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} ～ {}</td><td>{}</td></tr>",
        (
            (
                plain_label(p),
                plain_value(p),
                scopes.get(p.region_prefix, "本地") if p.region_prefix else "全国",
                p.valid_from,
                p.valid_to or "长期",
                document_numbers(p.source),
            )
            for p in versions
        ),
    )
    note = "" if approved else format_html("<p><strong>{}</strong></p>", NOT_APPROVED)
    return format_html(
        '{}<p>{}</p><table class="eligibility-panel"><thead><tr><th>项目</th><th>结论</th><th>月金额(元)</th>'
        "<th>年/一次性金额(元)</th><th>理由</th></tr></thead><tbody>{}</tbody></table>"
        '<h4>所依据的标准</h4><table class="eligibility-standards"><thead><tr><th>标准</th><th>取值</th>'
        "<th>适用范围</th><th>有效期</th><th>政策文号</th></tr></thead><tbody>{}</tbody></table>",
        note,
        PANEL_HEAD.format(as_of=as_of),
        rows,
        params,
    )

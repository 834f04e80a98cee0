"""扶贫项目库 statistics of the 工作台 and of /api/v1/statistics/ (issue 29), one level below the scope
like the others (reports.statistics): funds allocated and paid by source (approved projects, R31),
projects by stage (the chain's states before 县审批, the project's stages after it), and the
households of the approved register that take part in no approved 产业 project yet (seed S001: every poor
household in at least one 扶贫产业项目).

A project belongs to its village, township or county: grouped by its own region code, a township's
or the county's own project is its own group (named after that township or county)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Substr

from core.choices import ReviewState
from core.scoping import scoped
from projects.choices import FundSource, ProjectType, Stage
from projects.models import FundPayment, Project, ProjectBeneficiary, ProjectBudget
from reports import statistics as stats

ZERO = Decimal("0.00")
# The chart's stages: the chain's states first (a project in review), then its stages after 县审批.
STAGE_ORDER = [
    ReviewState.DRAFT,
    ReviewState.RETURNED_TO_VILLAGE,
    ReviewState.PENDING_TOWNSHIP,
    ReviewState.RETURNED_TO_TOWNSHIP,
    ReviewState.PENDING_COUNTY,
    Stage.IN_LIBRARY,
    Stage.ANNOUNCED,
    Stage.IMPLEMENTING,
    Stage.ACCEPTED,
    Stage.PUBLICIZED,
]
STAGE_LABELS = {
    **{s.value: s.label for s in ReviewState if s != ReviewState.VERIFIED},
    **{s.value: s.label for s in Stage if s != Stage.PROPOSED},
}


def _scoped(user, model, path: str, scope: stats.Scope):
    qs = scoped(model.objects.all(), user)
    if scope.prefix:
        qs = qs.filter(**{f"{path}__startswith": scope.prefix})
    return qs.order_by()


def project_funds(user, region_code: str = "") -> list[dict]:
    """Approved projects' budget and payments per group and fund source:
    [{code, name, source, source_label, budget, paid, remaining}]."""
    scope = stats.scope_for(user, region_code)
    approved = {"project__review_state": ReviewState.VERIFIED}
    group = Substr("project__region_id", 1, scope.child_length)
    budgets = (
        _scoped(user, ProjectBudget, "project__region__code", scope)
        .filter(**approved)
        .annotate(group=group)
        .values_list("group", "source")
        .annotate(total=Sum("amount"))
    )
    payments = (
        _scoped(user, FundPayment, "project__region__code", scope)
        .filter(**approved)
        .annotate(group=group)
        .values_list("group", "source")
        .annotate(total=Sum("amount"))
    )
    figures: dict[tuple[str, str], dict] = {}
    for field, rows in (("budget", budgets), ("paid", payments)):
        for group_code, source, total in rows:
            figures.setdefault((group_code, source), {"budget": ZERO, "paid": ZERO})[field] = total
    names = stats._names({g for g, _ in figures})
    order = {s: i for i, s in enumerate(FundSource.values)}
    return [
        {
            "code": g, "name": names[g], "source": s, "source_label": FundSource(s).label,
            "budget": f["budget"], "paid": f["paid"], "remaining": f["budget"] - f["paid"],
        }
        for (g, s), f in sorted(figures.items(), key=lambda item: (item[0][0], order[item[0][1]]))
    ]  # fmt: skip


def project_stages(user, region_code: str = "") -> list[dict]:
    """Projects per group and stage: [{code, name, stage, stage_label, projects}]; a project in the
    chain counts under its review state (草稿, 待镇审核 …), an approved one under its stage."""
    scope = stats.scope_for(user, region_code)
    rows = (
        _scoped(user, Project, "region__code", scope)
        .annotate(group=Substr("region_id", 1, scope.child_length))
        .values_list("group", "review_state", "stage")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[str, str], int] = {}
    for group, state, stage, n in rows:
        key = (group, stage if state == ReviewState.VERIFIED else state)
        counts[key] = counts.get(key, 0) + n
    names = stats._names({g for g, _ in counts})
    order = {s: i for i, s in enumerate(STAGE_ORDER)}
    return [
        {"code": g, "name": names[g], "stage": s, "stage_label": STAGE_LABELS[s], "projects": n}
        for (g, s), n in sorted(counts.items(), key=lambda item: (item[0][0], order[item[0][1]]))
    ]


def industry_gaps(user, region_code: str = "") -> list[dict]:
    """Households of the approved register (建档立卡户, 已入库) per group, and how many take part in no
    approved 产业 project: [{code, name, households, with_industry, without_industry}]. The totals come
    from the register summary (reports.refresh), the participants from the project links."""
    scope = stats.scope_for(user, region_code)
    totals = {
        r["group"]: r["households"]
        for r in stats._summed(stats.approved_register(user, scope), ("group",), ("households",))
    }
    joined = dict(
        _scoped(user, ProjectBeneficiary, "household__village__code", scope)
        .filter(
            project__project_type=ProjectType.INDUSTRY,
            project__review_state=ReviewState.VERIFIED,
            household__review_state=ReviewState.VERIFIED,
            household__archived_at__isnull=True,
        )
        .values_list(Substr("household__village_id", 1, scope.child_length))
        .annotate(n=Count("household_id", distinct=True))
    )
    names = stats._names(totals)
    return [
        {
            "code": g, "name": names[g], "households": n, "with_industry": joined.get(g, 0),
            "without_industry": n - joined.get(g, 0),
        }
        for g, n in sorted(totals.items())
        if n
    ]  # fmt: skip


STATISTICS = {
    "project-funds": (project_funds, "扶贫项目资金（按资金来源：预算与已支付，县审批入库项目）"),
    "project-stages": (project_stages, "扶贫项目（按审核状态和实施阶段）"),
    "industry-gaps": (industry_gaps, "建档立卡户参与产业项目情况（未参与任何入库产业项目的户数）"),
}
stats.STATISTICS.update(STATISTICS)

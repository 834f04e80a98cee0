"""Reads of the 扶贫项目库: every one starts from core.scoping.scoped(). Fund figures per project and
source (R31) come from here for the record page, the 公告, the ledgers and the API alike."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from core.choices import ReviewState
from core.scoping import scoped
from projects.choices import FundSource
from projects.models import FundPayment, Project, ProjectBeneficiary, ProjectBudget

ZERO = Decimal("0.00")
SOURCE_ORDER = {value: i for i, value in enumerate(FundSource.values)}


@dataclass(frozen=True)
class SourceFigures:
    source: str
    budget: Decimal
    paid: Decimal

    @property
    def label(self) -> str:
        return FundSource(self.source).label

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.paid


@dataclass(frozen=True)
class ProjectFunds:
    lines: tuple[SourceFigures, ...]

    @property
    def budget(self) -> Decimal:
        return sum((line.budget for line in self.lines), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((line.paid for line in self.lines), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.paid


def projects_for(user) -> QuerySet:
    return scoped(Project.objects.all(), user)


def approved_projects(user) -> QuerySet:
    """The 项目库 proper: projects the county approved (ledgers count only these)."""
    return projects_for(user).filter(review_state=ReviewState.VERIFIED)


def fund_figures(project_ids: Iterable[int]) -> dict[int, ProjectFunds]:
    """Budget, paid and remaining by source for many projects, in two queries."""
    ids = list(project_ids)
    budgets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for pid, source, amount in ProjectBudget.objects.filter(project_id__in=ids).values_list(
        "project_id", "source", "amount"
    ):
        budgets[pid][source] = amount
    paid: dict[tuple[int, str], Decimal] = {
        (pid, source): total
        for pid, source, total in FundPayment.objects.filter(project_id__in=ids)
        .order_by()
        .values_list("project_id", "source")
        .annotate(total=Sum("amount"))
    }
    out = {}
    for pid in ids:
        sources = sorted(budgets.get(pid, {}), key=SOURCE_ORDER.__getitem__)
        out[pid] = ProjectFunds(
            tuple(SourceFigures(s, budgets[pid][s], paid.get((pid, s), ZERO)) for s in sources)
        )
    return out


def beneficiary_counts(project_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        ProjectBeneficiary.objects.filter(project_id__in=list(project_ids))
        .order_by()
        .values_list("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )

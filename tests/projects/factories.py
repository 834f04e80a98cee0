"""Builders for project tests: a project with its budget and beneficiaries, and one run to any stage
through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core.choices import RegionLevel
from projects.choices import BenefitKind, FundSource, ProjectType, Stage
from projects.models import Project, ProjectBeneficiary, ProjectBudget
from projects.services import projects as s
from tests.factories import user_for

DAY = dt.date(2026, 3, 2)


def proposed_project(
    *,
    region,
    user=None,
    budget=None,
    households=(),
    year: int = 2026,
    project_type=ProjectType.INDUSTRY,
    **kwargs,
) -> Project:
    budget = budget if budget is not None else {FundSource.CENTRAL: 150_000, FundSource.COUNTY: 50_000}
    project = Project.objects.create(
        year=year,
        name=kwargs.pop("name", "食用菌大棚产业项目"),
        project_type=project_type,
        region=region,
        content=kwargs.pop("content", "新建食用菌标准化大棚10栋"),
        planned_start=kwargs.pop("planned_start", DAY),
        planned_end=kwargs.pop("planned_end", DAY + dt.timedelta(days=200)),
        created_by=user or user_for(region),
        **kwargs,
    )
    for source, amount in budget.items():
        ProjectBudget.objects.create(project=project, source=source, amount=Decimal(amount))
    for household in households:
        ProjectBeneficiary.objects.create(project=project, household=household, how=BenefitKind.DIVIDEND)
    return project


def _up(region, level):
    while region.level != level:
        region = region.parent
    return region


def project_at(stage: str, *, village, on: dt.date = DAY, **kwargs) -> Project:
    """A village's project taken through the chain and the county's steps up to `stage`."""
    from core.workflow import services as chain

    clerk = user_for(village)
    township = user_for(_up(village, RegionLevel.TOWNSHIP))
    county = user_for(_up(village, RegionLevel.COUNTY))
    project = proposed_project(region=village, user=clerk, **kwargs)
    s.submit_project(project=project, user=clerk)
    chain.approve(record=project, user=township)
    chain.approve(record=project, user=county)
    order = [Stage.IN_LIBRARY, Stage.ANNOUNCED, Stage.IMPLEMENTING, Stage.ACCEPTED, Stage.PUBLICIZED]
    steps = {
        Stage.ANNOUNCED: lambda: s.announce(
            project=project, user=county, start=on, end=on + dt.timedelta(days=9), place="村务公开栏"
        ),
        Stage.IMPLEMENTING: lambda: s.start_work(project=project, user=county, on=on + dt.timedelta(days=10)),
        Stage.ACCEPTED: lambda: s.accept(project=project, user=county, on=on + dt.timedelta(days=150)),
        Stage.PUBLICIZED: lambda: s.publish_results(
            project=project,
            user=county,
            start=on + dt.timedelta(days=151),
            end=on + dt.timedelta(days=160),
            place="村务公开栏",
        ),
    }
    for step in order[1 : order.index(stage) + 1]:
        steps[step]()
    project.refresh_from_db()
    return project

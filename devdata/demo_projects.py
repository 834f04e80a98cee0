"""The demo county's 扶贫项目库 (issue 29), built through the projects services: this year's projects
in every stage of the chain and after it (草稿, 待镇审核, 村修正 with the township's reason, 待县审批 —
one of them the township's own —, 已入库, 已公告, 实施中 with payments, 已验收), and the 2020
光伏电站 of 东屏村, finished and publicized, whose 2020 income of 30,000 was shared equally by 30
beneficiary households (1,000 each, added to their 2019-10..2020-09 income year as 资产收益分红; the
next recalculation reads it — not run here: a county-wide run would also move the demo's 低保 cases)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from core.choices import ReviewState
from core.models import User
from core.workflow import services as chain
from devdata import registry
from households.models import Household
from projects.choices import AssetType, BenefitKind, DistributionRule, FundSource, ProjectType, Stage
from projects.models import Project, ProjectBeneficiary, ProjectBudget
from projects.services import assets, funds
from projects.services import projects as s

F = FundSource
# (name, type, content, budget by source, beneficiaries, how, stage reached)
THIS_YEAR = [
    (
        "村级道路硬化项目",
        ProjectType.INFRASTRUCTURE,
        "硬化村组道路2.3公里，宽4.5米",
        {F.CENTRAL: 460_000, F.COUNTY: 40_000},
        0,
        BenefitKind.FACILITY,
        "draft",
    ),
    (
        "庭院经济种植项目",
        ProjectType.INDUSTRY,
        "发展庭院香瓜、寒富苹果种植80亩，统一供苗和技术指导",
        {F.PROVINCIAL: 120_000, F.SELF_RAISED: 20_000},
        12,
        BenefitKind.INDUSTRY,
        ReviewState.PENDING_TOWNSHIP,
    ),
    (
        "农村饮水安全巩固提升项目",
        ProjectType.INFRASTRUCTURE,
        "新打机电井1眼，更换入户管网3.1公里",
        {F.SECTOR: 260_000},
        0,
        BenefitKind.FACILITY,
        ReviewState.RETURNED_TO_VILLAGE,
    ),
    (
        "肉牛养殖产业项目",
        ProjectType.INDUSTRY,
        "新建标准化牛舍2栋，购置基础母牛60头，收益按股分红",
        {F.CENTRAL: 600_000, F.CITY: 100_000, F.SOCIAL: 50_000},
        25,
        BenefitKind.DIVIDEND,
        ReviewState.PENDING_COUNTY,
    ),
    (
        "村卫生室改造项目",
        ProjectType.PUBLIC_SERVICE,
        "改造村卫生室80平方米，配备基本诊疗设备",
        {F.COUNTY: 150_000},
        0,
        BenefitKind.FACILITY,
        Stage.IN_LIBRARY,
    ),
    (
        "扶贫车间就业项目",
        ProjectType.EMPLOYMENT,
        "建设来料加工扶贫车间300平方米，吸纳脱贫劳动力就近就业",
        {F.CENTRAL: 300_000, F.COUNTY: 60_000},
        15,
        BenefitKind.EMPLOYMENT,
        Stage.ANNOUNCED,
    ),
    (
        "食用菌大棚产业项目",
        ProjectType.INDUSTRY,
        "新建食用菌标准化大棚10栋，带动脱贫户务工和分红",
        {F.CENTRAL: 150_000, F.COUNTY: 50_000},
        20,
        BenefitKind.INDUSTRY,
        Stage.IMPLEMENTING,
    ),
    (
        "易地搬迁安置点配套设施项目",
        ProjectType.RELOCATION_SUPPORT,
        "安置点排水、路灯和活动广场配套",
        {F.CENTRAL: 380_000, F.SECTOR: 70_000},
        8,
        BenefitKind.RELOCATION,
        Stage.ACCEPTED,
    ),
]
RETURN_REASON = "未附水质检测报告和受益人口测算，请补充后重新申报"
PV_HOUSEHOLDS = 30


def needed() -> bool:
    return not Project.objects.filter(region__code__startswith=registry.COUNTY[:6]).exists()


def _project(*, name, kind, content, region, budget, user, year, start) -> Project:
    project = Project.objects.create(
        year=year,
        name=name,
        project_type=kind,
        region_id=region,
        content=content,
        planned_start=start,
        planned_end=start + dt.timedelta(days=240),
        created_by=user,
    )
    ProjectBudget.objects.bulk_create(
        ProjectBudget(project=project, source=source, amount=Decimal(amount))
        for source, amount in budget.items()
    )
    return project


def _link(project: Project, households: list[Household], how: str) -> None:
    ProjectBeneficiary.objects.bulk_create(
        ProjectBeneficiary(project=project, household=h, how=how) for h in households
    )


def _advance(project: Project, stage: str, users: dict, on: dt.date) -> None:
    """Through the chain and the county's steps up to `stage`, dated from `on`."""
    clerk, township, county = users["clerk"], users["township"], users["county"]
    if stage == "draft":
        return
    s.submit_project(project=project, user=clerk)
    if stage == ReviewState.PENDING_TOWNSHIP:
        return
    if stage == ReviewState.RETURNED_TO_VILLAGE:
        s.return_project(project=project, user=township, reason=RETURN_REASON)
        return
    chain.approve(record=project, user=township)
    if stage == ReviewState.PENDING_COUNTY:
        return
    chain.approve(record=project, user=county)
    order = [Stage.IN_LIBRARY, Stage.ANNOUNCED, Stage.IMPLEMENTING, Stage.ACCEPTED, Stage.PUBLICIZED]
    reached = order.index(stage)
    if reached >= 1:
        s.announce(
            project=project,
            user=county,
            start=on,
            end=on + dt.timedelta(days=9),
            place="村务公开栏、县政府网站",
        )
    if reached >= 2:
        s.start_work(project=project, user=county, on=on + dt.timedelta(days=12))
    if reached >= 3:
        s.accept(project=project, user=county, on=on + dt.timedelta(days=150))
    if reached >= 4:
        start = on + dt.timedelta(days=152)
        s.publish_results(
            project=project, user=county, start=start, end=start + dt.timedelta(days=9), place="村务公开栏"
        )


def _pay_all(project: Project, county, on: dt.date, share: Decimal = Decimal(1)) -> int:
    paid = 0
    for n, budget in enumerate(project.budgets.order_by("id"), 1):
        amount = (budget.amount * share).quantize(Decimal("0.01"))
        funds.record_payment(
            project=project,
            user=county,
            source=budget.source,
            amount=amount,
            voucher_no=f"{project.year}记-{project.pk:04d}-{n:02d}",
            paid_on=on,
            note="按进度拨付",
        )
        paid += 1
    return paid


@transaction.atomic
def build(*, today: dt.date, life) -> None:
    names = {"clerk": "cun_dongping", "township": "xiang_mingde", "county": "xian_xifeng"}
    found = {u.username: u for u in User.objects.filter(username__in=names.values())}
    users = {role: found[name] for role, name in names.items()}
    village = users["clerk"].region_id
    township = users["township"].region_id
    poor = list(
        Household.objects.filter(
            village_id=village,
            review_state=ReviewState.VERIFIED,
            archived_at__isnull=True,
            identify_year__isnull=False,
        )
        .exclude(dibao_cases__isnull=False)
        .order_by("pk")
    )
    start = today - dt.timedelta(days=200)
    for name, kind, content, budget, n, how, stage in THIS_YEAR:
        project = _project(
            name=name,
            kind=kind,
            content=content,
            region=village,
            budget=budget,
            user=users["clerk"],
            year=today.year,
            start=start,
        )
        _link(project, poor[:n], how)
        _advance(project, stage, users, start)
        if stage in (Stage.IMPLEMENTING, Stage.ACCEPTED):
            share = Decimal("0.6") if stage == Stage.IMPLEMENTING else Decimal(1)
            life.add("资金支付", _pay_all(project, users["county"], start + dt.timedelta(days=40), share))
        life.add("扶贫项目：" + (Stage(stage).label if stage in Stage.values else ReviewState(stage).label))
    # The township's own project goes straight to 县审批.
    own = _project(
        name="乡镇农产品冷链仓储项目",
        kind=ProjectType.INDUSTRY,
        content="建设500吨冷库1座，服务全乡农产品错季销售",
        region=township,
        budget={F.CENTRAL: 800_000, F.COUNTY: 100_000},
        user=users["township"],
        year=today.year,
        start=start,
    )
    s.submit_project(project=own, user=users["township"])
    life.add("扶贫项目：待县核查（乡镇项目）")
    _pv_station(users, poor[:PV_HOUSEHOLDS], village, life)


def _pv_station(users: dict, households: list[Household], village: str, life) -> None:
    """The 2020 光伏电站: built, paid, accepted and publicized; its 2020 income shared equally."""
    county = users["county"]
    on = dt.date(2020, 3, 2)
    project = _project(
        name="100千瓦村级光伏扶贫电站",
        kind=ProjectType.INDUSTRY,
        content="建设村级光伏电站100千瓦，发电收益用于贫困户分红",
        region=village,
        budget={F.CENTRAL: 500_000, F.PROVINCIAL: 200_000},
        user=users["clerk"],
        year=2020,
        start=on,
    )
    _link(project, households, BenefitKind.DIVIDEND)
    _advance(project, Stage.ACCEPTED, users, on)
    life.add("资金支付", _pay_all(project, county, on + dt.timedelta(days=60)))
    _advance_results(project, county, on)
    asset = assets.register_asset(
        project=project,
        user=county,
        name="东屏村100千瓦光伏电站",
        asset_type=AssetType.PV,
        value=700_000,
        manager="东屏村股份经济合作社",
        registered_on=on + dt.timedelta(days=165),
    )
    assets.distribute_income(
        asset=asset,
        user=county,
        year=2020,
        amount=30_000,
        rule=DistributionRule.EQUAL,
        distributed_on=dt.date(2020, 9, 15),
    )
    life.add("扶贫项目：已公示（完成）")
    life.add("资产收益分红户", len(households))


def _advance_results(project: Project, county, on: dt.date) -> None:
    start = on + dt.timedelta(days=152)
    s.publish_results(
        project=project, user=county, start=start, end=start + dt.timedelta(days=9), place="村务公开栏"
    )

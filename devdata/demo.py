"""The demo county with life in it: the registry from households.demo, then real work done through the
real services — the recalculation, 低保 cases in every state, 公示 and an objection, 渐退 running and
ended, 特困, 两项补贴, confirmed payment rolls, change requests, returns with reasons, alerts, village
populations — so every queue, chart, ledger and money page has rows right after `make run`.

Dates are relative to today (rolls of the last months, a 公示 open now). Idempotent: the life is
built once, when the demo villages have no 低保 case yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from assistance.choices import CaseStatus, Program, SelfCare, TekunMode
from assistance.models import DibaoCase
from assistance.recalc import recalculate_now
from assistance.services import cases, phase_out, rolls, subsidies, tekun
from core.choices import ReviewState
from core.models import Region, User
from core.workflow import services as chain
from devdata import bank as demo_bank
from devdata import demo_field, demo_monitoring, demo_projects, registry
from households.choices import Health, Relation
from households.models import Household, Member
from households.workflow import services as workflow
from programs.models import EligibilityResult, VillagePopulation
from reports.refresh import refresh_county

ROLL_MONTHS = 6  # confirmed rolls for the last six months; this month's roll stays a draft
# One 低保 case in each state that is not paying ("returned" and "objected" are steps, not states).
OTHER_STATES = [
    CaseStatus.APPLIED,
    "returned",
    CaseStatus.INVESTIGATING,
    "objected",
    CaseStatus.IN_PUBLICITY,
    CaseStatus.CONFIRMING,
    CaseStatus.REFUSED,
]
STEP_LABELS = {"returned": "退回村修正", "objected": "公示有异议"}
RETURN_REASONS = [
    "户主身份证号与户口簿不一致，请核实后重新提交",
    "家庭成员缺少务工收入，请补录后提交",
    "住房安全等级未填写鉴定结论，请补充",
]


@dataclass
class Life:
    """What was built (printed by the command)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


def load_demo(*, seed: int = 2019, households: int | None = None):
    """Registry (households.demo) and its life; returns (logins, households created, Life or None)."""
    logins, created = registry.load_demo(seed=seed, households=households)
    life = None
    if not DibaoCase.objects.filter(household__village_id__in=list(registry.DEMO_VILLAGES)).exists():
        life = build_life(today=timezone.localdate())
    if demo_field.needed():  # after the monitoring demo: helpers get monitored households too
        life = life or Life()
        demo_field.build(today=timezone.localdate(), life=life)
    if demo_projects.needed():  # the county's 扶贫项目库 and the 光伏电站's 分红 (issue 29)
        life = life or Life()
        demo_projects.build(today=timezone.localdate(), life=life)
    # The 工作台 statistics summary of the demo county, rebuilt after loads that bypass model signals.
    refresh_county(registry.COUNTY)
    return logins, created, life


@transaction.atomic
def build_life(*, today: dt.date) -> Life:
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["cun_dongping", "xiang_mingde", "xian_xifeng"])
    }
    clerk, township, county = users["cun_dongping"], users["xiang_mingde"], users["xian_xifeng"]
    county_region = Region.objects.get(code=registry.COUNTY)
    village = clerk.region_id
    life = Life()
    _populations(today, life)
    recalculate_now(region=county_region, as_of=today, user=county)
    life.add(
        "资格测算结果",
        EligibilityResult.objects.filter(household__village_id__in=list(registry.DEMO_VILLAGES)).count(),
    )

    eligible = list(
        Household.objects.filter(
            village_id=village,
            review_state=ReviewState.VERIFIED,
            eligibility_results__program_id="dibao",
            eligibility_results__eligible=True,
        )
        .exclude(dibao_cases__isnull=False)
        .distinct()
        .order_by("pk")
    )
    pick = iter(eligible)
    confirmed_on = (today - relativedelta(months=ROLL_MONTHS + 1)).replace(day=10)

    def case_until(status: str, *, applied_on: dt.date) -> DibaoCase | None:
        household = next(pick, None)
        if household is None:
            return None
        case = cases.apply_case(household=household, user=clerk, applied_on=applied_on)
        life.add("低保案件：" + (STEP_LABELS.get(status) or CaseStatus(status).label))
        if status == CaseStatus.APPLIED:
            return case
        if status == "returned":
            cases.return_case(case=case, user=township, reason="申请书缺少家庭成员签字，请补齐后重新提交")
            return case
        cases.start_investigation(case=case, user=township)
        if status == CaseStatus.INVESTIGATING:
            return case
        if status == "objected":
            start = today - dt.timedelta(days=3)
            cases.start_publicity(case=case, user=township, start=start, place="东屏村村务公开栏")
            cases.record_objection(
                case=case, user=township, reason="群众反映该户有一辆货车未申报，请核实", received_on=today
            )
            return case
        if status == CaseStatus.IN_PUBLICITY:
            cases.start_publicity(
                case=case, user=township, start=today - dt.timedelta(days=2), place="东屏村村务公开栏"
            )
            return case
        start = min(applied_on + dt.timedelta(days=10), today - dt.timedelta(days=8))
        cases.start_publicity(case=case, user=township, start=start, place="东屏村村务公开栏")
        cases.close_publicity(case=case, user=township, on=start + dt.timedelta(days=7))
        if status == CaseStatus.CONFIRMING:
            return case
        if status == CaseStatus.REFUSED:
            cases.refuse_case(
                case=case, user=county, reason="家庭人均金融资产超过规定标准", on=today - dt.timedelta(days=2)
            )
            return case
        return cases.confirm_case(case=case, user=county, on=max(start + dt.timedelta(days=8), confirmed_on))

    # Paying cases first (the rolls of the last months pay them), then one of every other state.
    active = [
        case_until(CaseStatus.ACTIVE, applied_on=confirmed_on - dt.timedelta(days=30)) for _ in range(14)
    ]
    active = [c for c in active if c is not None]
    for status in OTHER_STATES:
        case_until(status, applied_on=today - dt.timedelta(days=20))

    if len(active) >= 4:
        # 渐退 ended: two months from four months ago; 渐退 in progress: six months from last month.
        ended = phase_out.propose_phase_out(
            case=active[0], on=today - relativedelta(months=5), income=active[0].standard_month * 12 * 2
        )
        phase_out.approve_phase_out(
            phase_out=ended,
            user=county,
            months=2,
            start=today - relativedelta(months=4),
            on=today - relativedelta(months=5),
        )
        running = phase_out.propose_phase_out(
            case=active[1], on=today - relativedelta(months=2), income=active[1].standard_month * 12 * 2
        )
        phase_out.approve_phase_out(
            phase_out=running,
            user=county,
            months=6,
            start=today - relativedelta(months=1),
            on=today - relativedelta(months=2),
        )
        # 拟渐退 (proposed by the income rise, waiting for the county) and a 停保.
        phase_out.propose_phase_out(
            case=active[2], on=today - dt.timedelta(days=5), income=active[2].standard_month * 12 * 2
        )
        cases.stop_case(
            case=active[3], user=county, month=today.replace(day=1), reason="全家迁出本县，户籍已注销"
        )
        phase_out.process_phase_outs(today=today, prefix=registry.COUNTY[:6])
        life.add("渐退", 3)
        life.add("停保", 1)

    demo_monitoring.build(
        clerk=clerk, township=township, county=county, village=village, today=today, life=life
    )
    _tekun(clerk, county, village, today, life)
    _subsidies(clerk, village, life)
    _rolls(county_region, {"clerk": clerk, "township": township, "county": county}, today, life)
    _registry_work(clerk, township, village, life)
    return life


def _populations(today: dt.date, life: Life) -> None:
    for code in Region.objects.filter(code__in=registry.POOR_VILLAGES).values_list("code", flat=True):
        people = Member.objects.filter(household__village_id=code).count()
        for year in sorted({2019, 2020, today.year - 1, today.year}):
            VillagePopulation.objects.get_or_create(
                village_id=code,
                year=year,
                defaults={
                    "agricultural_population": max(people * 6, 800),
                    "source": "村委会户籍统计（演示）",
                },
            )
            life.add("村农业户籍人口")


def _tekun(clerk, county, village: str, today: dt.date, life: Life) -> None:
    """特困: the county takes in two old people living alone; a third application waits for review."""
    alone = list(
        Member.objects.filter(
            household__village_id=village,
            household__review_state=ReviewState.VERIFIED,
            household__dibao_cases__isnull=True,
            relation=Relation.HEAD,
            birth_date__lte=today - relativedelta(years=70),
        )
        .exclude(household__members__relation=Relation.SPOUSE)
        .order_by("pk")[:3]
    )
    start = (today - relativedelta(months=ROLL_MONTHS)).replace(day=1)
    for member in alone[:2]:
        tekun.start_tekun(
            member=member, user=county, mode=TekunMode.DISPERSED, self_care=SelfCare.FULL, start_month=start
        )
        life.add("特困供养：保障中")
    for member in alone[2:]:
        tekun.apply_tekun(member=member, user=clerk, mode=TekunMode.DISPERSED, self_care=SelfCare.PARTIAL)
        life.add("特困供养：待审核")


def _subsidies(clerk, village: str, life: Life) -> None:
    """两项补贴 come with the confirmed 低保 cases; one 护理补贴 application outside 低保 waits."""
    member = (
        Member.objects.filter(
            household__village_id=village,
            household__review_state=ReviewState.VERIFIED,
            household__dibao_cases__isnull=True,
            health=Health.DISABLED,
            disability_grade__in=[1, 2],
        )
        .order_by("pk")
        .first()
    )
    if member is not None:
        subsidies.apply_subsidy(member=member, user=clerk)
        life.add("两项补贴：待审核")


def _rolls(county_region, users: dict, today: dt.date, life: Life) -> None:
    """Confirmed rolls of the last months, each sent to the bank and reconciled (devdata.bank:
    two failures two months ago, one corrected and re-issued last month); this month's is a draft."""
    county = users["county"]
    this_month = today.replace(day=1)
    layouts = demo_bank.layouts(county_region)
    for back in range(ROLL_MONTHS, 0, -1):
        month = this_month - relativedelta(months=back)
        for program in (Program.DIBAO, Program.TEKUN, Program.DISABILITY):
            roll = rolls.generate_roll(county=county_region, month=month, program=program, user=county)
            roll = rolls.confirm_roll(roll=roll, user=county)
            life.add("已确认发放表")
            demo_bank.pay(roll=roll, back=back, users=users, layouts=layouts, life=life)
    rolls.generate_roll(county=county_region, month=this_month, program=Program.DIBAO, user=county)
    life.add("本月发放表（草稿）")


def _registry_work(clerk, township, village: str, life: Life) -> None:
    """Households submitted and returned with reasons; change requests waiting and returned."""
    drafts = list(
        Household.objects.filter(village_id=village, review_state=ReviewState.DRAFT).order_by("pk")[:5]
    )
    for i, household in enumerate(drafts[:4]):
        chain.submit(record=household, user=clerk)
        if i < len(RETURN_REASONS):
            chain.return_to_lower(record=household, user=township, reason=RETURN_REASONS[i])
            life.add("退回村修正的户")
        else:
            life.add("待镇审核的户")
    verified = list(
        Household.objects.filter(
            village_id=village, review_state=ReviewState.VERIFIED, dibao_cases__isnull=True
        ).order_by("-pk")[:2]
    )
    for i, household in enumerate(verified):
        change = workflow.open_change_request(
            household=household,
            user=clerk,
            changes={"household": {"phone": f"1390000{household.pk % 10000:04d}"}},
            note="户主更换手机号码",
        )
        if i == 0:
            chain.return_to_lower(record=change, user=township, reason="请附新号码的实名登记截图")
            life.add("变更申请：退回")
        else:
            life.add("变更申请：待审核")

"""防返贫监测 in the demo county, done through the real services: leads from every source (农户自主申报,
干部走访排查, 部门筛查预警 from an uploaded 医保 list, 系统测算) in every state — waiting for 入户核实
(on time, 逾期 orange, 逾期 red), in a 认定 at each level of the chain, closed with each outcome —
monitored households with measures, one 风险消除 decided and one refused by the rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction

from assistance.monitoring.choices import LeadOutcome, LeadSource
from assistance.monitoring.models import MonitoringLead, MonitoringRecord, MonitoringVisit
from assistance.monitoring.services import leads, measures, records, visits
from core.choices import ReviewState
from core.models import Region
from core.workflow import services as chain
from households.models import Household

FINDINGS = {
    "illness": "户主患病住院，年度自付医疗费用较高，家庭收入下降",
    "employment": "家中主要劳动力务工中断，近三个月无稳定收入",
    "disaster": "暴雨致房屋受损、玉米绝收",
    "education": "两名子女在读，教育支出较大",
}


def build(*, clerk, township, county, village: str, today: dt.date, life) -> None:
    candidates = (
        Household.objects.filter(
            village_id=village, review_state=ReviewState.VERIFIED, monitoring_state="none"
        )
        .exclude(dibao_cases__status__in=["active", "phasing_out"])
        .order_by("pk")
    )
    # the episode that reaches 风险消除 needs a household whose 两不愁三保障 hold and who can work
    secure = list(
        candidates.filter(has_safe_water=True)
        .exclude(danger_level__in=["C", "D"])
        .exclude(members__member_status="normal", members__in_medical_ins=False)
        .filter(members__labor__in=["ordinary", "skilled"])
        .distinct()[:1]
    )
    rest = [h for h in candidates[:40] if h not in secure]
    region = Region.objects.get(code=village)
    pick = iter(secure + rest)

    def lead(source, risk, days_ago, *, household=True, **extra):
        hh = next(pick) if household else None
        return leads.create_lead(
            user=clerk, village=region, household=hh, source=source, risk_types=[risk],
            description=FINDINGS[risk], detected_on=today - dt.timedelta(days=days_ago),
            name="" if hh else extra.pop("name", "刘桂芝"), **extra,
        )  # fmt: skip

    def verified(found, *, days_ago=0, risk="illness", income=Decimal("4200"), category="sudden_hardship"):
        return visits.record_verification(
            lead=found, user=clerk, visited_on=today - dt.timedelta(days=days_ago),
            visitors="村文书、帮扶责任人", findings=FINDINGS[risk], risk_found=True, risk_types=[risk],
            category=category, percap_income=income,
        )  # fmt: skip

    def self_reported(risk, days_ago):
        head = next(pick).members.get(relation="head")
        return leads.self_report(
            village=region, name=head.name, id_no=head.id_no, phone="13941000001", risk_types=[risk],
            description=FINDINGS[risk], today=today - dt.timedelta(days=days_ago),
        )  # fmt: skip

    def submitted(record):
        records.submit_record(record=record, user=clerk, democratic_review_date=today)

    def publicity(record, *, open_now=False):
        start = today - dt.timedelta(days=2 if open_now else 8)
        notice = records.start_publicity(record=record, user=township, start=start, place="东屏村村务公开栏")
        if not open_now:
            chain.close_publicity(publicity=notice, user=township)

    def episodes():
        found = []
        for risk, category in (("illness", "sudden_hardship"), ("education", "edge_vulnerable")):
            record = verified(lead(LeadSource.CADRE_VISIT, risk, 12), risk=risk, category=category).record
            submitted(record)
            publicity(record)
            records.township_approve(record=record, user=township)
            found.append(
                records.decide_identification(record=record, user=county, include=True, category=category)
            )
        life.add("防返贫监测对象", 2)
        measures.add_measure(
            episode=found[0], user=clerk, kind="health", risk_type="illness",
            content="医疗救助、大病保险二次报销", date=today, responsible_unit="县医保局",
        )  # fmt: skip
        _eliminated(found[0], clerk=clerk, township=township, county=county, today=today, life=life)

    def in_chain():
        # a draft after 入户核实, a 公示 open at the township, one waiting for the county
        verified(lead(LeadSource.CADRE_VISIT, "illness", 2))
        record = verified(lead(LeadSource.CADRE_VISIT, "employment", 6), risk="employment").record
        submitted(record)
        publicity(record, open_now=True)
        record = verified(lead(LeadSource.CADRE_VISIT, "disaster", 9), risk="disaster").record
        submitted(record)
        publicity(record)
        records.township_approve(record=record, user=township)
        life.add("监测认定（办理中）", 3)

    def closed():
        # 纳入低保/特困, 县级审定不纳入 (核实无风险 comes with every source below)
        leads.close_lead(
            lead=lead(LeadSource.CADRE_VISIT, "illness", 5), user=clerk, outcome=LeadOutcome.DIBAO_TEKUN,
            reason="符合低保条件，已受理低保申请",
        )  # fmt: skip
        record = verified(lead(LeadSource.CADRE_VISIT, "employment", 14), risk="employment").record
        submitted(record)
        publicity(record)
        records.township_approve(record=record, user=township)
        records.decide_identification(
            record=record, user=county, include=False, reason="家庭收入高于监测线，不纳入"
        )
        life.add("监测线索（已办结）", 2)

    def every_source():
        # every source in every state: waiting (on time / 逾期 orange / red at the county), in a 认定,
        # closed 核实无风险; (risk, days ago): the older ones are past their 入户核实 deadline
        reported = [self_reported(r, d) for r, d in (("education", 1), ("illness", 4), ("employment", 3))]
        visited = [
            lead(LeadSource.CADRE_VISIT, r, d)
            for r, d in (("disaster", 12), ("illness", 3), ("employment", 2))
        ]
        agency = _agency_leads(county, village, [next(pick) for _ in range(3)], today)
        leads.leads_from_system(county_code=village[:6].ljust(12, "0"), today=today)
        system = list(
            MonitoringLead.objects.filter(source=LeadSource.SYSTEM, village_id=village).order_by("pk")[:3]
        )
        for found in (reported, visited, agency, system):
            if len(found) < 3:
                continue
            verified(
                found[1], risk=found[1].risk_types[0] if found[1].risk_types[0] in FINDINGS else "illness"
            )
            visits.record_verification(
                lead=found[2], user=clerk, visited_on=today, visitors="村文书、帮扶责任人",
                findings="经核实家庭收入稳定，无返贫致贫风险", risk_found=False,
            )  # fmt: skip
        life.add("监测线索（各来源：待核实、认定中、核实无风险）", len(reported + visited + agency + system))

    # the most telling states first: a small demo village runs out of households for the rest
    sections = (("监测对象与风险消除", episodes), ("办理中的认定", in_chain), ("办结的线索", closed),
                ("各来源线索", every_source))  # fmt: skip
    for name, section in sections:
        try:
            with transaction.atomic():
                section()
        except (StopIteration, ValidationError) as why:
            life.add(f"防返贫监测演示（{name}）未生成：{_reason(why)}")


def _reason(why: Exception) -> str:
    return "演示村可用农户不足" if isinstance(why, StopIteration) else "；".join(why.messages)[:60]


def _eliminated(episode, *, clerk, township, county, today: dt.date, life) -> None:
    """The demo's oldest episode began eight months ago: its history is dated back (lead, 认定), then
    six monthly 回访 above the line allow the 风险消除, which passes the chain."""
    began = today - relativedelta(months=8)
    MonitoringRecord.objects.filter(pk=episode.pk).update(
        lead_date=began, decided_on=began + dt.timedelta(days=9)
    )
    MonitoringLead.objects.filter(record=episode).update(detected_on=began)
    MonitoringVisit.objects.filter(record=episode).update(visited_on=began)
    episode.refresh_from_db()
    for months in range(7, 0, -1):
        visits.record_follow_up(
            episode=episode, user=clerk, visited_on=today - relativedelta(months=months),
            visitors="帮扶责任人",
            findings="医保报销后家庭收入恢复", percap_income=Decimal("9800"),
        )  # fmt: skip
    try:
        proposal = records.propose_elimination(episode=episode, user=clerk)
    except ValidationError as refused:  # the demo data changed under it: say why, keep the rest
        life.add(f"风险消除未能提出：{refused.messages[0][:60]}")
        return
    records.submit_record(record=proposal, user=clerk, democratic_review_date=today)
    start = today - dt.timedelta(days=8)
    notice = records.start_publicity(record=proposal, user=township, start=start, place="东屏村村务公开栏")
    chain.close_publicity(publicity=notice, user=township)
    records.township_approve(record=proposal, user=township)
    records.decide_elimination(record=proposal, user=county, eliminate=True)
    life.add("风险消除")


def _agency_leads(county, village: str, households, today: dt.date) -> list:
    """A 医保 list from the county's 医疗保障局: the heads of `households` above the threshold, one person
    outside the register; checked at once (the upload's own task may run it again: nothing is added)."""
    from core.idcard import make_id
    from reports.crosscheck import services as crosscheck
    from reports.crosscheck.choices import ListKind

    lines = ["县医疗保障局高额医疗费用人员名单,,,", "姓名,公民身份号码,年度个人自付,所在村"]
    for n, household in enumerate(households):
        head = household.members.get(relation="head")
        lines.append(f"{head.name},{head.id_no},{62000 + n * 9000}.00,")
    name = Region.objects.get(code=village).name
    lines.append(f"何素珍,{make_id(village[:6], dt.date(1968, 4, 9), 7, male=False)},58000.00,{name}")
    batch = crosscheck.upload_list(
        user=county, data=("\r\n".join(lines) + "\r\n").encode("gbk"), filename="医保高额自付名单.csv",
        kind=ListKind.MEDICAL_SELF_PAY, cutoff_date=today, source_agency="县医疗保障局", today=today,
    )  # fmt: skip
    crosscheck.run_checks(
        county=Region.objects.get(code=village[:6].ljust(12, "0")), as_of=today, batch=batch
    )
    return list(
        MonitoringLead.objects.filter(source=LeadSource.AGENCY_WARNING, household__in=households).order_by(
            "pk"
        )
    )

"""Builders for 防返贫监测 tests: a registered household, a lead taken through the chain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from assistance.monitoring.services import leads, records, visits
from core.choices import ReviewState
from core.workflow import services as chain
from households.choices import Relation
from tests.factories import HouseholdFactory, IncomeYearFactory, MemberFactory, user_for, valid_id


def registered_household(village, *, persons: int = 3, labor: str = "ordinary", **kwargs):
    kwargs.setdefault("review_state", ReviewState.VERIFIED)
    household = HouseholdFactory(village=village, **kwargs)
    for i in range(persons):
        MemberFactory(
            household=household, relation=Relation.HEAD if i == 0 else Relation.SON, sex="male",
            id_no=valid_id(dt.date(1975, 1, 1) + dt.timedelta(days=i)), labor=labor, in_medical_ins=True,
        )  # fmt: skip
    IncomeYearFactory(household=household, wage=Decimal(5000) * persons)
    return household


def verify(
    lead, clerk, *, on=None, risk_types=("illness",), category="sudden_hardship", income=Decimal("3000")
):
    return visits.record_verification(
        lead=lead, user=clerk, visited_on=on or timezone.localdate(), visitors="村文书、帮扶责任人",
        findings="户主住院，医疗费用高", risk_found=True, risk_types=list(risk_types), category=category,
        percap_income=income,
    )  # fmt: skip


def publicity_passed(record, township):
    """村民主评议 was recorded at submit; the township runs a 公示 that ended yesterday without objection."""
    start = timezone.localdate() - dt.timedelta(days=8)
    publicity = records.start_publicity(record=record, user=township, start=start, place="村务公开栏")
    chain.close_publicity(publicity=publicity, user=township)


def through_chain(record, clerk, county_admin, *, include=True, category="sudden_hardship", reason=""):
    """村提交 → 公示 → 乡镇审核 → 县级审定."""
    township = user_for(record.household.village.parent)
    records.submit_record(record=record, user=clerk, democratic_review_date=timezone.localdate())
    publicity_passed(record, township)
    records.township_approve(record=record, user=township)
    if record.purpose == "eliminate":
        return records.decide_elimination(record=record, user=county_admin, eliminate=include, reason=reason)
    return records.decide_identification(
        record=record, user=county_admin, include=include, category=category, reason=reason
    )


def monitored(village, clerk, county_admin, **kwargs):
    """A household decided 纳入监测 (因病) through a cadre's lead: (household, episode)."""
    household = registered_household(village, **kwargs)
    lead = leads.create_lead(
        user=clerk, village=village, household=household, risk_types=["illness"], description="住院",
        detected_on=timezone.localdate() - dt.timedelta(days=3),
    )  # fmt: skip
    visit = verify(lead, clerk)
    return household, through_chain(visit.record, clerk, county_admin)


def episode(household, *, category="edge_vulnerable", risk_types=("illness",), eliminated_on=None, days=7):
    """An approved 纳入监测 record stored directly (the chain itself is tested elsewhere): ledgers and
    statistics read these."""
    from assistance.monitoring.models import MonitoringRecord

    decided = timezone.localdate() - dt.timedelta(days=30)
    state = "risk_eliminated" if eliminated_on else "at_risk"
    type(household).objects.filter(pk=household.pk).update(monitoring_state=state)
    return MonitoringRecord.objects.create(
        household=household, purpose="identify", source="cadre_visit", category=category,
        risk_types=list(risk_types), lead_date=decided - dt.timedelta(days=days),
        review_state=ReviewState.VERIFIED, decision="included", decided_on=decided, days_to_identify=days,
        eliminated_on=eliminated_on,
    )  # fmt: skip

"""Scenarios 50–55 of 防返贫监测 (issue 25) at the service level; the public page and the browser path
have their own tests (test_public_page.py, tests/e2e/test_monitoring.py)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assistance.monitoring.choices import Decision, LeadOutcome, LeadSource, LeadStatus
from assistance.monitoring.services import leads
from core.choices import ReviewState
from core.workflow.models import WorkflowEvent
from households.choices import MonitoringState
from tests.assistance.monitoring.helpers import registered_household, through_chain, verify

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 11, 27)  # a Friday without holidays around it


def test_scenario_50_self_report_to_identification_with_the_weekend_not_counted(
    village_a, clerk_a, county_admin
):
    household = registered_household(village_a)
    head = household.members.get(relation="head")
    lead = leads.self_report(
        village=village_a, name=head.name, id_no=head.id_no, phone="13800001111", risk_types=["illness"],
        description="户主突发重病住院，自付医疗费较多", today=FRIDAY,
    )  # fmt: skip
    assert lead.source == LeadSource.SELF_REPORT
    assert lead.household == household
    assert lead.receipt_no
    # 2 working days after a Friday: Monday and Tuesday (the weekend does not count)
    assert lead.verify_deadline == dt.date(2026, 12, 1)
    assert lead.identify_deadline == FRIDAY + dt.timedelta(days=15)
    visit = verify(lead, clerk_a, on=dt.date(2026, 11, 30))
    lead.refresh_from_db()
    assert lead.status == LeadStatus.IN_REVIEW
    assert lead.verified_on <= lead.verify_deadline
    record = through_chain(visit.record, clerk_a, county_admin, category="sudden_hardship")
    assert record.review_state == ReviewState.VERIFIED
    assert record.decision == Decision.INCLUDED
    assert record.get_category_display() == "突发严重困难户"
    assert record.days_to_identify == (timezone.localdate() - FRIDAY).days
    household.refresh_from_db()
    assert household.monitoring_state == MonitoringState.AT_RISK
    lead.refresh_from_db()
    assert (lead.status, lead.outcome) == (LeadStatus.CLOSED, LeadOutcome.MONITORED)
    steps = list(
        WorkflowEvent.objects.filter(record_kind="monitoring_record", record_id=record.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert steps == ["submit", "start_publicity", "close_publicity", "approve", "approve"]


def test_county_cannot_decide_before_the_township_and_township_needs_the_publicity(
    village_a, clerk_a, township_reviewer_a, county_admin
):
    from assistance.monitoring.services import records

    household = registered_household(village_a)
    lead = leads.create_lead(user=clerk_a, village=village_a, household=household, risk_types=["illness"])
    record = verify(lead, clerk_a).record
    records.submit_record(record=record, user=clerk_a, democratic_review_date=timezone.localdate())
    with pytest.raises(ValidationError, match="尚未到县级审定"):
        records.decide_identification(
            record=record, user=county_admin, include=True, category="edge_vulnerable"
        )
    with pytest.raises(ValidationError, match="公示"):
        records.township_approve(record=record, user=township_reviewer_a)
    records.return_record(record=record, user=township_reviewer_a, reason="请补充医疗费用票据")
    record.refresh_from_db()
    assert record.review_state == ReviewState.RETURNED_TO_VILLAGE


def test_county_excludes_with_a_reason_and_the_lead_closes_as_not_included(village_a, clerk_a, county_admin):
    household = registered_household(village_a)
    lead = leads.create_lead(user=clerk_a, village=village_a, household=household, risk_types=["employment"])
    record = verify(lead, clerk_a, risk_types=["employment"]).record
    with pytest.raises(ValidationError, match="理由"):
        through_chain(record, clerk_a, county_admin, include=False)
    record.refresh_from_db()
    from assistance.monitoring.services import records

    records.decide_identification(record=record, user=county_admin, include=False, reason="务工收入已恢复")
    lead.refresh_from_db()
    household.refresh_from_db()
    assert (lead.status, lead.outcome) == (LeadStatus.CLOSED, LeadOutcome.NOT_INCLUDED)
    assert household.monitoring_state == MonitoringState.NONE

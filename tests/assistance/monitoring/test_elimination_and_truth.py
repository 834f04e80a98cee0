"""Scenarios 53 (风险消除 by rule) and 55 (the ledger and the 工作台 count approved records only and
agree), and the measure ↔ risk link."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from assistance.monitoring.choices import Decision
from assistance.monitoring.services import leads, measures, records, visits
from households.choices import MonitoringState
from reports import statistics
from reports.exporting import start_export
from tests.assistance.monitoring.helpers import monitored, registered_household, through_chain, verify

pytestmark = pytest.mark.django_db


def _follow_ups(episode, clerk, months_back, income=Decimal("9000")):
    today = timezone.localdate()
    for m in range(months_back, 0, -1):
        visits.record_follow_up(
            episode=episode, user=clerk, visited_on=today - relativedelta(months=m), visitors="帮扶责任人",
            findings="务工收入稳定", percap_income=income,
        )  # fmt: skip


def _backdate(episode, months):
    """The episode began `months` ago (its lead, 入户核实 and 认定), so months of 回访 can follow it."""
    from assistance.monitoring.models import MonitoringRecord, MonitoringVisit

    began = timezone.localdate() - relativedelta(months=months)
    MonitoringRecord.objects.filter(pk=episode.pk).update(lead_date=began)
    MonitoringVisit.objects.filter(record=episode).update(visited_on=began)
    episode.refresh_from_db()


def test_scenario_53_elimination_refused_at_4_months_allowed_at_6_with_a_measure_never_without_labour(
    village_a, clerk_a, county_admin
):
    household, episode = monitored(village_a, clerk_a, county_admin)
    _backdate(episode, 9)
    _follow_ups(episode, clerk_a, 4)
    with pytest.raises(ValidationError) as refused:
        records.propose_elimination(episode=episode, user=clerk_a)
    text = "；".join(refused.value.messages)
    assert "仅 4 个月，须稳定超过 6 个月以上" in text
    assert "尚未落实任何帮扶措施" in text
    with pytest.raises(ValidationError, match="不是针对“因病”风险"):
        measures.add_measure(
            episode=episode, user=clerk_a, kind="education", risk_type="illness", content="助学",
            date=timezone.localdate(), responsible_unit="县教育局",
        )  # fmt: skip
    measures.add_measure(
        episode=episode, user=clerk_a, kind="health", risk_type="illness", content="大病保险二次报销",
        date=timezone.localdate(), responsible_unit="县医保局",
    )  # fmt: skip
    _follow_ups(episode, clerk_a, 6)  # two more months back: the unbroken run above the line is 6 months
    proposal = records.propose_elimination(episode=episode, user=clerk_a)
    assert proposal.elimination_reasons[0] == "符合风险消除条件，可提出风险消除"
    decided = through_chain(proposal, clerk_a, county_admin)
    assert decided.decision == Decision.ELIMINATED
    episode.refresh_from_db()
    household.refresh_from_db()
    assert episode.eliminated_on == timezone.localdate()
    assert household.monitoring_state == MonitoringState.RISK_ELIMINATED
    # eliminated households stay followed: a new risk reopens them
    lead = leads.create_lead(user=clerk_a, village=village_a, household=household, risk_types=["disaster"])
    reopened = through_chain(verify(lead, clerk_a, risk_types=["disaster"]).record, clerk_a, county_admin)
    household.refresh_from_db()
    assert reopened.decision == Decision.INCLUDED
    assert household.monitoring_state == MonitoringState.AT_RISK


def test_scenario_53_no_member_able_to_work_is_never_eliminated_while_the_parameter_is_on(
    village_a, clerk_a, county_admin
):
    household, episode = monitored(village_a, clerk_a, county_admin, labor="lost")
    _backdate(episode, 9)
    measures.add_measure(
        episode=episode, user=clerk_a, kind="safety_net", risk_type="illness", content="纳入低保兜底",
        date=timezone.localdate(), responsible_unit="县民政局",
    )  # fmt: skip
    _follow_ups(episode, clerk_a, 8)
    with pytest.raises(ValidationError, match="家庭无劳动能力成员，按规定不标注风险消除"):
        records.propose_elimination(episode=episode, user=clerk_a)


def _cells(user, tmp_path, name):
    outcome = start_export(user=user, key="monitoring")
    book = openpyxl.load_workbook(outcome.path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return [r for r in rows if isinstance(r[0], int)]


def _count(user) -> int:
    return sum(r["households"] for r in statistics.STATISTICS["monitoring-categories"][0](user))


def test_scenario_55_ledger_and_workbench_hold_approved_records_only_and_agree(
    village_a, clerk_a, township_reviewer_a, county_admin, tmp_path
):
    monitored(village_a, clerk_a, county_admin)
    rows, count = _cells(county_admin, tmp_path, "a"), _count(county_admin)
    assert len(rows) == count == 1
    summary = statistics.STATISTICS["monitoring-summary"][0](county_admin)
    assert sum(r["objects"] for r in summary) == 1
    # a lead, and a record in review (even one waiting for the county), move neither
    household = registered_household(village_a)
    lead = leads.create_lead(user=clerk_a, village=village_a, household=household, risk_types=["illness"])
    record = verify(lead, clerk_a).record
    records.submit_record(record=record, user=clerk_a, democratic_review_date=timezone.localdate())
    from tests.assistance.monitoring.helpers import publicity_passed

    publicity_passed(record, township_reviewer_a)
    records.township_approve(record=record, user=township_reviewer_a)
    leads.create_lead(user=clerk_a, village=village_a, name="孙小军", risk_types=["accident"])
    assert len(_cells(county_admin, tmp_path, "b")) == _count(county_admin) == 1
    # the county's decision moves both, together
    records.decide_identification(record=record, user=county_admin, include=True, category="edge_vulnerable")
    assert len(_cells(county_admin, tmp_path, "c")) == _count(county_admin) == 2
    summary = statistics.STATISTICS["monitoring-summary"][0](county_admin)
    assert sum(r["leads_open"] for r in summary) == 1  # the unregistered person's lead
    assert all(r["avg_days_to_identify"] is not None for r in summary if r["objects"])


def test_statistics_out_of_scope_region_is_not_found(village_a, village_b, clerk_a):
    from django.http import Http404

    with pytest.raises(Http404):
        statistics.STATISTICS["monitoring-summary"][0](clerk_a, village_b.code)
    assert dt.date  # noqa: B018

"""Scenarios 51 (逾期 on the 工作台) and 52 (an agency list adds a lead, closed only with an outcome)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assistance.monitoring.choices import LeadOutcome, LeadSource, LeadStatus, Severity
from assistance.monitoring.models import MonitoringLead
from assistance.monitoring.services import leads
from reports import todo
from reports.crosscheck import services
from reports.crosscheck.choices import ListKind
from tests.assistance.factories import active_case, dibao_household
from tests.assistance.monitoring.helpers import registered_household
from tests.factories import valid_id

pytestmark = pytest.mark.django_db


def risk_csv(rows) -> bytes:
    """A 医保 list as the agency sends it: a title row, then 姓名, 身份证号, 年度个人自付, 所在村."""
    lines = ["县医疗保障局2026年度高额医疗费用人员名单,,,", "姓名,公民身份号码,年度个人自付,所在村"]
    lines += [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def upload_medical(user, rows, capture):
    with capture(execute=True):
        return services.upload_list(
            user=user, data=risk_csv(rows), filename="医保名单.csv", kind=ListKind.MEDICAL_SELF_PAY,
            cutoff_date=timezone.localdate(), source_agency="县医保局",
        )  # fmt: skip


def test_scenario_52_medical_list_adds_a_high_lead_that_closes_only_with_an_outcome(
    village_a, village_b, clerk_a, county_admin, django_capture_on_commit_callbacks
):
    plain = registered_household(village_a)
    patient = plain.members.get(relation="head")
    on_dibao = dibao_household(village=village_a, persons=2, income_per_person=2000)
    active_case(household=on_dibao, county_user=county_admin)
    below = registered_household(village_a)
    stranger = valid_id(dt.date(1970, 5, 5))
    rows = [
        (patient.name, patient.id_no, "60000.00", ""),  # threshold 50,000: a lead of severity 高
        (on_dibao.members.first().name, on_dibao.members.first().id_no, "80000", ""),  # covered by 低保
        (below.members.first().name, below.members.first().id_no, "20000", ""),  # under the threshold
        ("赵大山", stranger, "55000", village_b.name),  # not in the register: a lead for 乙村
    ]
    batch = upload_medical(county_admin, rows, django_capture_on_commit_callbacks)
    assert batch.runs.get().leads_found == 2
    lead = MonitoringLead.objects.get(household=plain)
    assert (lead.source, lead.source_kind, lead.severity) == (
        LeadSource.AGENCY_WARNING,
        "medical_self_pay",
        Severity.HIGH,
    )
    assert (lead.village_id, lead.risk_types) == (village_a.code, ["illness"])
    assert "60000.00 元" in lead.description
    newcomer = MonitoringLead.objects.get(household__isnull=True)
    assert (newcomer.village_id, newcomer.id_no) == (village_b.code, stranger)
    # set-based and keyed: the same list checked again adds nothing
    services.run_checks(county=village_a.parent.parent, as_of=timezone.localdate(), batch=batch)
    assert MonitoringLead.objects.count() == 2
    # it cannot be closed without an outcome (and its reason)
    with pytest.raises(ValidationError, match="办理结果"):
        leads.close_lead(lead=lead, user=clerk_a, outcome="", reason="已核实")
    with pytest.raises(ValidationError, match="办理说明"):
        leads.close_lead(lead=lead, user=clerk_a, outcome=LeadOutcome.NO_RISK, reason=" ")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        MonitoringLead.objects.filter(pk=lead.pk).update(status=LeadStatus.CLOSED)
    leads.close_lead(
        lead=lead, user=clerk_a, outcome=LeadOutcome.NO_RISK, reason="大病保险报销后自付已降至1万元"
    )
    lead.refresh_from_db()
    assert (lead.status, lead.outcome) == (LeadStatus.CLOSED, LeadOutcome.NO_RISK)


def _item(user, key, today):
    return next((i for i in todo.items_for(user, today) if i.key == key), None)


def test_scenario_51_overdue_lead_is_orange_below_the_county_and_red_on_the_county_past_the_second_limit(
    village_a, clerk_a, township_reviewer_a, county_admin
):
    household = registered_household(village_a)
    friday = dt.date(2026, 11, 27)
    lead = leads.create_lead(
        user=clerk_a, village=village_a, household=household, risk_types=["illness"], detected_on=friday
    )
    assert lead.verify_deadline == dt.date(2026, 12, 1)  # Monday and Tuesday
    # on the deadline: waiting, not late
    on_time = dt.date(2026, 12, 1)
    assert _item(clerk_a, "monitoring.overdue", on_time) is None
    assert _item(clerk_a, "monitoring.leads", on_time).rows[0].tone == ""
    # the day after: 逾期 (orange) for the village and the township, nothing red for the county yet
    late = dt.date(2026, 12, 2)
    for user in (clerk_a, township_reviewer_a):
        item = _item(user, "monitoring.overdue", late)
        assert (item.count, item.tone, item.rows[0].tone) == (1, "orange", "orange")
    assert _item(county_admin, "monitoring.overdue_red", late) is None
    # past the second limit (monitor.overdue_red_days = 5): red on the county's 工作台
    very_late = dt.date(2026, 12, 7)
    item = _item(county_admin, "monitoring.overdue_red", very_late)
    assert (item.count, item.tone, item.rows[0].tone) == (1, "red", "red")
    assert "严重逾期" in item.title
    assert _item(county_admin, "monitoring.overdue_red", dt.date(2026, 12, 6)) is None

"""Agency lists that signal a risk (R27, 部门筛查预警: 医保 high self-pay, new disability certificates,
school dropouts, unemployment registrations, disaster losses) add people: each row of a county's
list becomes a 防返贫监测 lead (assistance.monitoring) in one INSERT … SELECT, never a loop per row.

A row becomes a lead when its amount reaches the kind's threshold (monitor.warning.*), and
- the person is an active member of a household of the county that is not monitored now (风险未消除),
  not covered by 低保 (paying) or 特困, and has no open lead and no 认定 in progress: a lead for the
  household's village;
- or the person is not in the county's register: a lead for the village the list names (村代码, or a
  village name found once in the county), else for the county itself, which assigns it.
Graded 高/中/低 by monitor.warning.severity, deadlines from the village's parameters and the holiday
calendar (one set per run: every lead of a run is found on the same day). Keyed on (batch, row), so a
re-run adds nothing. ≈100,000 rows against a 1,000,000-household county: bench/monitoring.py."""

from __future__ import annotations

import datetime as dt

from assistance.monitoring import rules
from assistance.monitoring.params import lead_deadlines, monitoring_params
from assistance.monitoring.services.leads import insert_leads
from reports.crosscheck.choices import RISK_KINDS, ListKind
from reports.crosscheck.models import OutsideList

THRESHOLDS = {
    ListKind.MEDICAL_SELF_PAY: "monitor.warning.medical_self_pay",
    ListKind.DISASTER_LOSS: "monitor.warning.disaster_loss",
}

RISK_LEADS = """
    WITH rows AS MATERIALIZED (
        SELECT r.id AS row_id, r.id_no, r.name, r.event_date, r.detail, r.amount, r.village_code,
               r.village_name
        FROM reports_outsidelistrow r
        WHERE r.batch_id = %(batch)s
          AND (%(min_amount)s::numeric IS NULL OR r.amount IS NULL OR r.amount >= %(min_amount)s::numeric)
    ), found AS MATERIALIZED (
        -- the member with this number in the county's register (18 digits, or stored in the old
        -- 15-digit form), by index: one probe per row
        SELECT x.*, m.member_id, m.household_id, m.village_id, m.monitoring_state
        FROM rows x
        LEFT JOIN LATERAL (
            SELECT m.id AS member_id, h.id AS household_id, h.village_id, h.monitoring_state
            FROM households_member m
            JOIN households_household h ON h.id = m.household_id
            WHERE m.id_no IN (x.id_no, substr(x.id_no, 1, 6) || substr(x.id_no, 9, 9))
              AND m.member_status = 'normal' AND h.archived_at IS NULL AND h.village_id LIKE %(prefix)s
            LIMIT 1
        ) m ON true
    ), leads AS (
        SELECT DISTINCT ON (coalesce(f.household_id::text, f.id_no)) f.*,
               coalesce(
                   f.village_id,
                   (SELECT v.code FROM core_region v
                    WHERE v.code = f.village_code AND v.level = 5 AND v.code LIKE %(prefix)s),
                   (SELECT min(v.code) FROM core_region v
                    WHERE f.village_name <> '' AND v.name = f.village_name AND v.level = 5
                      AND v.code LIKE %(prefix)s HAVING count(*) = 1),
                   %(county)s
               ) AS lead_village
        FROM found f
        WHERE f.household_id IS NULL
           OR f.monitoring_state <> 'at_risk'
              AND NOT EXISTS (SELECT 1 FROM assistance_dibaocase c
                              WHERE c.household_id = f.household_id AND c.status IN ('active', 'phasing_out'))
              AND NOT EXISTS (SELECT 1 FROM assistance_tekuncase t
                              JOIN households_member tm ON tm.id = t.member_id
                              WHERE tm.household_id = f.household_id AND t.status = 'active')
              AND NOT EXISTS (SELECT 1 FROM assistance_monitoringlead l
                              WHERE l.household_id = f.household_id AND l.status <> 'closed')
              AND NOT EXISTS (SELECT 1 FROM assistance_monitoringrecord d
                              WHERE d.household_id = f.household_id AND d.decision = 'pending')
        ORDER BY coalesce(f.household_id::text, f.id_no), f.amount DESC NULLS LAST, f.row_id
    )
    SELECT 'agency_warning', %(kind)s, 'b' || %(batch)s || ':r' || row_id, lead_village, household_id,
           member_id, name, id_no, '', ARRAY[%(risk)s]::varchar[],
           left(format('%%s名单（%%s，截至%%s）：%%s%%s%%s%%s%%s', %(label)s, %(agency)s, %(cutoff)s, name,
                       CASE WHEN amount IS NOT NULL THEN '，金额 ' || amount || ' 元' ELSE '' END,
                       CASE WHEN event_date IS NOT NULL
                            THEN '，日期 ' || to_char(event_date, 'YYYY-MM-DD') ELSE '' END,
                       CASE WHEN detail <> '' THEN '，' || detail ELSE '' END,
                       CASE WHEN household_id IS NULL
                            THEN '；该人员未在本县登记，须核实后确定是否新增入户' ELSE '' END),
                500),
           %(severity)s, %(today)s::date, %(verify)s::date, %(identify)s::date
    FROM leads
"""


def create_leads(*, batch: OutsideList, county_code: str, as_of: dt.date) -> int:
    """The leads of one risk list in one county; returns how many were added."""
    county = county_code[:6].ljust(12, "0")
    p = monitoring_params(region_code=county, as_of=as_of)
    key = THRESHOLDS.get(batch.kind)
    verify, identify = lead_deadlines(region_code=county, detected_on=as_of)
    return insert_leads(
        RISK_LEADS,
        {
            "batch": batch.pk,
            "prefix": county_code[:6] + "%",
            "county": county,
            "kind": batch.kind,
            "risk": RISK_KINDS[batch.kind],
            "label": batch.kind_label,
            "agency": batch.source_agency,
            "cutoff": batch.cutoff_date.isoformat(),
            "min_amount": p.decimal(key) if key else None,
            "severity": rules.severity_for(batch.kind, p["monitor.warning.severity"]),
            "today": as_of,
            "verify": verify,
            "identify": identify,
        },
    )

"""Monthly payment rolls: one regular line per case and month, written set-based, locked on confirm.

The 低保 roll pays, for its month, the case amount valid in that month (assistance.CaseAmount: from
which month each amount holds, written by the confirmation, the recalculation, 渐退 and 停保; household
size, income, standard, top-up, 分类施保 items, parameter ids), so a roll built or rebuilt after a
later change still pays what was due in its month; the 渐退 step is read from
the phase-out schedule by month offset, and the 两项补贴 records active in that month — all in one
INSERT … SELECT, no per-case Python. 7–10 s for 200,000 cases on 2 cores under load (bench/roll.py).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from assistance import integration
from assistance.choices import LineKind, Program, RollStatus
from assistance.copy import copy_rows
from assistance.models import PaymentLine, PaymentRoll
from assistance.rules import first_of_month
from assistance.services import bank_failures, holds
from assistance.services.common import require_county
from core.choices import RegionLevel
from core.models import Region

ROLL_LOCKED = "发放表已确认，不能修改；更正请在以后月份的发放表中做调整"
ROLL_NOT_COUNTY = "发放表按县生成"
ADJUST_LATER_MONTH = "调整只能记入原发放月份以后的发放表"
ADJUST_REASON_REQUIRED = "请填写调整原因"

LINE_COLUMNS = [
    "roll_id", "month", "program", "case_id", "kind", "household_id", "payee_name", "payee_id_no",
    "bank_name", "bank_account", "household_size", "covered_persons", "percap_income", "standard_month",
    "topup_amount", "classified_amount", "subsidy_amount", "total_amount", "in_phase_out", "rates",
    "parameter_ids", "note",
]  # fmt: skip
_UPDATABLE = [c for c in LINE_COLUMNS if c not in ("month", "program", "case_id", "kind")]

# A 低保 case is paid in a month from its first month until the month before its stop month.
DIBAO_PAYING = """c.start_month <= %(month)s
    AND (c.status IN ('active', 'phasing_out') OR (c.status = 'stopped' AND c.stop_month > %(month)s))"""

# 两项补贴 records paid in a month: started, not yet stopped, and the member still on the household.
SUBSIDY_PAYING = """s.start_month <= %(month)s AND (s.stop_month IS NULL OR s.stop_month > %(month)s)
    AND (s.status = 'active' OR s.stop_month IS NOT NULL)
    AND EXISTS (SELECT 1 FROM households_member sm
                WHERE sm.id = s.member_id AND sm.member_status = 'normal')"""

HEAD_OF_HOUSEHOLD = """LEFT JOIN LATERAL (
        SELECT hm.name, hm.id_no FROM households_member hm
        WHERE hm.household_id = h.id AND hm.relation = 'head' AND hm.member_status = 'normal'
        ORDER BY hm.id LIMIT 1) payee ON true"""

# The case's amount valid in the roll's month. A case marked with the month its current amount holds
# from (DibaoCase.amount_valid_from: its figures are its latest amount-history row) pays its own
# figures in that month and after, read with the case in the one scan: no history lookup. Only the
# cases whose amount changed after the roll's month (a roll built or regenerated late) and those
# whose figures are no row's (amount kept while the recalculation updated the income) have their
# history looked up, the latest row on or before the month: the mark test sits in the probe's WHERE,
# where it only reads the case, so PostgreSQL runs it as a one-time filter and a marked case costs
# no index probe. A case without history (rows written by SQL before the history existed) pays its
# stored figures. Measured (docs/benchmarks.md, issue 23; 50,000 cases, 10 % changed after the
# month): the lines' statement takes 0.88–0.96 of the time of a probe for every case; a set-based
# DISTINCT ON over the late cases' rows was no faster (it scans the county's cases a second time to
# find them), and over the whole county's history slower (its sort spilled to disk).
AMOUNT_IN_MONTH = """LEFT JOIN LATERAL (
        SELECT ca.valid_from, ca.basis, ca.household_size, ca.covered_persons, ca.annual_percap_income,
               ca.monthly_percap_income, ca.standard_month, ca.topup_amount, ca.classified_amount,
               ca.classified_items, ca.parameter_ids
        FROM assistance_caseamount ca
        WHERE (c.amount_valid_from IS NULL OR c.amount_valid_from > %(month)s)
          AND ca.case_id = c.id AND ca.valid_from <= %(month)s
        ORDER BY ca.valid_from DESC LIMIT 1) ha ON true
    CROSS JOIN LATERAL (
        SELECT COALESCE(ha.valid_from, CASE WHEN c.amount_valid_from <= %(month)s
                                            THEN c.amount_valid_from END) AS valid_from,
               COALESCE(ha.basis, CASE WHEN c.amount_valid_from <= %(month)s
                                       THEN c.amount_basis END) AS basis,
               COALESCE(ha.household_size, c.household_size) AS household_size,
               COALESCE(ha.covered_persons, c.covered_persons) AS covered_persons,
               COALESCE(ha.annual_percap_income, c.annual_percap_income) AS annual_percap_income,
               COALESCE(ha.monthly_percap_income, c.monthly_percap_income) AS monthly_percap_income,
               COALESCE(ha.standard_month, c.standard_month) AS standard_month,
               COALESCE(ha.topup_amount, c.topup_amount) AS topup_amount,
               COALESCE(ha.classified_amount, c.classified_amount) AS classified_amount,
               COALESCE(ha.classified_items, c.classified_items) AS classified_items,
               COALESCE(ha.parameter_ids, c.standard_parameter_ids) AS parameter_ids) a"""

# During 渐退 the schedule replaces the 低保金 (top-up + 分类施保); the month's amount is the
# schedule entry at the month's offset from the start. 两项补贴 continue from their own records.
DIBAO_LINES = f"""
    SELECT roll_id, month, program, case_id, kind, household_id, payee_name, payee_id_no, bank_name,
           bank_account, household_size, covered_persons, percap_income, standard_month, topup_amount,
           classified_amount, subsidy_amount, topup_amount + classified_amount + subsidy_amount,
           in_phase_out, rates, parameter_ids, note
    FROM (
        SELECT %(roll)s AS roll_id, %(month)s::date AS month, 'dibao' AS program, c.id AS case_id,
               'regular' AS kind, c.household_id, COALESCE(payee.name, '') AS payee_name,
               COALESCE(payee.id_no, '') AS payee_id_no, h.bank_name, h.bank_account,
               a.household_size, a.covered_persons, a.monthly_percap_income AS percap_income,
               a.standard_month,
               CASE WHEN po.id IS NULL THEN a.topup_amount
                    ELSE COALESCE((po.schedule ->> po.step)::numeric(12, 2), 0) END AS topup_amount,
               CASE WHEN po.id IS NULL THEN a.classified_amount ELSE 0 END AS classified_amount,
               COALESCE(sub.amount, 0) AS subsidy_amount,
               po.id IS NOT NULL AS in_phase_out,
               jsonb_build_object(
                   'annual_percap_income', a.annual_percap_income::text,
                   'monthly_percap_income', a.monthly_percap_income::text,
                   'standard_month', a.standard_month::text,
                   'case_type', c.case_type,
                   'classified_items', a.classified_items,
                   'subsidies', COALESCE(sub.items, '[]'::jsonb),
                   'phase_out', CASE WHEN po.id IS NULL THEN NULL ELSE jsonb_build_object(
                       'id', po.id, 'start', po.start, 'months', po.months, 'step', po.step + 1,
                       'schedule_kind', po.schedule_kind, 'base_amount', po.base_amount::text) END,
                   'amount_valid_from', a.valid_from, 'amount_basis', a.basis) AS rates,
               a.parameter_ids, '' AS note
        FROM assistance_dibaocase c
        JOIN households_household h ON h.id = c.household_id
        {HEAD_OF_HOUSEHOLD}
        {AMOUNT_IN_MONTH}
        LEFT JOIN LATERAL (
            SELECT p.id, p.start, p.months, p.schedule_kind, p.schedule, p.base_amount,
                   ((EXTRACT(YEAR FROM %(month)s::date) - EXTRACT(YEAR FROM p.start)) * 12
                    + EXTRACT(MONTH FROM %(month)s::date) - EXTRACT(MONTH FROM p.start))::int AS step
            FROM assistance_phaseout p
            WHERE p.case_id = c.id AND p.start <= %(month)s AND p."end" >= %(month)s
              AND (p.status IN ('active', 'ended', 'ended_early')
                   OR (p.status = 'returned' AND p.closed_on >= %(month)s))
            ORDER BY p.start DESC LIMIT 1) po ON true
        LEFT JOIN LATERAL (
            SELECT sum(s.monthly_amount) AS amount,
                   jsonb_agg(jsonb_build_object('id', s.id, 'member_id', s.member_id, 'kind', s.kind,
                       'grade', s.grade, 'amount', s.monthly_amount::text) ORDER BY s.id) AS items
            FROM assistance_disabilitysubsidy s
            WHERE s.household_id = c.household_id AND {SUBSIDY_PAYING}) sub ON true
        WHERE h.village_id LIKE %(prefix)s AND {DIBAO_PAYING}
    ) line
"""

# 两项补贴 of households without a 低保 line that month (e.g. 护理补贴 of a grade 1–2 member
# outside 低保, P14): one line per record, paid to the member. Those on a 低保 line are paid there.
DISABILITY_LINES = f"""
    SELECT %(roll)s, %(month)s::date, 'disability', s.id, 'regular', s.household_id, m.name, m.id_no,
           h.bank_name, h.bank_account, 0, 1, 0, 0, 0, 0, s.monthly_amount, s.monthly_amount, false,
           jsonb_build_object('kind', s.kind, 'grade', s.grade, 'member_id', s.member_id,
                              'amount', s.monthly_amount::text, 'start_month', s.start_month),
           '[]'::jsonb, ''
    FROM assistance_disabilitysubsidy s
    JOIN households_household h ON h.id = s.household_id
    JOIN households_member m ON m.id = s.member_id
    WHERE h.village_id LIKE %(prefix)s AND {SUBSIDY_PAYING}
      AND NOT EXISTS (SELECT 1 FROM assistance_dibaocase c
                      WHERE c.household_id = s.household_id AND {DIBAO_PAYING})
"""

# 医疗救助: each bill the county approved is paid once, in the month after the approval, to the
# patient (one line per bill; case_id holds the bill's id).
MEDICAL_LINES = """
    SELECT %(roll)s, %(month)s::date, 'medical', b.id, 'regular', b.household_id, m.name, m.id_no,
           h.bank_name, h.bank_account, 0, 1, 0, 0, 0, 0, 0, b.assistance_amount, false,
           jsonb_build_object('member_id', b.member_id, 'kind', b.kind, 'hospital', b.hospital,
                              'hospital_level', b.hospital_level, 'bill_date', b.bill_date,
                              'total_cost', b.total_cost::text, 'out_of_pocket', b.out_of_pocket::text,
                              'explanation', b.explanation),
           b.parameter_ids, ''
    FROM assistance_medicalbill b
    JOIN households_household h ON h.id = b.household_id
    JOIN households_member m ON m.id = b.member_id
    WHERE h.village_id LIKE %(prefix)s AND b.status = 'approved' AND b.pay_month = %(month)s
      AND b.assistance_amount > 0
"""

TEKUN_CASES = """
    SELECT t.id, t.household_id, h.village_id, t.self_care, m.name, m.id_no, h.bank_name, h.bank_account
    FROM assistance_tekuncase t
    JOIN households_household h ON h.id = t.household_id
    JOIN households_member m ON m.id = t.member_id
    WHERE h.village_id LIKE %(prefix)s AND t.start_month <= %(month)s
      AND (t.status = 'active' OR t.stop_month > %(month)s)
    ORDER BY t.id
"""


def _county(region: Region) -> Region:
    if region.level != RegionLevel.COUNTY:
        raise ValidationError(ROLL_NOT_COUNTY)
    return region


def _write_lines(source_sql: str, params: dict) -> None:
    """The month's lines go to a temporary table first; then lines of cases no longer payable
    leave the draft (a draft is derived data) and the others are inserted, or updated only where a
    figure differs, so a re-run rewrites nothing. The index keeps the anti join linear whatever
    plan is chosen: with stale statistics on the lines the planner expects one line per roll and
    picks a nested loop, which over an unindexed CTE meant 200,000² comparisons."""
    cols = ", ".join(LINE_COLUMNS)
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in _UPDATABLE)
    old = ", ".join(f"assistance_paymentline.{c}" for c in _UPDATABLE)
    new = ", ".join(f"EXCLUDED.{c}" for c in _UPDATABLE)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS tmp_roll_lines")
        cur.execute(f"CREATE TEMP TABLE tmp_roll_lines ({cols}) ON COMMIT DROP AS {source_sql}", params)
        cur.execute("CREATE INDEX ON tmp_roll_lines (case_id)")
        cur.execute("ANALYZE tmp_roll_lines")
        cur.execute(
            """
            DELETE FROM assistance_paymentline l
            WHERE l.roll_id = %(roll)s AND l.kind = 'regular'
              AND NOT EXISTS (SELECT 1 FROM tmp_roll_lines t WHERE t.case_id = l.case_id)
            """,
            params,
        )
        cur.execute(
            f"""
            INSERT INTO assistance_paymentline ({cols})
            SELECT {cols} FROM tmp_roll_lines
            ON CONFLICT (program, case_id, month) WHERE kind = 'regular'
            DO UPDATE SET {sets}
            WHERE ({old}) IS DISTINCT FROM ({new})
            """
        )


def _rows_tekun(roll: PaymentRoll, month: dt.date, prefix: str) -> list[tuple]:
    """特困: basic standard and care of that month's parameters (topup column = basic, subsidy = care)."""
    from assistance.services.tekun import TEKUN_KEYS, standards

    with connection.cursor() as cur:
        cur.execute(TEKUN_CASES, {"prefix": prefix + "%", "month": month})
        cases = cur.fetchall()
    region = integration.RegionParams(region_prefix=prefix, keys=TEKUN_KEYS)
    rows = []
    for case_id, hid, village, self_care, member_name, member_id_no, bank_name, bank_account in cases:
        p = region(region_code=village, as_of=month)
        basic, care = standards(p, self_care)
        rates = json.dumps({k: str(p[k]) for k in TEKUN_KEYS if k in p.values}, ensure_ascii=False)
        rows.append(
            (
                roll.pk, month, Program.TEKUN, case_id, LineKind.REGULAR, hid, member_name, member_id_no,
                bank_name, bank_account, 1, 1, Decimal("0.00"), basic, basic, Decimal("0.00"), care,
                basic + care, False, rates, json.dumps(p.ids), "",
            )
        )  # fmt: skip
    return rows


def _write_tekun(roll: PaymentRoll, params: dict) -> None:
    """特困 cases are few: compute in Python with the month's parameters, COPY, then the same upsert."""
    rows = _rows_tekun(roll, params["month"], params["prefix"][:-1])
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS tmp_tekun_lines")
        cur.execute(
            f"CREATE TEMP TABLE tmp_tekun_lines ON COMMIT DROP AS SELECT {', '.join(LINE_COLUMNS)}"
            " FROM assistance_paymentline WITH NO DATA"
        )
        copy_rows(cur, "tmp_tekun_lines", LINE_COLUMNS, rows)
    _write_lines(f"SELECT {', '.join(LINE_COLUMNS)} FROM tmp_tekun_lines", params)


@transaction.atomic
def generate_roll(*, county: Region, month: dt.date, program: str = Program.DIBAO, user=None) -> PaymentRoll:
    """Draft (or redraft) the roll. Same inputs give the same roll; a confirmed roll is refused."""
    county = _county(county)
    if user is not None:
        require_county(user, _FakeHousehold(county.code))
    month = first_of_month(month)
    roll, _ = PaymentRoll.objects.get_or_create(county=county, month=month, program=program)
    roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
    if roll.status != RollStatus.DRAFT:
        raise ValidationError(ROLL_LOCKED)
    with connection.cursor() as cur:
        # Index probes per case, each cheap: compiling the statements (JIT) cost more than running
        # them — 50,000 cases: the lines' SELECT 3.5 s with JIT, 1.5–2.6 s without (bench/roll.py).
        cur.execute("SET LOCAL jit = off")
    params = {"roll": roll.pk, "month": month, "prefix": county.prefix + "%"}
    if program == Program.DIBAO:
        _write_lines(DIBAO_LINES, params)
    elif program == Program.DISABILITY:
        _write_lines(DISABILITY_LINES, params)
    elif program == Program.MEDICAL:
        _write_lines(MEDICAL_LINES, params)
    else:
        _write_tekun(roll, params)
    holds.apply_holds_to_roll(roll.pk)
    bank_failures.add_reissues(roll)  # 补发 of failed payments corrected since the last roll
    _refresh_totals(roll)
    return roll


def refresh_totals(roll: PaymentRoll) -> None:
    """Line count and total of a draft roll after lines were added to it."""
    _refresh_totals(roll)


def _refresh_totals(roll: PaymentRoll) -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), COALESCE(sum(total_amount), 0) FROM assistance_paymentline WHERE roll_id = %s",
            [roll.pk],
        )
        count, total = cur.fetchone()
    roll.line_count = count
    roll.total_amount = total
    roll.generated_at = timezone.now()
    roll.save(update_fields=["line_count", "total_amount", "generated_at"])


class _FakeHousehold:
    """require_county() checks a household's village code; a roll has a county code instead."""

    def __init__(self, code: str) -> None:
        self.village_id = code


@transaction.atomic
def confirm_roll(*, roll: PaymentRoll, user) -> PaymentRoll:
    roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
    require_county(user, _FakeHousehold(roll.county_id))
    if roll.status != RollStatus.DRAFT:
        raise ValidationError(ROLL_LOCKED)
    roll.status = RollStatus.CONFIRMED
    roll.confirmed_at = timezone.now()
    roll.confirmed_by = user
    roll.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    return roll


@transaction.atomic
def add_adjustment(*, line: PaymentLine, amount: Decimal, reason: str, month: dt.date, user) -> PaymentLine:
    """A correction of a confirmed line: an adjustment line in a later month's draft roll."""
    require_county(user, line.household)
    month = first_of_month(month)
    if month <= line.month:
        raise ValidationError({"month": ADJUST_LATER_MONTH})
    if not reason.strip():
        raise ValidationError({"note": ADJUST_REASON_REQUIRED})
    roll, _ = PaymentRoll.objects.get_or_create(
        county_id=line.roll.county_id, month=month, program=line.program
    )
    if roll.status != RollStatus.DRAFT:
        raise ValidationError(ROLL_LOCKED)
    adj = PaymentLine.objects.create(
        roll=roll,
        month=month,
        program=line.program,
        case_id=line.case_id,
        kind=LineKind.ADJUSTMENT,
        household_id=line.household_id,
        payee_name=line.payee_name,
        payee_id_no=line.payee_id_no,
        bank_name=line.bank_name,
        bank_account=line.bank_account,
        household_size=line.household_size,
        covered_persons=line.covered_persons,
        percap_income=line.percap_income,
        standard_month=line.standard_month,
        total_amount=amount,
        adjusts_line=line,
        note=reason,
    )
    _refresh_totals(roll)
    return adj

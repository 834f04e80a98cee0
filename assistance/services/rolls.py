"""Monthly payment rolls: one regular line per case and month, written set-based, locked on confirm.

~N s for 200,000 cases on 2 cores (bench/roll.py); see docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from assistance import integration
from assistance.choices import CaseType, LineKind, Program, RollStatus
from assistance.copy import copy_rows
from assistance.facts import PolicyCache, load_facts
from assistance.models import PaymentLine, PaymentRoll
from assistance.rules import dibao_benefit, first_of_month, phase_out_amount
from assistance.services.common import require_county
from households.choices import RegionLevel
from households.models import Region

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

CASES_SQL = {
    Program.DIBAO: """
        SELECT c.id, c.household_id, c.case_type, c.status, p.start, p.schedule
        FROM assistance_dibaocase c
        JOIN households_household h ON h.id = c.household_id
        LEFT JOIN assistance_phaseout p ON p.case_id = c.id AND p.status = 'active'
        WHERE h.village_id LIKE %(prefix)s AND c.start_month <= %(month)s
          AND (c.status IN ('active', 'phasing_out') OR (c.status = 'stopped' AND c.stop_month > %(month)s))
        ORDER BY c.id
    """,
    Program.TEKUN: """
        SELECT t.id, t.household_id, h.village_id, t.self_care, m.name, m.id_no
        FROM assistance_tekuncase t
        JOIN households_household h ON h.id = t.household_id
        JOIN households_member m ON m.id = t.member_id
        WHERE h.village_id LIKE %(prefix)s AND t.start_month <= %(month)s
          AND (t.status = 'active' OR t.stop_month > %(month)s)
        ORDER BY t.id
    """,
}

PAYEE_SQL = """
    SELECT h.id, h.bank_name, h.bank_account, m.name, m.id_no
    FROM households_household h
    LEFT JOIN households_member m
        ON m.household_id = h.id AND m.relation = 'head' AND m.member_status = 'normal'
    WHERE h.id = ANY(%(ids)s)
"""


def _county(region: Region) -> Region:
    if region.level != RegionLevel.COUNTY:
        raise ValidationError(ROLL_NOT_COUNTY)
    return region


def _rows_dibao(roll: PaymentRoll, month: dt.date, prefix: str) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(CASES_SQL[Program.DIBAO], {"prefix": prefix + "%", "month": month})
        cases = cur.fetchall()
    if not cases:
        return []
    by_household = {c[1]: c for c in cases}
    payees = _payees(list(by_household))
    policies = PolicyCache(month, region_prefix=prefix)
    rows = []
    # The facts read per household in one query; single-person cases need their covered members.
    facts = {f.household_id: f for f in load_facts(as_of=month, ids=list(by_household))}
    for hid, (case_id, _, case_type, _status, po_start, po_schedule) in by_household.items():
        f = facts.get(hid)
        if f is None:
            continue
        policy = policies(f.village_code)
        b = dibao_benefit(
            annual_income=f.annual_income,
            members=f.members,
            policy=policy,
            single_person=case_type == CaseType.SINGLE,
            has_case=True,
        )
        topup, classified, subsidy = b.topup, b.classified, b.subsidies
        in_phase_out = po_start is not None
        if in_phase_out:
            # During 渐退 the schedule replaces the 低保金 (top-up + 分类施保); subsidies continue.
            topup = phase_out_amount(schedule=po_schedule, start=po_start, month=month) or Decimal("0.00")
            classified = Decimal("0.00")
        rates = {
            "standard_year": str(policy.standard_year),
            "classified": {k: str(v) for k, v in policy.rates.items()},
            "classified_stack": policy.stack,
            "living_rate": str(policy.living_rate),
            "care_by_grade": {str(k): str(v) for k, v in policy.care_by_grade.items()},
            "annual_income": str(f.annual_income),
            "items": b.items,
        }
        bank_name, bank_account, name, id_no = payees.get(hid, ("", "", "", ""))
        rows.append(
            (
                roll.pk, month, Program.DIBAO, case_id, LineKind.REGULAR, hid, name or "", id_no or "",
                bank_name, bank_account, b.household_size, b.covered_persons, b.monthly_percap_income,
                b.standard_month, topup, classified, subsidy, topup + classified + subsidy, in_phase_out,
                json.dumps(rates, ensure_ascii=False), json.dumps(list(policy.parameter_ids)), "",
            )
        )  # fmt: skip
    return rows


def _rows_tekun(roll: PaymentRoll, month: dt.date, prefix: str) -> list[tuple]:
    """特困: basic standard and care of that month's parameters (topup column = basic, subsidy = care)."""
    from assistance.services.tekun import TEKUN_KEYS, standards

    with connection.cursor() as cur:
        cur.execute(CASES_SQL[Program.TEKUN], {"prefix": prefix + "%", "month": month})
        cases = cur.fetchall()
    if not cases:
        return []
    payees = _payees(list({c[1] for c in cases}))
    region = integration.RegionParams(region_prefix=prefix, keys=TEKUN_KEYS)
    rows = []
    for case_id, hid, village, self_care, member_name, member_id_no in cases:
        p = region(region_code=village, as_of=month)
        basic, care = standards(p, self_care)
        rates = json.dumps({k: str(p[k]) for k in TEKUN_KEYS if k in p.values}, ensure_ascii=False)
        bank_name, bank_account, _, _ = payees.get(hid, ("", "", "", ""))
        rows.append(
            (
                roll.pk, month, Program.TEKUN, case_id, LineKind.REGULAR, hid, member_name, member_id_no,
                bank_name, bank_account, 1, 1, Decimal("0.00"), basic, basic, Decimal("0.00"), care,
                basic + care, False, rates, json.dumps(p.ids), "",
            )
        )  # fmt: skip
    return rows


def _payees(household_ids: list[int]) -> dict[int, tuple]:
    with connection.cursor() as cur:
        cur.execute(PAYEE_SQL, {"ids": household_ids})
        return {r[0]: r[1:] for r in cur.fetchall()}


def _copy_lines(rows: list[tuple]) -> None:
    """COPY into a temp table, then one INSERT … ON CONFLICT … WHERE IS DISTINCT FROM."""
    cols = ", ".join(LINE_COLUMNS)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS tmp_lines")
        cur.execute(
            f"CREATE TEMP TABLE tmp_lines ON COMMIT DROP AS SELECT {cols}"
            " FROM assistance_paymentline WITH NO DATA"
        )
        copy_rows(cur, "tmp_lines", LINE_COLUMNS, rows)
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in _UPDATABLE)
        old = ", ".join(f"assistance_paymentline.{c}" for c in _UPDATABLE)
        new = ", ".join(f"EXCLUDED.{c}" for c in _UPDATABLE)
        cur.execute(
            f"""
            INSERT INTO assistance_paymentline ({cols})
            SELECT {cols} FROM tmp_lines
            ON CONFLICT (program, case_id, month) WHERE kind = 'regular'
            DO UPDATE SET {sets}
            WHERE ({old}) IS DISTINCT FROM ({new})
            """
        )


@transaction.atomic
def generate_roll(*, county: Region, month: dt.date, program: str = Program.DIBAO, user=None) -> PaymentRoll:
    """Draft (or redraft) the roll. Same inputs give the same roll; a confirmed roll is refused."""
    county = _county(county)
    if user is not None:
        require_county(user, _FakeHousehold(county.code))
    month = first_of_month(month)
    roll, _ = PaymentRoll.objects.get_or_create(county=county, month=month, program=program)
    roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
    if roll.status == RollStatus.CONFIRMED:
        raise ValidationError(ROLL_LOCKED)
    prefix = county.prefix
    rows = (_rows_dibao if program == Program.DIBAO else _rows_tekun)(roll, month, prefix)
    with connection.cursor() as cur:
        # Lines of cases no longer payable this month leave the draft (a draft is derived data).
        cur.execute(
            "DELETE FROM assistance_paymentline WHERE roll_id = %s AND kind = 'regular' "
            "AND NOT (case_id = ANY(%s))",
            [roll.pk, [r[3] for r in rows]],
        )
    if rows:
        _copy_lines(rows)
    _refresh_totals(roll)
    return roll


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
    if roll.status == RollStatus.CONFIRMED:
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
    if roll.status == RollStatus.CONFIRMED:
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

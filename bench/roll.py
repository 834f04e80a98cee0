"""Monthly payment roll of a county with 200,000 低保 cases.

    DATABASE_URL=… python bench/roll.py --cases 200000 [--county 219902] [--households 400000]

Seeds `--cases` paying cases by SQL on the county's first households, with the figures a
recalculation stores (size, income, standard 323, top-up) and their amount history: a row from the
first month for every case, and for every `--late-every`th case (default 10; 1: all) a later row
from after the roll's month (+10 yuan: a roll built late, after those cases' amounts changed, pays
them the first row from their history); each case holds its latest row's figures and is marked
with it, as the services leave it. Every 20th case is in a 12-month linear 渐退 and every 10th
household's head has 两项补贴 records (生活 + 护理). Then prints the first generation, a
regeneration (same roll: nothing rewritten) and the line count. --skip-seed reuses the cases
already there."""

from __future__ import annotations

import argparse

from assistance_common import INCOME_SQL, ROLL_MONTH, county_region, ensure_county, timed
from django.db import connection, transaction
from figures import figure

from assistance.choices import Program
from assistance.models.person_keys import ID_TAIL_LENGTH
from assistance.services.rolls import generate_roll

IN_COUNTY = "(SELECT id FROM households_household WHERE village_id LIKE %(p)s)"
CLEAR = f"""
    DELETE FROM assistance_paymentline WHERE household_id IN {IN_COUNTY};
    DELETE FROM assistance_paymentroll WHERE county_id LIKE %(p)s;
    DELETE FROM assistance_changeledgerentry WHERE household_id IN {IN_COUNTY};
    DELETE FROM assistance_alert WHERE household_id IN {IN_COUNTY};
    DELETE FROM assistance_disabilitysubsidy WHERE household_id IN {IN_COUNTY};
    DELETE FROM assistance_stopproposal WHERE case_id IN
        (SELECT id FROM assistance_dibaocase WHERE household_id IN {IN_COUNTY});
    DELETE FROM assistance_caseamount WHERE case_id IN
        (SELECT id FROM assistance_dibaocase WHERE household_id IN {IN_COUNTY});
    DELETE FROM assistance_phaseout WHERE case_id IN
        (SELECT id FROM assistance_dibaocase WHERE household_id IN {IN_COUNTY});
    DELETE FROM assistance_dibaocase_covered_members WHERE dibaocase_id IN
        (SELECT id FROM assistance_dibaocase WHERE household_id IN {IN_COUNTY});
    DELETE FROM assistance_dibaocase WHERE household_id IN {IN_COUNTY};
"""
# The seed runs with the triggers off (session_replication_role): the case's village code written here.
SEED_CASES = f"""
    INSERT INTO assistance_dibaocase (household_id, village_code, case_type, covered_persons, grade,
        is_registered_poor, household_size, monthly_percap_income, annual_percap_income, standard_month,
        standard_parameter_ids, topup_amount, classified_amount, subsidy_amount, monthly_amount,
        classified_items, applied_on, start_month, status, review_state, publicity_place, refusal_reason,
        stop_reason, special_reason, near_relative_of_staff, computed_at, created_at, updated_at)
    SELECT h.id, h.village_id, 'whole', mem.n, '', true, mem.n, round(inc.annual / mem.n / 12, 2),
           round(inc.annual / mem.n, 2), 323.00, '[1, 2]',
           round(greatest(3876 - inc.annual / mem.n, 0) * mem.n / 12, 2), 0, 0,
           round(greatest(3876 - inc.annual / mem.n, 0) * mem.n / 12, 2), '[]', '2019-01-01',
           '2019-02-01', 'active', 'verified', '', '', '', '', false, now(), now(), now()
    FROM (SELECT id, village_id FROM households_household WHERE village_id LIKE %(p)s
          ORDER BY id LIMIT %(n)s) h
    JOIN (SELECT DISTINCT ON (i.household_id) i.household_id, {INCOME_SQL} AS annual
          FROM households_incomeyear i ORDER BY i.household_id, i.period_end DESC) inc
      ON inc.household_id = h.id
    JOIN (SELECT household_id, count(*) AS n FROM households_member
          WHERE member_status = 'normal' GROUP BY household_id) mem ON mem.household_id = h.id
"""
SEED_PHASE_OUTS = """
    WITH po AS (
        UPDATE assistance_dibaocase c SET status = 'phasing_out'
        FROM households_household h
        WHERE h.id = c.household_id AND h.village_id LIKE %(p)s AND c.id %% 20 = 0
        RETURNING c.id, c.topup_amount
    )
    INSERT INTO assistance_phaseout (case_id, trigger, status, proposed_on, proposed_income, start,
        months, "end", schedule_kind, base_amount, schedule, parameter_ids, approved_on, early_end_reason)
    SELECT id, 'development', 'active', '2020-06-10', 4200, '2020-07-01', 12, '2021-06-30', 'linear',
           topup_amount, (SELECT jsonb_agg(round(topup_amount * (12 - g) / 12, 2)::text ORDER BY g)
                          FROM generate_series(0, 11) g), '[]', '2020-06-20', ''
    FROM po
"""
# Amount history: the confirmation's figures from the first month, and for every `late`th case a
# later recalculation from December 2020 (after the roll's month, +10 yuan): the November roll must
# pay those cases the first row. The phase-out (id % 20 = 0) and 两项补贴 (id % 10 = 3) cases are
# others (late - 1 = 9 with the default).
SEED_AMOUNTS = """
    INSERT INTO assistance_caseamount (case_id, valid_from, basis, note, household_size, covered_persons,
        annual_percap_income, monthly_percap_income, standard_month, topup_amount, classified_amount,
        subsidy_amount, monthly_amount, classified_items, parameter_ids, recorded_at)
    SELECT c.id, v.valid_from, v.basis, '', c.household_size, c.covered_persons, c.annual_percap_income,
           c.monthly_percap_income, c.standard_month, c.topup_amount + v.plus, c.classified_amount,
           c.subsidy_amount, c.monthly_amount + v.plus, c.classified_items, c.standard_parameter_ids, now()
    FROM assistance_dibaocase c
    JOIN households_household h ON h.id = c.household_id
    CROSS JOIN (VALUES ('2019-02-01'::date, 'confirmation', 0), ('2020-12-01'::date, 'recalculation', 10))
        v (valid_from, basis, plus)
    WHERE h.village_id LIKE %(p)s AND (v.plus = 0 OR c.id %% %(late)s = %(late)s - 1)
"""
# Each case holds its latest row's figures and is marked with it (DibaoCase.amount_valid_from).
MARK_CASES = f"""
    UPDATE assistance_dibaocase c SET amount_valid_from = a.valid_from, amount_basis = a.basis,
        topup_amount = a.topup_amount, monthly_amount = a.monthly_amount
    FROM (SELECT DISTINCT ON (case_id) * FROM assistance_caseamount ORDER BY case_id, valid_from DESC) a
    WHERE a.case_id = c.id AND c.household_id IN {IN_COUNTY}
"""
# With the triggers off too: the record's village code (DisabilitySubsidy.village_code) and its
# person's search keys (assistance.models.person_keys) written here.
SEED_SUBSIDIES = f"""
    INSERT INTO assistance_disabilitysubsidy (household_id, village_code, member_id, person_name,
        person_name_pinyin, person_name_initials, person_id_tail, kind, grade, monthly_amount,
        start_month, status)
    SELECT c.household_id, h.village_id, m.id, m.name, m.name_pinyin, m.name_initials,
        right(m.id_no, {ID_TAIL_LENGTH}), k.kind, 1, k.amount, '2019-02-01', 'active'
    FROM assistance_dibaocase c
    JOIN households_household h ON h.id = c.household_id
    JOIN households_member m ON m.household_id = c.household_id AND m.relation = 'head'
        AND m.member_status = 'normal'
    CROSS JOIN (VALUES ('living', 64.60), ('care', 50.00)) k (kind, amount)
    WHERE h.village_id LIKE %(p)s AND c.id %% 10 = 3
"""

parser = argparse.ArgumentParser()
parser.add_argument("--county", default="219902")
parser.add_argument("--households", type=int, default=400_000)
parser.add_argument("--cases", type=int, default=200_000)
parser.add_argument("--late-every", type=int, default=10)
parser.add_argument("--skip-seed", action="store_true")
args = parser.parse_args()
ensure_county(args.county, args.households)
county = county_region(args.county)
p = {"p": args.county + "%", "n": args.cases, "late": args.late_every}
if not args.skip_seed:
    with timed("seed cases, 渐退 and 两项补贴"), transaction.atomic(), connection.cursor() as cur:
        # Seeding only: skip the row-history triggers (pghistory), whose per-row cost grows with
        # the rows already written in the transaction (40,000 rows: 45 s, 5,000: 1 s).
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(CLEAR, p)
        cur.execute(SEED_CASES, p)
        cur.execute(SEED_PHASE_OUTS, p)
        cur.execute(SEED_AMOUNTS, p)
        cur.execute(MARK_CASES, p)
        cur.execute(SEED_SUBSIDIES, p)
    with connection.cursor() as cur:
        # The seed's updates (渐退, the marks) left a dead version of most case rows: vacuumed, as
        # autovacuum would soon, so that the roll's case scan is not measured on a doubled table.
        cur.execute(
            "VACUUM (ANALYZE) assistance_dibaocase, assistance_phaseout, assistance_caseamount,"
            " assistance_disabilitysubsidy, assistance_paymentline"
        )
with connection.cursor() as cur:
    cur.execute(
        "DELETE FROM assistance_paymentline WHERE roll_id IN "
        "(SELECT id FROM assistance_paymentroll WHERE county_id = %s AND status = 'draft')",
        [county.pk],
    )
    cur.execute(
        "SELECT count(*), count(*) FILTER (WHERE c.status = 'phasing_out') FROM assistance_dibaocase c "
        "JOIN households_household h ON h.id = c.household_id "
        "WHERE h.village_id LIKE %(p)s AND c.status IN ('active', 'phasing_out')",
        p,
    )
    paying, phasing = cur.fetchone()
    cur.execute(
        "SELECT count(*) FROM assistance_disabilitysubsidy s JOIN households_household h "
        "ON h.id = s.household_id WHERE h.village_id LIKE %(p)s AND s.status = 'active'",
        p,
    )
    print(f"paying cases: {paying} (渐退 {phasing}), active 两项补贴 records: {cur.fetchone()[0]}")
    cur.execute(
        f"SELECT count(DISTINCT case_id) FROM assistance_caseamount WHERE valid_from > %(m)s AND case_id IN "
        f"(SELECT id FROM assistance_dibaocase WHERE household_id IN {IN_COUNTY})",
        {**p, "m": ROLL_MONTH},
    )
    print(f"  cases whose amount changed after the roll's month: {cur.fetchone()[0]}")
times: dict = {}
with timed("roll generation (first)", times):
    roll = generate_roll(county=county, month=ROLL_MONTH, program=Program.DIBAO)
print(f"  lines {roll.line_count}, total {roll.total_amount} 元")
with timed("roll regeneration (same roll, nothing rewritten)", times):
    roll = generate_roll(county=county, month=ROLL_MONTH, program=Program.DIBAO)
print(f"  lines {roll.line_count}, total {roll.total_amount} 元")
with connection.cursor() as cur:
    cur.execute(
        "SELECT count(*) FILTER (WHERE in_phase_out), count(*) FILTER (WHERE subsidy_amount > 0) "
        "FROM assistance_paymentline WHERE roll_id = %s",
        [roll.pk],
    )
    print("  lines in 渐退: {}, lines with 两项补贴: {}".format(*cur.fetchone()))
figure(
    f"roll generation, {roll.line_count:,} lines",
    times["roll generation (first)"],
    "s",
    target="≤ 30 s for 200,000 cases",
)
again = times["roll regeneration (same roll, nothing rewritten)"]
figure("roll regeneration (nothing rewritten)", again, "s")

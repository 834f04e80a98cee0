"""Shared set-up for the assistance benchmarks: Django, a synthetic county, 低保 cases seeded by SQL."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

import pgtrigger  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from assistance.models import DibaoCase, DisabilitySubsidy, TekunCase  # noqa: E402
from core.history import record_events, trigger_uri  # noqa: E402

AS_OF = dt.date(2020, 10, 20)
ROLL_MONTH = dt.date(2020, 11, 1)

INCOME_SQL = """(i.wage + i.business_income + i.property_dividend + i.property_other
    + i.transfer_family_planning + i.transfer_tekun + i.transfer_pension + i.transfer_eco
    + i.transfer_disability + i.transfer_other - i.business_expense - i.basic_pension
    - i.new_job_first_months - i.rigid_medical - i.rigid_education - i.rigid_disability - i.job_costs)"""


@contextmanager
def timed(label: str, results: dict | None = None):
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s", flush=True)
    if results is not None:
        results[label] = seconds


def county_prefix(county: str) -> str:
    return county[:6]


def ensure_county(county: str, households: int) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM households_household WHERE village_id LIKE %s", [county + "%"])
        have = cur.fetchone()[0]
    if have != households:
        print(f"generating {households} households in {county} (have {have}) …", flush=True)
        call_command("generate_households", households=households, county=county, replace=True)


def seed_cases(county: str) -> int:
    """Active whole-household cases for every other household whose 低保口径 income is under 4200
    a person (≈ 22 %: most are paid, those between 3876 and 4200 become 渐退 proposals)."""
    with connection.cursor() as cur:
        cur.execute(
            """
            DELETE FROM assistance_paymentline WHERE household_id IN
                (SELECT id FROM households_household WHERE village_id LIKE %(p)s);
            DELETE FROM assistance_paymentroll WHERE county_id LIKE %(p)s;
            DELETE FROM assistance_changeledgerentry WHERE household_id IN
                (SELECT id FROM households_household WHERE village_id LIKE %(p)s);
            DELETE FROM assistance_alert WHERE household_id IN
                (SELECT id FROM households_household WHERE village_id LIKE %(p)s);
            DELETE FROM assistance_stopproposal WHERE case_id IN (SELECT c.id FROM assistance_dibaocase c
                JOIN households_household h ON h.id = c.household_id WHERE h.village_id LIKE %(p)s);
            DELETE FROM assistance_caseamount WHERE case_id IN (SELECT c.id FROM assistance_dibaocase c
                JOIN households_household h ON h.id = c.household_id WHERE h.village_id LIKE %(p)s);
            DELETE FROM assistance_phaseout WHERE case_id IN (SELECT c.id FROM assistance_dibaocase c
                JOIN households_household h ON h.id = c.household_id WHERE h.village_id LIKE %(p)s);
            DELETE FROM assistance_dibaocase_covered_members WHERE dibaocase_id IN (SELECT c.id
                FROM assistance_dibaocase c JOIN households_household h ON h.id = c.household_id
                WHERE h.village_id LIKE %(p)s);
            DELETE FROM assistance_dibaocase WHERE household_id IN
                (SELECT id FROM households_household WHERE village_id LIKE %(p)s);
            DELETE FROM programs_eligibilityresult WHERE household_id IN
                (SELECT id FROM households_household WHERE village_id LIKE %(p)s);
            """,
            {"p": county + "%"},
        )
        # Pick the households first: as one INSERT … SELECT the planner's row estimate for the joined
        # income test is ~1,000 and the plan it then takes runs for many minutes at 1M households.
        cur.execute("DROP TABLE IF EXISTS seed_households")
        cur.execute(
            f"""
            CREATE TEMP TABLE seed_households AS
            SELECT h.id, h.identify_year IS NOT NULL AS registered
            FROM households_household h
            JOIN (SELECT DISTINCT ON (i.household_id) i.household_id, {INCOME_SQL} AS annual
                  FROM households_incomeyear i ORDER BY i.household_id, i.period_end DESC) inc
              ON inc.household_id = h.id
            JOIN (SELECT household_id, count(*) AS n FROM households_member
                  WHERE member_status = 'normal' GROUP BY household_id) mem ON mem.household_id = h.id
            WHERE h.village_id LIKE %(p)s AND h.id %% 2 = 0 AND inc.annual / mem.n < 4200
            """,
            {"p": county + "%"},
        )
        cur.execute("ANALYZE seed_households")
    # pghistory's row trigger off for the bulk INSERT, its events written in one statement after
    # (households.history explains why).
    with transaction.atomic(), pgtrigger.ignore(trigger_uri(DibaoCase, "insert")), connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO assistance_dibaocase (household_id, case_type, covered_persons, grade,
                is_registered_poor, household_size, monthly_percap_income, annual_percap_income,
                standard_month, standard_parameter_ids, topup_amount, classified_amount, subsidy_amount,
                monthly_amount, classified_items, applied_on,
                start_month, status, publicity_place, refusal_reason, stop_reason, special_reason,
                near_relative_of_staff,
                created_at, updated_at)
            SELECT s.id, 'whole', 0, '', s.registered, 0, 0, 0, 0, '[]', 0, 0, 0, 0, '[]',
                   '2019-01-01', '2019-02-01', 'active', '', '', '', '', false, now(), now()
            FROM seed_households s ORDER BY s.id
            RETURNING id
            """
        )
        case_ids = [row[0] for row in cur.fetchall()]
        record_events(DibaoCase, label="insert", where="id", values=case_ids)
    with connection.cursor() as cur:
        cur.execute("ANALYZE assistance_dibaocase")
    return len(case_ids)


def seed_tekun_and_subsidies(county: str) -> tuple[int, int]:
    """特困供养 for about 1 % of the county's members and 残疾人两项补贴 for about 2 % (every village
    has some: members are picked by id, not by place), as the county's registry carries them: most
    发放中 and 已入库, one in twenty still 审核中 at the township. Replaces the county's rows."""
    with connection.cursor() as cur:
        cur.execute(
            """
            DELETE FROM assistance_tekuncase WHERE household_id IN
                (SELECT id FROM households_household WHERE village_id LIKE %(p)s);
            DELETE FROM assistance_disabilitysubsidy WHERE household_id IN
                (SELECT id FROM households_household WHERE village_id LIKE %(p)s);
            """,
            {"p": county + "%"},
        )
    # pghistory's row triggers off for the bulk INSERTs, their events written in one statement each
    # after (as seed_cases); every other trigger (the village code's) runs.
    with (
        transaction.atomic(),
        pgtrigger.ignore(trigger_uri(TekunCase, "insert"), trigger_uri(DisabilitySubsidy, "insert")),
        connection.cursor() as cur,
    ):
        cur.execute(
            """
            INSERT INTO assistance_tekuncase (household_id, member_id, mode, self_care, assessed_on,
                basic_standard, care_standard, start_month, status, review_state)
            SELECT m.household_id, m.id,
                   CASE WHEN m.id %% 500 < 100 THEN 'centralized' ELSE 'dispersed' END,
                   (ARRAY['full', 'full', 'partial', 'none'])[(m.id / 100) %% 4 + 1],
                   '2019-01-10', 1100.00,
                   (ARRAY[110.00, 110.00, 330.00, 660.00])[(m.id / 100) %% 4 + 1],
                   CASE WHEN m.id %% 2000 < 100 THEN NULL ELSE DATE '2019-02-01' END,
                   CASE WHEN m.id %% 2000 < 100 THEN 'pending' ELSE 'active' END,
                   CASE WHEN m.id %% 2000 < 100 THEN 'pending_township' ELSE 'verified' END
            FROM households_member m
            WHERE m.village_code LIKE %s AND m.id %% 100 = 37 AND m.member_status = 'normal'
            ORDER BY m.id
            RETURNING id
            """,
            [county + "%"],
        )
        tekun_ids = [row[0] for row in cur.fetchall()]
        record_events(TekunCase, label="insert", where="id", values=tekun_ids)
        cur.execute(
            """
            INSERT INTO assistance_disabilitysubsidy (household_id, member_id, kind, grade,
                monthly_amount, start_month, status, review_state)
            SELECT m.household_id, m.id,
                   CASE WHEN (m.id / 50) %% 2 = 0 THEN 'living' ELSE 'care' END,
                   (m.id / 100) %% 4 + 1,
                   CASE WHEN (m.id / 50) %% 2 = 0 THEN 80.00 ELSE 100.00 END,
                   CASE WHEN m.id %% 1000 < 50 THEN NULL ELSE DATE '2019-02-01' END,
                   CASE WHEN m.id %% 1000 < 50 THEN 'pending' ELSE 'active' END,
                   CASE WHEN m.id %% 1000 < 50 THEN 'pending_township' ELSE 'verified' END
            FROM households_member m
            WHERE m.village_code LIKE %s AND m.id %% 50 = 13 AND m.member_status = 'normal'
            ORDER BY m.id
            RETURNING id
            """,
            [county + "%"],
        )
        subsidy_ids = [row[0] for row in cur.fetchall()]
        record_events(DisabilitySubsidy, label="insert", where="id", values=subsidy_ids)
    with connection.cursor() as cur:
        cur.execute("ANALYZE assistance_tekuncase")
        cur.execute("ANALYZE assistance_disabilitysubsidy")
    return len(tekun_ids), len(subsidy_ids)


def reset_results(county: str) -> None:
    """Forget stored results and case figures so the next run writes everything again."""
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM programs_eligibilityresult WHERE household_id IN "
            "(SELECT id FROM households_household WHERE village_id LIKE %(p)s)",
            {"p": county + "%"},
        )
        cur.execute(
            "DELETE FROM programs_householdevaluation WHERE household_id IN "
            "(SELECT id FROM households_household WHERE village_id LIKE %(p)s)",
            {"p": county + "%"},
        )
        cur.execute(
            "DELETE FROM assistance_changeledgerentry WHERE household_id IN "
            "(SELECT id FROM households_household WHERE village_id LIKE %(p)s) AND kind = 'adjust'",
            {"p": county + "%"},
        )
        cur.execute(
            "DELETE FROM assistance_alert WHERE kind IN ('phase_out_proposed', 'stop_proposed') "
            "AND household_id IN (SELECT id FROM households_household WHERE village_id LIKE %(p)s)",
            {"p": county + "%"},
        )
        cur.execute(
            "DELETE FROM assistance_phaseout WHERE status = 'proposed' AND case_id IN (SELECT c.id FROM "
            "assistance_dibaocase c JOIN households_household h ON h.id = c.household_id "
            "WHERE h.village_id LIKE %(p)s)",
            {"p": county + "%"},
        )
        cur.execute(
            "DELETE FROM assistance_stopproposal WHERE status = 'proposed' AND case_id IN (SELECT c.id FROM "
            "assistance_dibaocase c JOIN households_household h ON h.id = c.household_id "
            "WHERE h.village_id LIKE %(p)s)",
            {"p": county + "%"},
        )
        cur.execute(
            "DELETE FROM assistance_caseamount WHERE basis = 'recalculation' AND case_id IN "
            "(SELECT c.id FROM assistance_dibaocase c JOIN households_household h ON h.id = c.household_id "
            "WHERE h.village_id LIKE %(p)s)",
            {"p": county + "%"},
        )
        cur.execute(
            "UPDATE assistance_dibaocase c SET household_size = 0, monthly_amount = 0, topup_amount = 0, "
            "monthly_percap_income = 0, annual_percap_income = 0 FROM households_household h "
            "WHERE h.id = c.household_id AND h.village_id LIKE %(p)s",
            {"p": county + "%"},
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE assistance_dibaocase")
        cur.execute("VACUUM ANALYZE programs_eligibilityresult")


def county_region(county: str):
    from core.models import Region

    return Region.objects.get(pk=county.ljust(12, "0"))

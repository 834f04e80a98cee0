"""The one writer of EligibilityResult: a decision per (household, program), upserted set-based.
The nightly recalculation (assistance.recalc) and the household page's single evaluation
(programs.services.store_decisions) both write through write_results."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection

_REASONS_TEXT: dict[tuple[str, ...], str] = {}


def result_line(household_id: int, d) -> str:
    """One EligibilityResult row in COPY text format. The reasons' JSON is cached: most sentences
    of ineligible programs repeat across households word for word."""
    reasons = _REASONS_TEXT.get(d.reasons)
    if reasons is None:
        reasons = json.dumps(d.reasons, ensure_ascii=False).replace("\\", "\\\\")
        if len(_REASONS_TEXT) < 50_000:
            _REASONS_TEXT[d.reasons] = reasons
    pids = ",".join(map(str, d.parameter_ids))
    eligible = "t" if d.eligible else "f"
    return (
        f"{household_id}\t{d.program}\t{eligible}\t{d.monthly_amount}\t{d.annual_amount}\t{d.persons}"
        f"\t{reasons}\t{{{pids}}}\n"
    )


def write_results(lines: list[str], as_of: dt.date) -> int:
    """Upsert result_line() rows (COPY into a temp table, one INSERT … ON CONFLICT); returns rows
    written. A row whose decision is the same is not touched: its as_of stays the day that decision
    was first reached (the recalculation run records when it was last confirmed). Run it inside a
    transaction (the temp table drops on commit)."""
    if not lines:
        return 0
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS tmp_results")
        cur.execute(
            "CREATE TEMP TABLE tmp_results (household_id bigint, program_id varchar(32), eligible boolean,"
            " monthly_amount numeric(12,2), annual_amount numeric(12,2), persons int, reasons jsonb,"
            " pids bigint[]) ON COMMIT DROP"
        )
        with cur.copy("COPY tmp_results FROM STDIN") as copy:
            copy.write("".join(lines))
        cur.execute(
            """
            INSERT INTO programs_eligibilityresult AS r (household_id, program_id, eligible, monthly_amount,
                annual_amount, persons, reasons, parameter_ids, as_of, computed_at)
            SELECT household_id, program_id, eligible, monthly_amount, annual_amount, persons,
                   reasons, pids, %(as_of)s, now()
            FROM tmp_results
            ON CONFLICT (household_id, program_id) DO UPDATE
            SET eligible = EXCLUDED.eligible, monthly_amount = EXCLUDED.monthly_amount,
                annual_amount = EXCLUDED.annual_amount, persons = EXCLUDED.persons,
                reasons = EXCLUDED.reasons, parameter_ids = EXCLUDED.parameter_ids,
                as_of = EXCLUDED.as_of, computed_at = EXCLUDED.computed_at
            WHERE (r.eligible, r.monthly_amount, r.annual_amount, r.persons, r.reasons, r.parameter_ids)
                  IS DISTINCT FROM (EXCLUDED.eligible, EXCLUDED.monthly_amount, EXCLUDED.annual_amount,
                   EXCLUDED.persons, EXCLUDED.reasons, EXCLUDED.parameter_ids)
            """,
            {"as_of": as_of},
        )
        return cur.rowcount

"""Recalculation of a region: primary-key chunks, each one transaction written set-based.

A chunk loads the facts of its approved households once (programs.selectors.household_facts, three
queries) and has two steps. Programs: every rule of programs.rules.engine, skipping a household
whose inputs fingerprint (programs.rules.digest) equals the stored one unless the run is `full`; the
decisions are COPYed into a temp table and written with one INSERT … ON CONFLICT that leaves
identical rows untouched. Cases: the paying 低保 cases (assistance.amounts.load_cases, one query) get
their amounts from the one calculator (programs.rules.dibao.dibao_amount) over the same facts, and
their 渐退 proposals, stop proposals and R12 reviews, written with one UPDATE … FROM. A parameter
missing for a village leaves that village's cases as they are and is named, in Chinese, in the
run's error log. The chunk row's done_at is set in the same transaction, so a redelivered chunk
(worker killed, acks_late) finds it done and does nothing, and a chunk killed half-way left nothing
behind.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import pgtrigger
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from assistance.amounts import CaseRow, case_figures, load_cases
from assistance.choices import CaseStatus, PhaseOutStatus, RunStatus, StopGround, StopMode
from assistance.copy import copy_rows
from assistance.models import PhaseOut, RecalculationChunk, RecalculationRun
from assistance.rules import first_of_month, next_month
from assistance.services.phase_out import end_phase_out, return_to_normal
from assistance.services.stops import STOP_MODE_KEY, stop_automatically, stop_reason
from core.history import record_events, trigger_uri
from core.models import Region
from households.models import Household
from programs.results import result_line, write_results
from programs.rules.dibao import AMOUNT_KEYS, DibaoAmount, dibao_amount
from programs.rules.digest import inputs_digest, parameter_fingerprint, results_digest
from programs.rules.engine import ParameterResolver, evaluate
from programs.rules.facts import HouseholdFacts
from programs.selectors import household_facts, parameter_versions_under

log = logging.getLogger(__name__)

CHUNK_SIZE = 20_000  # ~2 s of work per chunk: far below the broker's 1 h visibility timeout


def plan_run(
    *, region: Region, as_of: dt.date, user=None, chunk_size: int = CHUNK_SIZE, full: bool = False
) -> RecalculationRun:
    """Create the run row and its primary-key chunks (bucketed by row_number, never OFFSET)."""
    with transaction.atomic():
        run = RecalculationRun.objects.create(region=region, as_of=as_of, started_by=user, full=full)
        with connection.cursor() as cur:
            cur.execute(
                """
                SELECT min(id), max(id), count(*) FROM (
                    SELECT id, (row_number() OVER (ORDER BY id) - 1) / %(size)s AS bucket
                    FROM households_household
                    WHERE village_id LIKE %(prefix)s AND archived_at IS NULL
                ) t GROUP BY bucket ORDER BY 1
                """,
                {"size": chunk_size, "prefix": region.prefix + "%"},
            )
            bounds = cur.fetchall()
        RecalculationChunk.objects.bulk_create(
            [RecalculationChunk(run=run, lo=lo, hi=hi, households=n) for lo, hi, n in bounds]
        )
        run.chunks_total = len(bounds)
        run.households_total = sum(n for _, _, n in bounds)
        if not bounds:
            run.status = RunStatus.DONE
        run.save(update_fields=["chunks_total", "households_total", "status"])
    return run


@dataclass
class ChunkOutcome:
    households: int = 0
    evaluated: int = 0
    results_changed: int = 0
    cases_changed: int = 0
    proposed: int = 0
    stops_proposed: int = 0
    stops_automatic: int = 0
    returned: list[int] = field(default_factory=list)
    ended_early: list[int] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)  # (Chinese message, "results"/"cases") → count


@contextmanager
def _cyclic_gc_paused():
    """A chunk allocates millions of small acyclic objects (facts, Decimals, decisions) that reference
    counting frees; the cyclic collector would walk the growing heap again and again (measured: 18 %
    of a chunk, most of it in full collections). Paused for the chunk, then a young-generation
    collection (the objects made since the pause) frees the few cycles it made (each
    ValidationError refers to itself) without walking the whole process."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)


def run_chunk(*, chunk_id: int) -> ChunkOutcome | None:
    """Recalculate one chunk. Returns None when it was already done (a redelivery)."""
    with _cyclic_gc_paused(), transaction.atomic():
        # of=self: a plain FOR UPDATE would lock the joined run row too, for the whole chunk, and
        # make every chunk of a run wait for the one before it (2 workers no faster than 1).
        chunk = (
            RecalculationChunk.objects.select_for_update(of=("self",))
            .select_related("run__region")
            .get(pk=chunk_id)
        )
        if chunk.done_at is not None:
            return None
        with connection.cursor() as cur:
            # A chunk's queries are short index range scans. Over a county their cost estimates
            # pass the JIT threshold (compiling took longer than running: 60 ms a query) and invite
            # parallel workers, which only compete with the other Celery workers for the cores.
            cur.execute("SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0")
        run = chunk.run
        outcome = _recalculate(run=run, lo=chunk.lo, hi=chunk.hi)
        outcome.households = chunk.households
        _finish_chunk(chunk, outcome)
        return outcome


def _recalculate(*, run: RecalculationRun, lo: int, hi: int) -> ChunkOutcome:
    out = ChunkOutcome()
    households = Household.objects.filter(pk__gte=lo, pk__lte=hi, village__code__startswith=run.region.prefix)
    facts = household_facts(households, as_of=run.as_of)
    out.evaluated, out.results_changed = _evaluate_programs(run, facts, lo, hi, out.errors)
    _recalculate_cases(run, lo, hi, out, {f.id: f for f in facts})
    return out


def _evaluate_programs(
    run: RecalculationRun, facts: list[HouseholdFacts], lo: int, hi: int, errors: Counter
) -> tuple[int, int]:
    """Every program's decision for the chunk's approved (已入库) households whose inputs changed (all
    of them when run.full); decisions that came out as stored are not written again. Returns
    (households evaluated, result rows written)."""
    from programs.models import HouseholdEvaluation

    as_of = run.as_of
    stored = {
        hid: (inputs, results)
        for hid, inputs, results in HouseholdEvaluation.objects.filter(
            household_id__gte=lo, household_id__lte=hi
        ).values_list("household_id", "inputs_digest", "results_digest")
    }
    resolver = _resolver(run.pk, run.region.prefix, as_of)
    fingerprints: dict[str, tuple[int, ...]] = {}
    result_lines: list[str] = []
    digest_rows: list[tuple] = []
    evaluated = 0
    for f in facts:
        params = resolver(f.village_code)
        pids = fingerprints.get(f.village_code)
        if pids is None:
            pids = fingerprints[f.village_code] = parameter_fingerprint(params)
        before = stored.get(f.id)
        if run.full:
            digest = None  # computed below only where it is written
        else:
            digest = inputs_digest(f, as_of, pids)
            if before is not None and before[0] == digest:
                continue
        evaluated += 1
        decisions = evaluate(f, as_of, params)
        for d in decisions:
            if d.tags and d.failed:
                errors[(d.reasons[0], "results")] += 1
        outputs = results_digest(decisions)
        if before is not None and before[1] == outputs and (run.full or before[0] == digest):
            # Decisions as stored. A full run leaves the inputs fingerprint alone here: if the inputs
            # changed since it was taken, the next nightly run evaluates the household once more
            # and stores it; that costs one evaluation, while fingerprinting every household in
            # every full run would cost a sixth of the run.
            continue
        if digest is None:
            digest = inputs_digest(f, as_of, pids)
        digest_rows.append((f.id, digest, outputs))
        if before is None or before[1] != outputs:
            result_lines.extend(result_line(f.id, d) for d in decisions)
    written = write_results(result_lines, as_of)
    _write_digests(digest_rows, as_of)
    return evaluated, written


@lru_cache(maxsize=4)
def _resolver(run_id: int, prefix: str, as_of: dt.date) -> ParameterResolver:
    """Parameter versions of the region, read once per run in each worker process: every chunk of a
    run decides with the same versions."""
    return ParameterResolver(parameter_versions_under(region_prefix=prefix), as_of)


def _recalculate_cases(
    run: RecalculationRun, lo: int, hi: int, out: ChunkOutcome, facts_by_id: dict[int, HouseholdFacts]
) -> None:
    """Amounts, 渐退 proposals, stop proposals and R12 reviews of the chunk's paying 低保 cases, from
    dibao_amount over the facts the programs step read. A case whose household is out of the
    approved register (returned for correction, reopened) keeps its figures until it is approved
    again: a case follows approved data only, as the eligibility results do."""
    as_of = run.as_of
    resolver = _resolver(run.pk, run.region.prefix, as_of)
    case_rows, proposals = [], []
    stops: list[tuple] = []  # (case, amount, params, ground): above the standard, no 渐退 possible
    eligible_ids: list[int] = []
    reviews: list[tuple] = []
    cases = load_cases(lo=lo, hi=hi, prefix=run.region.prefix)
    for c in cases:
        f = facts_by_id.get(c.household_id)
        if f is None:
            continue
        params = resolver(c.village_code)
        try:
            a = dibao_amount(f, as_of, params, covered=c.covered, assets_accepted=c.assets_accepted)
            if a is None:  # no active member or no income year: nothing to compute from
                continue
            pids = params.ids_for(AMOUNT_KEYS)
            may_phase_out = c.registered or params.boolean("phase_out.allow_non_registered")
            upper = params.decimal("phase_out.upper_bound_ratio") * a.std_year
            str(params[STOP_MODE_KEY])  # the stop step needs it: a missing one is met here
        except ValidationError as exc:
            out.errors[(exc.messages[0], "cases")] += 1
            continue
        # Only an active case still under the standard follows the income; one above it keeps its
        # amount until the county decides on 渐退 or 停保 (R12 base = the last amount).
        follows_income = c.status == CaseStatus.ACTIVE and a.eligible
        figures = case_figures(a, pids)
        if _case_changed(c.stored, figures, follows_income):
            case_rows.append(
                (
                    c.case_id, *figures[:5], *figures[6:10], json.dumps(figures[10], ensure_ascii=False),
                    json.dumps(figures[5]), follows_income,
                )
            )  # fmt: skip
        if a.eligible:
            eligible_ids.append(c.case_id)
        if c.status == CaseStatus.ACTIVE and not a.eligible and c.phase_out_id is None:
            if a.assets_over:  # R7: 渐退 follows income; assets above the limit stop the case
                stops.append((c, a, params, StopGround.ASSETS_OVER))
            elif may_phase_out:
                proposals.append((c, a, params))
            else:
                stops.append((c, a, params, StopGround.NOT_REGISTERED))
        elif c.phase_out_status == PhaseOutStatus.PROPOSED and a.eligible:
            reviews.append(("withdraw", c.phase_out_id, a, pids))
        elif c.phase_out_status == PhaseOutStatus.ACTIVE:
            if a.eligible:
                reviews.append(("return", c.phase_out_id, a, pids))
            elif a.annual_percap > upper:
                reviews.append(("end", c.phase_out_id, a, pids))
    out.cases_changed = _write_cases(case_rows, as_of)
    proposals = _used_up_to_stops(proposals, stops)
    out.proposed = _write_proposals(proposals, as_of)
    if cases:
        _withdraw_stop_proposals(eligible_ids, as_of)
    _write_stops(stops, as_of, out)
    _apply_reviews(reviews, as_of, out)


def _used_up_to_stops(proposals: list[tuple], stops: list[tuple]) -> list[tuple]:
    """A case whose earlier 渐退 months (R12, returned to normal since) reach phase_out.max_months
    cannot phase out again: it goes to the stop proposals. One query, for the few cases above the
    standard without an open 渐退."""
    if not proposals:
        return proposals
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT case_id, sum(GREATEST(0, LEAST(months,
                (EXTRACT(YEAR FROM closed_on) - EXTRACT(YEAR FROM start)) * 12
                + EXTRACT(MONTH FROM closed_on) - EXTRACT(MONTH FROM start) + 1)))::int
            FROM assistance_phaseout
            WHERE case_id = ANY(%s) AND start IS NOT NULL AND closed_on IS NOT NULL
              AND status IN ('returned', 'ended', 'ended_early')
            GROUP BY case_id
            """,
            [[c.case_id for c, _, _ in proposals]],
        )
        used = dict(cur.fetchall())
    keep = []
    for c, a, params in proposals:
        if used.get(c.case_id, 0) >= params.integer("phase_out.max_months"):
            stops.append((c, a, params, StopGround.PHASE_OUT_USED_UP))
        else:
            keep.append((c, a, params))
    return keep


def _withdraw_stop_proposals(eligible_ids: list[int], as_of: dt.date) -> None:
    """Income back under the standard before the county decided: the proposal is withdrawn and its
    alert closed. The partial unique index on open proposals keeps this a few index probes; it runs
    for every chunk with paying cases (one query, whether or not any case is back under)."""
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH w AS (
                UPDATE assistance_stopproposal SET status = 'withdrawn', decided_on = %(as_of)s,
                    decision_reason = '收入回落至保障标准以下，撤回停保建议'
                WHERE status = 'proposed' AND case_id = ANY(%(ids)s) RETURNING id)
            UPDATE assistance_alert SET handled_at = now()
            WHERE stop_proposal_id IN (SELECT id FROM w) AND handled_at IS NULL
            """,
            {"as_of": as_of, "ids": eligible_ids},
        )


def _write_stops(stops: list[tuple], as_of: dt.date, out: ChunkOutcome) -> None:
    """停保建议 with the county's alert (set-based), or — where the county's parameter says
    automatic — the stop itself from the next month (rare: one service call each)."""
    proposed = []
    for c, a, params, ground in stops:
        pids = params.ids_for(AMOUNT_KEYS)
        if str(params[STOP_MODE_KEY]) == StopMode.AUTOMATIC:
            from assistance.models import DibaoCase

            stop_automatically(
                case=DibaoCase.objects.select_related("household").get(pk=c.case_id), ground=ground, on=as_of,
                annual_income=a.annual_percap, monthly_income=a.monthly_percap,
                standard_month=a.standard_month, parameter_ids=pids,
                percap_assets=a.percap_assets, asset_limit=_asset_limit(a, params),
            )  # fmt: skip
            out.stops_automatic += 1
        else:
            reason = stop_reason(
                ground=ground, monthly_income=a.monthly_percap, standard_month=a.standard_month,
                percap_assets=a.percap_assets, asset_limit=_asset_limit(a, params),
            )  # fmt: skip
            proposed.append(
                (c.case_id, str(ground), a.annual_percap, a.monthly_percap, a.standard_month, reason,
                 json.dumps(list(pids)))
            )  # fmt: skip
    if not proposed:
        return
    columns = list(zip(*proposed, strict=True))
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH t AS (
                SELECT * FROM unnest(%(ids)s::bigint[], %(grounds)s::text[], %(incomes)s::numeric[],
                    %(monthly)s::numeric[], %(std)s::numeric[], %(reasons)s::text[], %(pids)s::jsonb[])
                    AS t(case_id, ground, income, monthly, std, reason, pids)
            ), ins AS (
                INSERT INTO assistance_stopproposal (case_id, ground, mode, status, proposed_on,
                    proposed_income, monthly_percap_income, standard_month, amount, reason, parameter_ids,
                    decision_reason, notice_text)
                SELECT t.case_id, t.ground, 'propose', 'proposed', %(as_of)s, t.income, t.monthly, t.std,
                       c.monthly_amount, t.reason, t.pids, '', ''
                FROM t JOIN assistance_dibaocase c ON c.id = t.case_id
                -- a county's 不予停保 holds for the income it decided on
                WHERE NOT EXISTS (SELECT 1 FROM assistance_stopproposal s WHERE s.case_id = t.case_id
                    AND (s.status = 'proposed' OR (s.status = 'rejected' AND s.proposed_income = t.income)))
                ON CONFLICT DO NOTHING
                RETURNING id, case_id, reason
            ), alerts AS (
                INSERT INTO assistance_alert (kind, household_id, case_id, stop_proposal_id, due_date,
                    message, created_at)
                SELECT 'stop_proposed', c.household_id, ins.case_id, ins.id, %(due)s, ins.reason, now()
                FROM ins JOIN assistance_dibaocase c ON c.id = ins.case_id
                ON CONFLICT DO NOTHING
                RETURNING 1
            )
            SELECT count(*) FROM ins
            """,
            {
                "ids": list(columns[0]), "grounds": list(columns[1]), "incomes": list(columns[2]),
                "monthly": list(columns[3]), "std": list(columns[4]), "reasons": list(columns[5]),
                "pids": list(columns[6]), "as_of": as_of, "due": next_month(as_of),
            },
        )  # fmt: skip
        out.stops_proposed += cur.fetchone()[0]


def _asset_limit(a: DibaoAmount, params) -> Decimal | None:
    """The per-capita asset limit a stop on assets names (None for the other grounds)."""
    return params["dibao.asset_multiple"] * a.std_year if a.assets_over else None


def _case_changed(stored: tuple, figures: tuple, follows_income: bool) -> bool:
    """Whether _write_cases would change the case row: the same test as its IS DISTINCT FROM, made
    in Python first so that unchanged cases (nearly all, night after night) cost no COPY and no
    UPDATE. Both are amounts.CASE_FIGURES (the stored jsonb columns as text)."""
    size, covered, annual, monthly, std, pids, topup, classified, subsidy, total, items = stored
    if (size, covered, annual, monthly, std) != figures[:5] or _json(pids) != figures[5]:
        return True
    return follows_income and (
        (topup, classified, subsidy, total) != figures[6:10] or _json(items) != figures[10]
    )


def _json(value):
    """A jsonb column read with a raw cursor: Django's psycopg set-up leaves it as text."""
    return json.loads(value) if isinstance(value, str) else value


def _write_digests(rows: list[tuple], as_of: dt.date) -> None:
    if not rows:
        return
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS tmp_digests")
        cur.execute(
            "CREATE TEMP TABLE tmp_digests (household_id bigint, inputs bigint, results bigint)"
            " ON COMMIT DROP"
        )
        copy_rows(cur, "tmp_digests", None, rows)
        cur.execute(
            """
            INSERT INTO programs_householdevaluation AS e (household_id, inputs_digest, results_digest,
                as_of, computed_at)
            SELECT household_id, inputs, results, %(as_of)s, now() FROM tmp_digests
            ON CONFLICT (household_id) DO UPDATE
            SET inputs_digest = EXCLUDED.inputs_digest, results_digest = EXCLUDED.results_digest,
                as_of = EXCLUDED.as_of, computed_at = EXCLUDED.computed_at
            """,
            {"as_of": as_of},
        )


CASE_COLUMNS = (
    "id bigint, household_size int, covered_persons int, annual numeric(12,2), monthly numeric(12,2),"
    " std numeric(12,2), topup numeric(12,2), classified numeric(12,2), subsidy numeric(12,2),"
    " total numeric(12,2), items jsonb, pids jsonb, upd boolean"
)


def _write_cases(rows: list[tuple], as_of: dt.date) -> int:
    """Case figures; an active case whose amount changes gets its 调整 row in the change ledger and
    its amount-history row from the run's month (from its first month, for a case not paid yet), so
    a roll for an earlier month built later still pays that month's amount. The case is marked with
    that row's month (DibaoCase.amount_valid_from), or unmarked where only its income figures
    change while its amount is kept (above the standard, 渐退)."""
    if not rows:
        return 0
    from assistance.models import DibaoCase

    # The history row trigger is off for this one statement (households.history explains why); the
    # same 'update' events are written right after it.
    with pgtrigger.ignore(trigger_uri(DibaoCase, "update")), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS tmp_cases")
        cur.execute(f"CREATE TEMP TABLE tmp_cases ({CASE_COLUMNS}) ON COMMIT DROP")
        copy_rows(cur, "tmp_cases", None, rows)
        cur.execute(
            """
            WITH upd AS (
                UPDATE assistance_dibaocase c SET
                    household_size = t.household_size, covered_persons = t.covered_persons,
                    annual_percap_income = t.annual, monthly_percap_income = t.monthly,
                    standard_month = t.std,
                    topup_amount = CASE WHEN t.upd THEN t.topup ELSE c.topup_amount END,
                    classified_amount = CASE WHEN t.upd THEN t.classified ELSE c.classified_amount END,
                    subsidy_amount = CASE WHEN t.upd THEN t.subsidy ELSE c.subsidy_amount END,
                    monthly_amount = CASE WHEN t.upd THEN t.total ELSE c.monthly_amount END,
                    classified_items = CASE WHEN t.upd THEN t.items ELSE c.classified_items END,
                    standard_parameter_ids = t.pids, computed_at = now(), updated_at = now(),
                    -- the case's figures are the row written below, or (amount kept, income
                    -- updated) no row's: the rolls then look the history up
                    amount_valid_from = CASE WHEN t.upd THEN GREATEST(%s::date, c.start_month) END,
                    amount_basis = CASE WHEN t.upd THEN 'recalculation' ELSE '' END
                FROM tmp_cases t JOIN assistance_dibaocase o ON o.id = t.id
                WHERE c.id = t.id AND (
                    (c.household_size, c.covered_persons, c.annual_percap_income, c.monthly_percap_income,
                     c.standard_month, c.standard_parameter_ids)
                    IS DISTINCT FROM (t.household_size, t.covered_persons, t.annual, t.monthly, t.std, t.pids)
                    OR (t.upd AND (c.topup_amount, c.classified_amount, c.subsidy_amount,
                        c.monthly_amount, c.classified_items)
                        IS DISTINCT FROM (t.topup, t.classified, t.subsidy, t.total, t.items)))
                RETURNING c.id, c.household_id, o.monthly_amount AS old_amount,
                    c.monthly_amount AS new_amount, t.upd, GREATEST(%s::date, c.start_month) AS valid_from
            ), gone AS (
                -- rows an earlier decision dated after this month no longer hold (record_amount)
                DELETE FROM assistance_caseamount a USING upd
                WHERE upd.upd AND a.case_id = upd.id AND a.valid_from > upd.valid_from
            ), amounts AS (
                -- the amount paid from this month on (the case amount history the rolls read)
                INSERT INTO assistance_caseamount AS a (case_id, valid_from, basis, note, household_size,
                    covered_persons, annual_percap_income, monthly_percap_income, standard_month,
                    topup_amount, classified_amount, subsidy_amount, monthly_amount, classified_items,
                    parameter_ids, recorded_at)
                SELECT t.id, upd.valid_from, 'recalculation', %s, t.household_size, t.covered_persons,
                       t.annual, t.monthly, t.std, t.topup, t.classified, t.subsidy, t.total, t.items, t.pids,
                       now()
                FROM upd JOIN tmp_cases t ON t.id = upd.id
                WHERE upd.upd
                ON CONFLICT (case_id, valid_from) DO UPDATE SET basis = EXCLUDED.basis, note = EXCLUDED.note,
                    household_size = EXCLUDED.household_size, covered_persons = EXCLUDED.covered_persons,
                    annual_percap_income = EXCLUDED.annual_percap_income,
                    monthly_percap_income = EXCLUDED.monthly_percap_income,
                    standard_month = EXCLUDED.standard_month, topup_amount = EXCLUDED.topup_amount,
                    classified_amount = EXCLUDED.classified_amount, subsidy_amount = EXCLUDED.subsidy_amount,
                    monthly_amount = EXCLUDED.monthly_amount, classified_items = EXCLUDED.classified_items,
                    parameter_ids = EXCLUDED.parameter_ids, recorded_at = EXCLUDED.recorded_at
                RETURNING 1
            ), led AS (
                INSERT INTO assistance_changeledgerentry
                    (household_id, program, case_id, kind, month, old_amount, new_amount, reason, created_at)
                SELECT household_id, 'dibao', id, 'adjust', %s, old_amount, new_amount,
                       '复核收入变化，调整保障金额', now()
                FROM upd WHERE old_amount IS DISTINCT FROM new_amount
                RETURNING 1
            )
            SELECT (SELECT array_agg(id) FROM upd), (SELECT count(*) FROM led)
            """,
            [first_of_month(as_of)] * 2 + [f"{as_of:%Y-%m-%d} 复核重新核算", first_of_month(as_of)],
        )
        changed, _ledger_rows = cur.fetchone()
    record_events(DibaoCase, label="update", where="id", values=changed or [])
    return len(changed or [])


def _write_proposals(rows: list[tuple[CaseRow, DibaoAmount, object]], as_of: dt.date) -> int:
    """拟渐退 for active cases whose income rose above the standard (R12 trigger), each with an alert
    on the county's queue. A proposal the county rejected (不予渐退) is not proposed again for the
    same income: only when the income changes (its last phase-out rejected at that very income)."""
    if not rows:
        return 0
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH ins AS (
                INSERT INTO assistance_phaseout (case_id, trigger, status, proposed_on, proposed_income,
                    base_amount, schedule, parameter_ids, schedule_kind, early_end_reason)
                SELECT t.case_id, 'other', 'proposed', %(as_of)s, t.income, c.monthly_amount, '[]', '[]',
                       '', ''
                FROM unnest(%(ids)s::bigint[], %(incomes)s::numeric[]) AS t(case_id, income)
                JOIN assistance_dibaocase c ON c.id = t.case_id
                WHERE NOT EXISTS (
                    SELECT 1 FROM (SELECT p.status, p.proposed_income FROM assistance_phaseout p
                                   WHERE p.case_id = t.case_id ORDER BY p.id DESC LIMIT 1) last
                    WHERE last.status = 'rejected' AND last.proposed_income = t.income)
                ON CONFLICT DO NOTHING
                RETURNING id, case_id, proposed_income
            ), alerts AS (
                INSERT INTO assistance_alert (kind, household_id, case_id, phase_out_id, due_date, message,
                    created_at)
                SELECT 'phase_out_proposed', c.household_id, ins.case_id, ins.id, %(due)s,
                       '年人均收入' || ins.proposed_income || '元超过保障标准，拟渐退，请县级审批', now()
                FROM ins JOIN assistance_dibaocase c ON c.id = ins.case_id
                ON CONFLICT DO NOTHING
                RETURNING 1
            )
            SELECT count(*) FROM ins
            """,
            {
                "as_of": as_of,
                "due": next_month(as_of),
                "ids": [c.case_id for c, _, _ in rows],
                "incomes": [a.annual_percap for _, a, _ in rows],
            },
        )
        return cur.fetchone()[0]


def _apply_reviews(reviews: list[tuple], as_of: dt.date, out: ChunkOutcome) -> None:
    """R12 review of open phase-outs; rare, so one service call each (inside the chunk's transaction)."""
    if not reviews:
        return
    by_id = PhaseOut.objects.select_related("case__household").in_bulk([r[1] for r in reviews])
    for action, po_id, amount, pids in reviews:
        po = by_id[po_id]
        if action == "withdraw":
            po.status = PhaseOutStatus.REJECTED
            po.closed_on = as_of
            po.early_end_reason = "收入回落至保障标准以下，撤回渐退建议"
            po.save(update_fields=["status", "closed_on", "early_end_reason"])
        elif action == "return":
            return_to_normal(phase_out=po, amount=amount, on=as_of, parameter_ids=pids)
            out.returned.append(po.case_id)
        else:
            end_phase_out(
                phase_out=po,
                on=as_of,
                stop_month=next_month(as_of),
                reason="收入超过渐退上限，提前终止渐退并停保",
                early=True,
            )
            out.ended_early.append(po.case_id)


ERROR_LINES = {
    "results": "{message}（相关户的政策测算未能完成）",
    "cases": "{message}（相关低保案件未重新核算，保留原金额）",
}


def _log_errors(run_id: int, errors: Counter) -> None:
    """A missing parameter (or another rule error) is never a silent default: each message goes to
    the run's error log once (chunks of the same run meet the same missing version), and to the log."""
    for (message, what), count in errors.items():
        log.warning("recalculation run %s: %s (%s %s)", run_id, message, count, what)
    with connection.cursor() as cur:
        cur.execute("SELECT error FROM assistance_recalculationrun WHERE id = %s FOR UPDATE", [run_id])
        (text,) = cur.fetchone()
        lines = [line for line in text.splitlines() if line]
        for message, what in sorted(errors):
            line = ERROR_LINES[what].format(message=message)
            if line not in lines:
                lines.append(line)
        cur.execute(
            "UPDATE assistance_recalculationrun SET error = %s WHERE id = %s", ["\n".join(lines), run_id]
        )


def _finish_chunk(chunk: RecalculationChunk, out: ChunkOutcome) -> None:
    if out.errors:
        _log_errors(chunk.run_id, out.errors)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE assistance_recalculationchunk SET done_at = now(), attempts = attempts + 1 WHERE id = %s",
            [chunk.pk],
        )
        cur.execute(
            """
            UPDATE assistance_recalculationrun SET
                chunks_done = chunks_done + 1, households_done = households_done + %(n)s,
                households_evaluated = households_evaluated + %(e)s,
                results_changed = results_changed + %(r)s, cases_changed = cases_changed + %(c)s,
                phase_outs_proposed = phase_outs_proposed + %(p)s,
                stops_proposed = stops_proposed + %(sp)s, stops_automatic = stops_automatic + %(sa)s,
                status = CASE WHEN chunks_done + 1 >= chunks_total THEN 'done' ELSE 'running' END,
                finished_at = CASE WHEN chunks_done + 1 >= chunks_total THEN now() ELSE NULL END
            WHERE id = %(run)s
            """,
            {
                "n": out.households,
                "e": out.evaluated,
                "r": out.results_changed,
                "c": out.cases_changed,
                "p": out.proposed,
                "sp": out.stops_proposed,
                "sa": out.stops_automatic,
                "run": chunk.run_id,
            },
        )


def pending_chunk_ids(run: RecalculationRun) -> list[int]:
    return list(run.chunks.filter(done_at__isnull=True).order_by("lo").values_list("id", flat=True))


def recalculate_now(
    *, region: Region, as_of: dt.date, user=None, chunk_size: int = CHUNK_SIZE, full: bool = False
) -> RecalculationRun:
    """In-process run (tests, the no-Redis demo, management command)."""
    run = plan_run(region=region, as_of=as_of, user=user, chunk_size=chunk_size, full=full)
    for chunk_id in pending_chunk_ids(run):
        run_chunk(chunk_id=chunk_id)
    run.refresh_from_db()
    return run

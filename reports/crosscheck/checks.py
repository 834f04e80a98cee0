"""The checks, each one INSERT … SELECT over a county (never a loop per household).

Every rule writes its findings straight into reports_hit with ON CONFLICT (rule, key) DO NOTHING:
a finding already recorded — open or answered or closed — is never recorded twice, so a re-run
(redelivered task, nightly run) adds only what is new. Members stored with a non-canonical ID
(15 digits, lower-case x) are compared through reports_id18(), the SQL twin of idcard.to_18.

≈150,000-row list against a 1,000,000-household county plus all internal rules: see
docs/benchmarks.md (bench/crosscheck.py)."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

from django.db import connection

from reports.crosscheck.choices import ListKind, Rule, Severity

# A member's own money: covered by a paying 低保 case (whole household, or named in a 单人保), or
# the member of an active 特困 case or 两项补贴 record. {hh}, {mid}: the household and member ids.
PAYING = """(EXISTS (SELECT 1 FROM assistance_dibaocase c
                WHERE c.household_id = {hh} AND c.status IN ('active', 'phasing_out')
                  AND (c.case_type = 'whole' OR EXISTS (
                      SELECT 1 FROM assistance_dibaocase_covered_members cm
                      WHERE cm.dibaocase_id = c.id AND cm.member_id = {mid})))
        OR EXISTS (SELECT 1 FROM assistance_tekuncase t WHERE t.member_id = {mid} AND t.status = 'active')
        OR EXISTS (SELECT 1 FROM assistance_disabilitysubsidy s
                   WHERE s.member_id = {mid} AND s.status = 'active'))"""

# Member.save() trims and upper-cases numbers, so a stored number that is not 18 characters long is
# the only other spelling (15 digits). A length test, not a regular expression: it runs on every
# member of the county (a regex cost 4 s a million rows on this machine).
NON_CANONICAL = "length({m}.id_no) <> 18"
# The member's number in its 18-digit form, computed only where it differs.
ID18 = "CASE WHEN length({m}.id_no) = 18 THEN {m}.id_no::text ELSE reports_id18({m}.id_no) END"

HIT_COLUMNS = (
    "rule, key, severity, village_id, household_id, member_id, other_household_id, other_member_id, id_no, "
    "reason, on_payee, batch_id, list_row_id"
)

# list hits: members of approved households (and anyone paid) matched on the 18-digit number.
LIST_MATCH = f"""
    WITH matched AS MATERIALIZED (
        SELECT r.id AS row_id, r.name AS list_name, r.event_date, r.detail, m.id AS member_id, m.name,
               m.household_id, r.id_no
        FROM households_member m
        JOIN reports_outsidelistrow r ON r.id_no = {ID18.format(m="m")}
        WHERE r.batch_id = %(batch)s AND m.member_status = 'normal'
    ), flagged AS MATERIALIZED (
        SELECT x.*, h.village_id, h.review_state,
               {PAYING.format(hh="x.household_id", mid="x.member_id")} AS paying,
               %(kind)s = ANY(%(excluding)s::text[]) AS excluding
        FROM matched x
        -- OFFSET 0: one index probe per match, never a hash of the county's million households
        JOIN LATERAL (SELECT h.village_id, h.review_state FROM households_household h
                      WHERE h.id = x.household_id AND h.archived_at IS NULL AND h.village_id LIKE %(prefix)s
                      OFFSET 0) h ON true
    )
    SELECT '{Rule.LIST_MATCH}', 'b' || %(batch)s || ':m' || member_id,
           CASE WHEN excluding AND paying
                     AND (%(kind)s <> '{ListKind.DEATH}' OR event_date IS NULL OR event_date < %(roll_month)s)
                THEN '{Severity.HIGH}'
                WHEN excluding THEN '{Severity.MEDIUM}' ELSE '{Severity.LOW}' END,
           village_id, household_id, member_id, NULL::bigint, NULL::bigint, id_no,
           left(format('%%s名单（%%s，截至%%s）比中：%%s%%s%%s%%s%%s',
                  %(label)s, %(agency)s, %(cutoff)s, name,
                  CASE WHEN event_date IS NOT NULL
                       THEN '，日期 ' || to_char(event_date, 'YYYY-MM-DD') ELSE '' END,
                  CASE WHEN detail <> '' THEN '，' || detail ELSE '' END,
                  CASE WHEN list_name <> '' AND list_name <> regexp_replace(name, '\\s', '', 'g')
                       THEN '；名单姓名为“' || list_name || '”，与登记不一致' ELSE '' END,
                  CASE WHEN paying THEN '；该成员仍在保障或发放中' ELSE '' END), 400),
           paying, %(batch)s, row_id
    FROM flagged
    WHERE review_state = 'verified' OR paying
"""

# The internal rules about members share one pass over the members table (3 M rows a county):
# the members any rule flags, in an active household of the county, go to a temporary table that
# each rule then reads (a few thousand rows instead of a full scan per rule).
MEMBER_FLAGS = f"""
    CREATE TEMP TABLE tmp_cc_members ON COMMIT DROP AS
    WITH f AS MATERIALIZED (
        SELECT m.id, m.household_id, m.id_no, m.name, m.birth_date, m.sex, m.school_status,
               m.member_status, m.status_date,
               m.member_status = 'normal' AND {NON_CANONICAL.format(m="m")} AS odd,
               m.member_status = 'normal' AND length(m.id_no) = 18
                   AND substr(m.id_no, 7, 8) <> replace(m.birth_date::text, '-', '') AS wrong_birth,
               m.member_status = 'normal' AND length(m.id_no) = 18
                   AND (substr(m.id_no, 17, 1) IN ('1', '3', '5', '7', '9')) <> (m.sex = 'male') AS wrong_sex,
               date_part('year', age(%(as_of)s::date, m.birth_date))::int AS age
        FROM households_member m
        WHERE m.member_status = 'deceased'
           OR m.member_status = 'normal' AND (
                {NON_CANONICAL.format(m="m")}
                OR length(m.id_no) = 18 AND (
                    substr(m.id_no, 7, 8) <> replace(m.birth_date::text, '-', '')
                    OR (substr(m.id_no, 17, 1) IN ('1', '3', '5', '7', '9')) <> (m.sex = 'male'))
                OR m.school_status <> 'not_in_school' AND %(ranges)s::jsonb ? m.school_status AND (
                    date_part('year', age(%(as_of)s::date, m.birth_date))::int
                        < (%(ranges)s::jsonb -> m.school_status ->> 0)::int
                    OR date_part('year', age(%(as_of)s::date, m.birth_date))::int
                        > (%(ranges)s::jsonb -> m.school_status ->> 1)::int))
    )
    SELECT f.*, reports_id18(f.id_no) AS nid, h.village_id
    FROM f JOIN LATERAL (
        SELECT h.village_id FROM households_household h
        WHERE h.id = f.household_id AND h.archived_at IS NULL AND h.village_id LIKE %(prefix)s OFFSET 0
    ) h ON true
"""

# A number in a 疑点's text is stored masked like core.idcard.mask_id (6 + 4): the reason is read by
# every role on every surface; the number itself stays in Hit.id_no, a declared personal field.
MASKED = "left({n}, 6) || repeat('*', greatest(length({n}) - 10, 0)) || right({n}, 4)"

# The same person in two active households: one side stored with a non-canonical number meets the
# other side's number (an exact duplicate among active members is refused by member_active_id_unique).
# One hit per pair, on the household whose number was entered in the old form.
DUPLICATE_ID = f"""
    WITH odd AS MATERIALIZED (SELECT * FROM tmp_cc_members WHERE odd), pairs AS (
        SELECT a.id AS a_id, a.household_id AS a_hh, a.village_id, a.nid, a.id_no AS a_no, a.name,
               b.id AS b_id, b.household_id AS b_hh, b.id_no AS b_no
        FROM odd a
        JOIN LATERAL (SELECT b.id, b.household_id, b.id_no FROM households_member b
                      JOIN households_household hb ON hb.id = b.household_id AND hb.archived_at IS NULL
                      WHERE b.id_no = a.nid AND b.member_status = 'normal'
                        AND b.household_id <> a.household_id OFFSET 0) b ON true
        UNION ALL  -- both entered in the old form (in this county)
        SELECT a.id, a.household_id, a.village_id, a.nid, a.id_no, a.name, b.id, b.household_id, b.id_no
        FROM odd a JOIN odd b ON b.nid = a.nid AND b.household_id <> a.household_id AND a.id < b.id
    )
    SELECT '{Rule.DUPLICATE_ID}', 'p' || least(a_id, b_id) || ':' || greatest(a_id, b_id),
           '{Severity.MEDIUM}', village_id, a_hh, a_id, b_hh, b_id, nid,
           left(format('身份证号 %%s（本户登记为 %%s）的 %%s 同时是另一户（户ID %%s，登记为 %%s）的在册成员',
                       {MASKED.format(n="nid")}, {MASKED.format(n="a_no")}, name, b_hh,
                       {MASKED.format(n="b_no")}), 400),
           false, NULL::bigint, NULL::bigint
    FROM pairs
"""

# 疑似同一人 (issue 28, scenario 64): one person registered twice with a typing slip in the ID number
# or in two households under the same name and birth date. First the active members of the region's
# active households (a county, or a city for its supervision view across counties), once, with the
# blocking keys below.
#
# A slip — one character, or two neighbours swapped — in the first 17 characters (the check
# character then differs too, or is the slip) lies inside one of four overlapping windows, 1–7,
# 7–11, 11–15, 15–17: the two numbers are equal outside it. So four equality joins, each on the
# number without one window and on the pinyin (k1–k4), find every such pair without comparing each
# member with each; groups are a handful of people. Named alike is required (the same name, or the
# same pinyin: 李娜/李纳): people born on the same day in a county carry sequence numbers one digit
# apart, so "one digit apart and the same birth date" alone would raise tens of thousands of
# strangers. (Three windows would save a join but block on "the same name born in the same month":
# 25 times the candidates on the 1M-household county.)
#
# The members and the candidate pairs are UNLOGGED tables of this transaction, not TEMP ones: a
# temporary table lives in one backend's memory, so PostgreSQL never scans or hash-joins it with
# parallel workers, and the five self-joins of 3 M rows are most of the check. Their names carry the
# backend's pid (two counties checked at once by two workers do not meet: `bind`); they are dropped
# at the end of the check (`drop_people`), and a check that fails takes them with its rollback.
DUPLICATE_MEMBERS = """
    CREATE UNLOGGED TABLE tmp_cc_people AS
    SELECT m.id, m.household_id,
           hashtextextended(m.name_pinyin || '|' || substr(m.id_no, 8, 10), 0) AS k1,
           hashtextextended(m.name_pinyin || '|' || left(m.id_no, 6) || substr(m.id_no, 12, 6), 0) AS k2,
           hashtextextended(m.name_pinyin || '|' || left(m.id_no, 10) || substr(m.id_no, 16, 2), 0) AS k3,
           hashtextextended(m.name_pinyin || '|' || left(m.id_no, 14), 0) AS k4,
           hashtextextended(m.name || '|' || m.birth_date, 0) AS k5
    FROM households_member m
    JOIN households_household h ON h.id = m.household_id
    WHERE m.member_status = 'normal' AND h.archived_at IS NULL AND h.village_id LIKE %(prefix)s
"""

# Pairs in two households (twins of one household are not one person) whose keys meet — k1–k4: a
# slip apart and named alike, k5: the same name and birth date (the keys are hashes: 8 bytes a key
# keeps each join's 3 M rows in memory). ~0.1 M candidates on the 1M-household county: stored and
# analysed, so the check on the rows themselves (below) fetches those members by id instead of
# hashing the members table twice for an estimate of millions.
DUPLICATE_CANDIDATES = f"""
    CREATE UNLOGGED TABLE tmp_cc_candidates AS
    {
    " UNION ".join(
        f"SELECT a.id AS old_id, b.id AS new_id FROM tmp_cc_people a JOIN tmp_cc_people b "
        f"ON b.{k} = a.{k} AND b.id > a.id AND b.household_id <> a.household_id"
        for k in ("k1", "k2", "k3", "k4", "k5")
    )
}
"""

# The candidates checked on the rows themselves. One 疑点 per pair, on the newer record (higher id):
# its village answers 不是同一人 or 同一人.
LIKELY_DUPLICATE = f"""
    WITH pairs AS MATERIALIZED (
        SELECT o.id AS old_id, o.household_id AS old_hh, o.name AS old_name, o.id_no AS old_no,
               n.id AS new_id, n.household_id AS new_hh, n.name AS new_name, n.id_no AS new_no,
               reports_id_near(o.id_no, n.id_no) AS near, n.name_pinyin = o.name_pinyin AS homophone,
               n.birth_date = o.birth_date AS same_birth
        FROM tmp_cc_candidates c
        JOIN households_member o ON o.id = c.old_id
        JOIN households_member n ON n.id = c.new_id
        WHERE length(o.id_no) = 18 AND length(n.id_no) = 18 AND (
            o.name_pinyin = n.name_pinyin AND reports_id_near(o.id_no, n.id_no) IS NOT NULL
            OR o.name = n.name AND o.birth_date = n.birth_date)
    )
    SELECT '{Rule.LIKELY_DUPLICATE}', 'p' || p.old_id || ':' || p.new_id, '{Severity.MEDIUM}',
           nh.village_id, p.new_hh, p.new_id, p.old_hh, p.old_id, p.new_no,
           left(format('%%s（身份证号 %%s）与%%s户编号 %%s 的 %%s（身份证号 %%s）疑似同一人：%%s',
                       p.new_name, {MASKED.format(n="p.new_no")}, ov.name, oh.household_no, p.old_name,
                       {MASKED.format(n="p.old_no")},
                       concat_ws('，',
                           '身份证号' || p.near,
                           CASE WHEN p.new_name = p.old_name THEN '姓名相同'
                                WHEN p.homophone THEN '姓名读音相同' END,
                           CASE WHEN p.same_birth THEN '出生日期相同' END)), 400),
           false, NULL::bigint, NULL::bigint
    FROM pairs p
    JOIN households_household nh ON nh.id = p.new_hh
    JOIN households_household oh ON oh.id = p.old_hh
    JOIN core_region ov ON ov.code = oh.village_id
"""

DUPLICATE_TABLES = ("tmp_cc_people", "tmp_cc_candidates")


# A member recorded dead but still covered (named in a 单人保, counted in a whole case's persons,
# on an active 特困 case or 两项补贴) or paid on a line of a month after the death.
DECEASED_COVERED = f"""
    SELECT '{Rule.DECEASED_COVERED}', 'm' || m.id, '{Severity.HIGH}', m.village_id, m.household_id, m.id,
           NULL::bigint, NULL::bigint, m.nid,
           left(format('%%s 已于 %%s 登记死亡，仍在保障或发放中',
                       m.name, to_char(m.status_date, 'YYYY-MM-DD')), 400),
           true, NULL::bigint, NULL::bigint
    FROM tmp_cc_members m
    WHERE m.member_status = 'deceased' AND (
        EXISTS (SELECT 1 FROM assistance_dibaocase_covered_members cm
                JOIN assistance_dibaocase c ON c.id = cm.dibaocase_id
                WHERE cm.member_id = m.id AND c.status IN ('active', 'phasing_out'))
        OR EXISTS (SELECT 1 FROM assistance_dibaocase c
                   WHERE c.household_id = m.household_id AND c.status IN ('active', 'phasing_out')
                     AND c.case_type = 'whole' AND c.covered_persons > (
                         SELECT count(*) FROM households_member n
                         WHERE n.household_id = c.household_id AND n.member_status = 'normal'))
        OR EXISTS (SELECT 1 FROM assistance_tekuncase t WHERE t.member_id = m.id AND t.status = 'active')
        OR EXISTS (SELECT 1 FROM assistance_disabilitysubsidy s
                   WHERE s.member_id = m.id AND s.status = 'active')
        OR EXISTS (SELECT 1 FROM assistance_paymentline l
                   WHERE l.payee_id_no = m.id_no AND l.household_id = m.household_id
                     AND l.month > m.status_date AND l.total_amount > 0))
"""

# ID birth date or sex (digit 17: odd = male) against what is recorded.
ID_MISMATCH = f"""
    SELECT '{Rule.ID_MISMATCH}', 'm' || m.id, '{Severity.LOW}', m.village_id, m.household_id, m.id,
           NULL::bigint, NULL::bigint, m.id_no,
           left(m.name || '：' || concat_ws('；',
               CASE WHEN wrong_birth THEN '身份证号中的出生日期为 ' || substr(m.id_no, 7, 8) || '，登记为 '
                    || replace(m.birth_date::text, '-', '') END,
               CASE WHEN wrong_sex THEN '身份证号第17位表明性别为' || CASE WHEN m.sex = 'male'
                    THEN '女' ELSE '男' END || '，登记不符' END), 400),
           false, NULL::bigint, NULL::bigint
    FROM tmp_cc_members m
    WHERE m.wrong_birth OR m.wrong_sex
"""

# 低保贫困户 without a paying 低保 case, and a paying case marked 建档立卡 whose household was never
# identified (no 识别年度): only where the county links the two (crosscheck.link_dibao_registry).
DIBAO_REGISTRY = f"""
    SELECT '{Rule.DIBAO_REGISTRY}', 'h' || h.id || ':attribute', '{Severity.LOW}', h.village_id, h.id,
           NULL::bigint, NULL::bigint, NULL::bigint, '',
           '贫困户属性为低保贫困户，但没有保障中的低保案件', false, NULL::bigint, NULL::bigint
    FROM households_household h
    WHERE %(link)s AND h.archived_at IS NULL AND h.village_id LIKE %(prefix)s AND h.review_state = 'verified'
      AND h.attribute IN ('dibao', 'dibao_tekun')
      AND NOT EXISTS (SELECT 1 FROM assistance_dibaocase c
                      WHERE c.household_id = h.id AND c.status IN ('active', 'phasing_out'))
    UNION ALL
    SELECT '{Rule.DIBAO_REGISTRY}', 'h' || h.id || ':registered', '{Severity.LOW}', h.village_id, h.id,
           NULL::bigint, NULL::bigint, NULL::bigint, '',
           '低保案件登记为建档立卡户，但该户没有识别年度（未建档立卡）', false, NULL::bigint, NULL::bigint
    FROM households_household h
    WHERE %(link)s AND h.archived_at IS NULL AND h.village_id LIKE %(prefix)s AND h.identify_year IS NULL
      AND EXISTS (SELECT 1 FROM assistance_dibaocase c
                  WHERE c.household_id = h.id AND c.status IN ('active', 'phasing_out')
                    AND c.is_registered_poor)
"""

# A pupil's age on the day against the stage's range (crosscheck.school_age_ranges).
SCHOOL_AGE = f"""
    SELECT '{Rule.SCHOOL_AGE}', 'm' || id || ':' || school_status, '{Severity.LOW}', village_id, household_id,
           id, NULL::bigint, NULL::bigint, id_no,
           left(format('%%s 登记为%%s，%%s 时年龄 %%s 周岁，不在该学段 %%s–%%s 周岁的合理范围',
                       name, stage, %(as_of)s, age, lo, hi), 400),
           false, NULL::bigint, NULL::bigint
    FROM (
        SELECT m.*, (%(ranges)s::jsonb -> m.school_status ->> 0)::int AS lo,
               (%(ranges)s::jsonb -> m.school_status ->> 1)::int AS hi,
               %(stages)s::jsonb ->> m.school_status AS stage
        FROM tmp_cc_members m
        WHERE m.member_status = 'normal' AND m.school_status <> 'not_in_school'
          AND %(ranges)s::jsonb ? m.school_status
    ) p
    WHERE age < lo OR age > hi
"""

INCOME_PARTS = [
    "wage", "business_income", "property_dividend", "property_other", "transfer_family_planning",
    "transfer_dibao", "transfer_tekun", "transfer_pension", "transfer_eco", "transfer_disability",
    "transfer_other", "business_expense",
]  # fmt: skip
_NET = " + ".join(f"i.{c}" for c in INCOME_PARTS if c != "business_expense") + " - i.business_expense"

# The latest income year of a household: a negative part, or a per-capita net income (R1) above
# crosscheck.income_percap_max (only households whose whole net passes it are counted).
INCOME_IMPLAUSIBLE = f"""
    WITH suspect AS MATERIALIZED (
        SELECT i.id, i.household_id, h.village_id, i.period_start, i.period_end, {_NET} AS net,
               ({" OR ".join(f"i.{c} < 0" for c in INCOME_PARTS)}) AS negative
        FROM households_incomeyear i JOIN households_household h ON h.id = i.household_id
        WHERE h.archived_at IS NULL AND h.village_id LIKE %(prefix)s AND h.review_state = 'verified'
          AND ({" OR ".join(f"i.{c} < 0" for c in INCOME_PARTS)} OR {_NET} > %(max)s)
          AND NOT EXISTS (SELECT 1 FROM households_incomeyear j
                          WHERE j.household_id = i.household_id
                            AND (j.period_end, j.id) > (i.period_end, i.id))
    ), counted AS (
        SELECT s.*, CASE WHEN s.negative THEN 1 ELSE (
                   SELECT greatest(count(*), 1) FROM households_member n
                   WHERE n.household_id = s.household_id AND n.member_status = 'normal') END AS persons
        FROM suspect s
    )
    SELECT '{Rule.INCOME_IMPLAUSIBLE}', 'i' || id || ':' || CASE WHEN negative THEN 'neg' ELSE 'high' END,
           '{Severity.LOW}', village_id, household_id, NULL::bigint, NULL::bigint, NULL::bigint, '',
           CASE WHEN negative
                THEN format('%%s 至 %%s 收入年度有收入项目为负数，请核实', period_start, period_end)
                ELSE format('%%s 至 %%s 收入年度人均纯收入 %%s 元，超过合理上限 %%s 元，请核实',
                            period_start, period_end, round(net / persons, 2), %(max)s) END,
           false, NULL::bigint, NULL::bigint
    FROM counted
    WHERE negative OR net / persons > %(max)s
"""

INTERNAL_RULES = {
    Rule.DUPLICATE_ID: DUPLICATE_ID,
    Rule.DECEASED_COVERED: DECEASED_COVERED,
    Rule.ID_MISMATCH: ID_MISMATCH,
    Rule.DIBAO_REGISTRY: DIBAO_REGISTRY,
    Rule.SCHOOL_AGE: SCHOOL_AGE,
    Rule.INCOME_IMPLAUSIBLE: INCOME_IMPLAUSIBLE,
    Rule.LIKELY_DUPLICATE: LIKELY_DUPLICATE,
}


def bind(sql: str) -> str:
    """The 疑似同一人 tables of this backend in a statement (see DUPLICATE_MEMBERS)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    for table in DUPLICATE_TABLES:
        sql = sql.replace(table, f"{table}_{pid}")
    return sql


def prepare_people(params: dict) -> dict[str, float]:
    """The active members of the region that the 疑似同一人 rule pairs, and their candidate pairs
    (tmp_cc_people, tmp_cc_candidates; drop_people removes them). Returns the seconds of each."""
    drop_people()
    started = time.perf_counter()
    with connection.cursor() as cur:
        # One hash of the region's households probed by its members, in parallel: not an index walk
        # of both tables (merge join), which is random reads wherever members are not stored in
        # household order.
        cur.execute("SET LOCAL enable_mergejoin = off")
        cur.execute("SET LOCAL enable_nestloop = off")
        cur.execute(bind(DUPLICATE_MEMBERS), params)
        cur.execute("RESET enable_mergejoin")
        cur.execute("RESET enable_nestloop")
        cur.execute(bind("ANALYZE tmp_cc_people"))
        people = time.perf_counter()
        # Five hash joins of the whole table: in memory rather than in batches on disk.
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute(bind(DUPLICATE_CANDIDATES))
        cur.execute("RESET work_mem")
        cur.execute(bind("ANALYZE tmp_cc_candidates"))
    return {
        "people": round(people - started, 2),
        "candidates": round(time.perf_counter() - people, 2),
    }


def drop_people() -> None:
    with connection.cursor() as cur:
        for table in DUPLICATE_TABLES:
            cur.execute(bind(f"DROP TABLE IF EXISTS {table}"))


def prepare_members(params: dict) -> None:
    """The one pass over the county's members that the member rules read (tmp_cc_members)."""
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS tmp_cc_members")
        # The planner cannot estimate the flags (it expects nearly every member to pass) and so
        # prices sending them from parallel workers too high; a few hundred pass. Scanning in
        # parallel halves the pass on 2 cores.
        cur.execute("SET LOCAL parallel_tuple_cost = 0")
        cur.execute(MEMBER_FLAGS, params)
        cur.execute("RESET parallel_tuple_cost")
        cur.execute("CREATE INDEX ON tmp_cc_members (nid)")
        cur.execute("ANALYZE tmp_cc_members")


@dataclass(frozen=True)
class HoldCandidate:
    """A new 高 hit on a payee: the household whose lines the hit may hold."""

    hit_id: int
    household_id: int
    reason: str
    event_date: dt.date | None = None  # the outside list row's date (a death list's date of death)


def insert_hits(
    select_sql: str, params: dict, *, run_id: int, deadline: dt.date
) -> tuple[int, list[HoldCandidate]]:
    """Write a rule's findings; returns how many were new and the new 高 hits on payees.

    The rule's SELECT runs as CREATE TABLE AS first: PostgreSQL plans the SELECT of an INSERT … SELECT
    without parallel workers, and the member scans take twice as long on 2 cores that way."""
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS tmp_cc_found")
        cur.execute(
            f"CREATE TEMP TABLE tmp_cc_found ON COMMIT DROP AS "
            f"SELECT * FROM ({select_sql}) x ({HIT_COLUMNS})",
            params,
        )
        cur.execute(
            f"""
            WITH ins AS (
                INSERT INTO reports_hit ({HIT_COLUMNS}, run_id, deadline, status, answer, answer_reason,
                                         attachment, return_reason, created_at)
                SELECT {HIT_COLUMNS}, %(run)s, %(deadline)s::date, 'open', '', '', '', '', now()
                FROM tmp_cc_found
                ON CONFLICT (rule, key) DO NOTHING
                RETURNING id, household_id, severity, on_payee, reason, list_row_id
            )
            SELECT (SELECT count(*) FROM ins),
                   COALESCE((SELECT json_agg(json_build_array(ins.id, ins.household_id, ins.reason,
                                                              r.event_date) ORDER BY ins.id)
                             FROM ins LEFT JOIN reports_outsidelistrow r ON r.id = ins.list_row_id
                             WHERE ins.severity = '{Severity.HIGH}' AND ins.on_payee), '[]')
            """,
            {"run": run_id, "deadline": deadline},
        )
        count, holds = cur.fetchone()
    if isinstance(holds, str):
        holds = json.loads(holds)
    return count, [
        HoldCandidate(hit_id, household_id, reason, dt.date.fromisoformat(day) if day else None)
        for hit_id, household_id, reason, day in holds
    ]

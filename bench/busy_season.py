"""The busy season on a synthetic county: a share of its households and 低保 cases put in the review
chain, each with the step that put it there, so that the 工作台's 待我审核 and 退回 cards (counts, and
the five that waited longest) are measured at scale (issue 28 item 4). The generated county has every
household 已入库 and no history, which hides them.

    DATABASE_URL=…/fupin_bench_busy python bench/busy_season.py [--county 219901] [--share 0.05]

**It changes the database: run it on a copy** (`CREATE DATABASE fupin_bench_busy TEMPLATE
fupin_bench`), then measure with bench/pages.py on that copy. Of the share: two fifths 待镇审核, two
fifths 待县核查, a tenth 退回村 and a tenth 退回乡镇 (5%: about 20,000 / 20,000 / 5,000 / 5,000 of
1,000,000), each entered at a random time of the last 30 days; and 2% of the county's 低保 cases
待县核查. Triggers are off for the bulk update (the history tables do not record it); the county's
statistics summary is rebuilt afterwards. Refuses a county that already has history."""

from __future__ import annotations

import argparse
import time

from assistance_common import ROOT  # noqa: F401 - Django set up
from django.db import connection, transaction

from core.models import Region, User
from core.workflow.models import WorkflowEvent
from reports import refresh

STEPS = """
SELECT setseed(%(seed)s);
CREATE TEMP TABLE busy_pick ON COMMIT DROP AS
SELECT id, village_id, CASE
    WHEN r < %(share)s * 0.4 THEN 'pending_township' WHEN r < %(share)s * 0.8 THEN 'pending_county'
    WHEN r < %(share)s * 0.9 THEN 'returned_to_village' ELSE 'returned_to_township' END AS state,
  now() - (random() * interval '30 days') AS at
FROM (SELECT id, village_id, random() AS r FROM households_household
      WHERE village_id LIKE %(prefix)s ORDER BY id) h
WHERE r < %(share)s;
UPDATE households_household h SET review_state = p.state FROM busy_pick p WHERE h.id = p.id;
INSERT INTO core_workflowevent (record_kind, record_id, region_code, action, from_state, to_state, reason,
  actor_role, created_at, actor_id, household_id)
SELECT 'household', p.id, p.village_id,
  CASE WHEN p.state LIKE 'returned%%' THEN 'return' ELSE 'submit' END, 'verified', p.state,
  CASE WHEN p.state LIKE 'returned%%' THEN '请核实家庭人口' ELSE '' END,
  'village_clerk', p.at, %(actor)s, p.id
FROM busy_pick p;
CREATE TEMP TABLE busy_cases ON COMMIT DROP AS
SELECT id, household_id, village_code, now() - (random() * interval '20 days') AS at
FROM (SELECT c.*, random() AS r FROM assistance_dibaocase c WHERE village_code LIKE %(prefix)s ORDER BY id) c
WHERE r < %(share)s * 0.4;
UPDATE assistance_dibaocase c SET review_state = 'pending_county' FROM busy_cases p WHERE c.id = p.id;
INSERT INTO core_workflowevent (record_kind, record_id, region_code, action, from_state, to_state, reason,
  actor_role, created_at, actor_id, household_id)
SELECT 'dibao_case', p.id, p.village_code, 'submit', 'verified', 'pending_county', '', 'township_reviewer',
  p.at, %(actor)s, p.household_id
FROM busy_cases p;
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--county", default="219901")
    parser.add_argument("--share", type=float, default=0.05)
    parser.add_argument("--seed", type=float, default=0.28)
    args = parser.parse_args()
    county = Region.objects.get(code=args.county.ljust(12, "0"))
    if WorkflowEvent.objects.filter(region_code__startswith=args.county).exists():
        raise SystemExit(f"{args.county} already has review history: run this on a fresh copy")
    actor = User.objects.order_by("id").values_list("id", flat=True).first()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # bulk set-up: no triggers
        params = {"seed": args.seed, "share": args.share, "prefix": f"{args.county}%", "actor": actor}
        cursor.execute(STEPS, params)
        cursor.execute(
            "SELECT record_kind, to_state, count(*) FROM core_workflowevent WHERE region_code LIKE %s"
            " GROUP BY 1, 2 ORDER BY 1, 2",
            [f"{args.county}%"],
        )
        counts = cursor.fetchall()
    with connection.cursor() as cursor:
        for table in ("households_household", "assistance_dibaocase", "core_workflowevent"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    steps = ", ".join(f"{kind} {state} {n:,}" for kind, state, n in counts)
    print(f"in the chain after {time.perf_counter() - started:.1f} s: {steps}")
    started = time.perf_counter()
    refresh.refresh_county(county.code)
    print(f"statistics summary of {args.county} rebuilt in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

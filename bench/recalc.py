"""Full recalculation of a synthetic county, in one process (the set-based chunk path).

    DATABASE_URL=… python bench/recalc.py --households 1000000 [--county 219901]

Prints the time of a first run (every row written) and of a re-run (nothing changed: no-op)."""

from __future__ import annotations

import argparse

from assistance_common import AS_OF, county_region, ensure_county, reset_results, seed_cases, timed

from assistance.recalc import recalculate_now

parser = argparse.ArgumentParser()
parser.add_argument("--households", type=int, default=1_000_000)
parser.add_argument("--county", default="219901")
parser.add_argument("--skip-seed", action="store_true")
args = parser.parse_args()

ensure_county(args.county, args.households)
if not args.skip_seed:
    with timed("seed cases"):
        print("cases:", seed_cases(args.county))
reset_results(args.county)
county = county_region(args.county)
with timed(f"recalculation of {args.households} households (first run, all rows written)"):
    run = recalculate_now(region=county, as_of=AS_OF)
print(
    f"  chunks {run.chunks_done}/{run.chunks_total}, households {run.households_done}, results written "
    f"{run.results_changed}, cases changed {run.cases_changed}, 渐退 proposed {run.phase_outs_proposed}"
)
with timed("re-run (no changes: IS DISTINCT FROM skips every row)"):
    run = recalculate_now(region=county, as_of=AS_OF)
print(f"  results written {run.results_changed}, cases changed {run.cases_changed}")

"""Recalculation benchmark, in one process (the set-based chunk path, as a Celery worker runs it).

    DATABASE_URL=… python bench/recalc.py --households 1000000 [--county 219901] [--region 219901100]

--region limits the run to a township of the county (50,000 households in generate_households'
layout) when the machine cannot spare the minutes a full 1M run takes; the script then prints the
linear extrapolation to the whole county as well. First run: every row written; re-run: no-op."""

from __future__ import annotations

import argparse

from assistance_common import AS_OF, ensure_county, reset_results, seed_cases, timed
from figures import figure

from assistance.recalc import recalculate_now
from core.models import Region

parser = argparse.ArgumentParser()
parser.add_argument("--households", type=int, default=1_000_000)
parser.add_argument("--county", default="219901")
parser.add_argument("--region", default="", help="township code prefix (9 digits) to run on a slice")
parser.add_argument("--skip-seed", action="store_true")
args = parser.parse_args()

ensure_county(args.county, args.households)
if not args.skip_seed:
    with timed("seed cases"):
        print("cases:", seed_cases(args.county))
prefix = args.region or args.county
reset_results(prefix)
region = Region.objects.get(pk=prefix.ljust(12, "0"))
times: dict = {}
with timed("first run", times):
    run = recalculate_now(region=region, as_of=AS_OF)
n = run.households_done
print(
    f"  {region.name}: {n} households ({run.households_evaluated} evaluated), chunks "
    f"{run.chunks_done}/{run.chunks_total}, results written "
    f"{run.results_changed}, cases changed {run.cases_changed}, 渐退 proposed {run.phase_outs_proposed}, "
    f"停保 proposed {run.stops_proposed}"
)
print(f"  {n / times['first run']:.0f} households/s in one process")
with timed("re-run (no changes)", times):
    run = recalculate_now(region=region, as_of=AS_OF)
print(
    f"  households evaluated {run.households_evaluated}, results written {run.results_changed}, "
    f"cases changed {run.cases_changed}"
)
with timed("full re-run (every rule run again, fingerprints ignored)", times):
    run = recalculate_now(region=region, as_of=AS_OF, full=True)
print(
    f"  households evaluated {run.households_evaluated}, results written {run.results_changed}, "
    f"cases changed {run.cases_changed}"
)
figure(f"first run, {n:,} households (every result written)", times["first run"], "s")
figure("re-run, inputs unchanged", times["re-run (no changes)"], "s")
figure(
    "full re-run (every rule again)",
    times["full re-run (every rule run again, fingerprints ignored)"],
    "s",
    target="≤ 60 s at 1,000,000 with 2 workers",
)
if n < args.households:
    factor = args.households / n
    print(
        f"extrapolated to {args.households} households: first run {times['first run'] * factor:.0f} s, "
        f"re-run {times['re-run (no changes)'] * factor:.0f} s, full re-run "
        f"{times['full re-run (every rule run again, fingerprints ignored)'] * factor:.0f} s "
        "(one process; linear in households)"
    )

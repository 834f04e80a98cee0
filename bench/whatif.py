"""What-if benchmark: a synthetic county of 50,000 approved households (created once, reused), then
both what-if scenarios through programs.whatif.run_whatif, timed.

    DATABASE_URL=postgres://…/fupin_programs .venv/bin/python bench/whatif.py [--households 50000]

Never run against a shared database: it writes synthetic regions (county 529901, marked synthetic)
and households."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from figures import figure  # noqa: E402

from core.choices import RegionLevel, ReviewState  # noqa: E402
from core.idcard import make_id  # noqa: E402
from core.models import Region  # noqa: E402
from households.choices import PovertyAttribute, Relation  # noqa: E402
from households.models import Household, IncomeYear, Member  # noqa: E402
from programs.rules.whatif import PHASE_OUT, STANDARD, Scenario  # noqa: E402
from programs.whatif import run_whatif  # noqa: E402

COUNTY = "529901"
TOWNSHIPS = 20
BATCH = 5000


def ensure_regions(villages_per_township: int) -> list[str]:
    province, _ = Region.objects.get_or_create(
        code="520000000000", defaults={"name": "合成省", "level": RegionLevel.PROVINCE, "is_synthetic": True}
    )
    city, _ = Region.objects.get_or_create(
        code="529900000000",
        defaults={"name": "合成市", "level": RegionLevel.CITY, "parent": province, "is_synthetic": True},
    )
    county, _ = Region.objects.get_or_create(
        code=f"{COUNTY}000000",
        defaults={
            "name": "合成县",
            "level": RegionLevel.COUNTY,
            "parent": city,
            "is_synthetic": True,
            "exit_region_class": "west",
        },
    )
    codes = []
    for t in range(1, TOWNSHIPS + 1):
        tcode = f"{COUNTY}{100 + t:03d}"
        township, _ = Region.objects.get_or_create(
            code=f"{tcode}000",
            defaults={
                "name": f"合成{t}镇",
                "level": RegionLevel.TOWNSHIP,
                "parent": county,
                "is_synthetic": True,
            },
        )
        for v in range(1, villages_per_township + 1):
            code = f"{tcode}{200 + v:03d}"
            Region.objects.get_or_create(
                code=code,
                defaults={
                    "name": f"合成{t}镇{v}村",
                    "level": RegionLevel.VILLAGE,
                    "parent": township,
                    "is_synthetic": True,
                },
            )
            codes.append(code)
    return codes


def generate(total: int) -> None:
    rng = random.Random(20191001)
    villages = ensure_regions(villages_per_township=max(1, total // (TOWNSHIPS * 100)))
    existing = Household.objects.filter(village__code__startswith=COUNTY).count()
    if existing >= total:
        print(f"reusing {existing} synthetic households in county {COUNTY}")
        return
    started = time.perf_counter()
    id_seq = Member.objects.filter(household__village__code__startswith=COUNTY).count()
    for offset in range(existing, total, BATCH):
        n = min(BATCH, total - offset)
        with transaction.atomic():
            households = Household.objects.bulk_create(
                [
                    Household(
                        household_no=f"S{offset + i:07d}",
                        village_id=villages[(offset + i) % len(villages)],
                        main_cause="illness",
                        attribute=PovertyAttribute.DIBAO if rng.random() < 0.2 else PovertyAttribute.GENERAL,
                        review_state=ReviewState.VERIFIED,
                        identify_year=2016,
                    )
                    for i in range(n)
                ]
            )
            members, incomes = [], []
            for h in households:
                for k in range(rng.choice((1, 2, 3, 3, 4, 5))):
                    birth = dt.date(1930, 1, 1) + dt.timedelta(days=(id_seq // 100) % 32000)
                    grade = rng.choice((None,) * 12 + (1, 2, 3, 4))
                    members.append(
                        Member(
                            household=h,
                            name=f"成员{id_seq}",
                            id_no=make_id("529901", birth, id_seq % 100, male=k % 2 == 0),
                            sex="male" if k % 2 == 0 else "female",
                            birth_date=birth,
                            relation=Relation.HEAD if k == 0 else Relation.SON,
                            disability_type="physical" if grade else "",
                            disability_grade=grade,
                            health=rng.choice(("healthy",) * 6 + ("chronic", "serious")),
                        )
                    )
                    id_seq += 1
                dibao = Decimal(rng.choice((0, 0, 1200, 2400, 3600)))
                incomes.append(
                    IncomeYear(
                        household=h,
                        period_start=dt.date(2018, 10, 1),
                        period_end=dt.date(2019, 9, 30),
                        wage=Decimal(rng.randrange(0, 40000)),
                        business_income=Decimal(rng.randrange(0, 8000)),
                        transfer_dibao=dibao,
                        rigid_medical=Decimal(rng.choice((0, 0, 0, 2000, 8000))),
                    )
                )
            Member.objects.bulk_create(members, batch_size=BATCH)
            IncomeYear.objects.bulk_create(incomes, batch_size=BATCH)
        print(f"  created {offset + n} households", flush=True)
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give a real county
        for table in ("households_household", "households_member", "households_incomeyear"):
            cursor.execute(f"ANALYZE {table}")
    print(f"generated {total - existing} households in {time.perf_counter() - started:.1f} s")


def run(label: str, scenario: Scenario) -> float:
    started, cpu = time.perf_counter(), time.process_time()
    timed = run_whatif(county_prefix=COUNTY, scenario=scenario)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    t = timed.result.total
    print(
        f"{label}: {t.households} households / {t.people} people evaluated; "
        f"enter {t.enter_households}/{t.enter_people}, leave {t.leave_households}/{t.leave_people}, "
        f"change {t.change_households}/{t.change_people}; "
        f"monthly budget {t.budget_before} → {t.budget_after} "
        f"(Δ {t.budget_difference}); {len(timed.result.by_township)} townships"
    )
    print(
        f"  load (parameters, income bounds, facts it can touch) {timed.load_seconds:.2f} s, "
        f"compute {timed.compute_seconds:.2f} s, total {elapsed:.2f} s wall "
        f"({cpu:.2f} s CPU in this process; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=50_000)
    args = parser.parse_args()
    generate(args.households)
    d = dt.date(2019, 10, 1)
    a = run(
        "standard 3876 → 4200 yuan/year from 2019-10-01",
        Scenario(STANDARD, d, COUNTY, standard_year=Decimal(4200)),
    )
    b = run("渐退 6 → 12 months from 2019-10-01", Scenario(PHASE_OUT, d, COUNTY, phase_out_months=12))
    target = "< 10 s at 50,000"
    figure(f"what-if, standard 3876 → 4200, {args.households:,} households", a, "s", target=target)
    figure(f"what-if, 渐退 6 → 12 months, {args.households:,} households", b, "s", target=target)
    print(f"target < 10 s per run: {'met' if max(a, b) < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()

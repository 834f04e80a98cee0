"""信息比对: a 150,000-row agency list against a 1,000,000-household county (≈3 M members), then every
internal rule, as the county's Celery task runs them (reports.crosscheck.services.run_checks).

    DATABASE_URL=… python bench/crosscheck.py [--households 1000000] [--county 219901]
        [--rows 150000] [--matched 50000] [--naive-sample 1000]

Generates the county if needed and seeds 低保 cases (every other household under 4200 a person) when
it has none. The list: `--matched` IDs of the county's members (every 15th in the old 15-digit form,
as agencies still send them) and the rest valid IDs of another county, as a GBK CSV with a merged
title row, read by the same reader as the registry import. 300 members are re-entered in a second
household with the 15-digit form of their number (duplicate-ID pairs for the internal rules).
Everything runs in one transaction rolled back at the end, so every run starts from the same data.
The naive figure: the per-row ORM lookup a first version would write (member by ID, its cases, one
hit row each) on a sample of the list, scaled to the whole list, as a ratio."""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from assistance_common import county_region, ensure_county, seed_cases, timed
from django.db import connection, transaction
from django.db.models import Count
from figures import figure

from assistance.models import DibaoCase, TekunCase
from core.idcard import make_id
from core.models import User
from households.models import Member
from reports.crosscheck import services
from reports.crosscheck.choices import ListKind, RunTrigger
from reports.crosscheck.models import CheckRun, Hit, OutsideListRow

TODAY = dt.date(2020, 11, 20)


class Rollback(Exception):
    pass


def fifteen(number: str) -> str:
    return number[:6] + number[8:17]


def build_list(prefix: str, rows: int, matched: int) -> bytes:
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT m.name, m.id_no
            FROM households_member m JOIN households_household h ON h.id = m.household_id
            WHERE h.village_id LIKE %s AND m.member_status = 'normal' AND m.id %% 37 = 0 LIMIT %s
            """,
            [prefix + "%", matched],
        )
        people = cur.fetchall()
    rng = random.Random(18)
    lines = ["某县公安局户籍注销人员名单（2020年10月）,,,,", "序号,姓名,公民身份号码,死亡日期,备注"]
    for i, (name, number) in enumerate(people, start=1):
        shown = fifteen(number) if i % 15 == 0 and number[6:8] == "19" else number
        lines.append(f"{i},{name},{shown},2020-10-{1 + i % 28:02d},")
    base = dt.date(1940, 1, 1)
    for i in range(len(people) + 1, rows + 1):
        birth = base + dt.timedelta(days=rng.randrange(25000))
        number = make_id("990101", birth, i % 100, male=bool(i % 2))
        lines.append(f"{i},外县人员{i},{number},2020-10-15,")
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def plant_duplicates(prefix: str, pairs: int = 300) -> None:
    """Re-enter members in another household with the 15-digit form of their number."""
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH src AS (
                SELECT m.id_no, m.name, m.sex, m.birth_date, m.household_id,
                       row_number() OVER (ORDER BY m.id) AS n
                FROM households_member m JOIN households_household h ON h.id = m.household_id
                WHERE h.village_id LIKE %(p)s AND m.member_status = 'normal' AND m.id %% 101 = 0
                  AND substr(m.id_no, 7, 2) = '19'
                LIMIT %(n)s
            )
            INSERT INTO households_member (household_id, name, id_no, disability_card_no, sex, birth_date,
                relation, ethnicity, education, school_status, school_exception_approved, health,
                disability_type, labor, work_status, work_months, employer, in_medical_ins,
                in_critical_ins, in_pension, is_soldier, member_status, status_note, school_category,
                boarding)
            SELECT src.household_id + 1, src.name,
                   substr(src.id_no, 1, 6) || substr(src.id_no, 9, 9), '', src.sex, src.birth_date,
                   'other', '01', '', 'not_in_school', false, 'healthy', '', 'ordinary', 'none', 0, '',
                   true, true, false, false, 'normal', '', '', false
            FROM src
            """,
            {"p": prefix + "%", "n": pairs},
        )


def naive_sample(prefix: str, batch, sample: int, run: CheckRun) -> float:
    """Per-row ORM: what the set-based INSERT … SELECT replaces."""
    rows = list(OutsideListRow.objects.filter(batch=batch).order_by("?")[:sample])
    started = time.perf_counter()
    for row in rows:
        member = (
            Member.objects.filter(
                id_no=row.id_no, member_status="normal", household__village__code__startswith=prefix
            )
            .select_related("household")
            .first()
        )
        if member is None:
            continue
        paying = (
            DibaoCase.objects.filter(
                household_id=member.household_id, status__in=["active", "phasing_out"]
            ).exists()
            or TekunCase.objects.filter(member=member, status="active").exists()
        )
        Hit.objects.get_or_create(
            rule="list_match",
            key=f"naive:{row.pk}",
            defaults={
                "severity": "high" if paying else "medium",
                "village_id": member.household.village_id,
                "household": member.household,
                "member": member,
                "id_no": row.id_no,
                "reason": "naive",
                "on_payee": paying,
                "batch": batch,
                "list_row": row,
                "run": run,
                "deadline": TODAY,
            },
        )
    return (time.perf_counter() - started) / max(len(rows), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--county", default="219901")
    parser.add_argument("--rows", type=int, default=150_000)
    parser.add_argument("--matched", type=int, default=50_000)
    parser.add_argument("--naive-sample", type=int, default=1000)
    args = parser.parse_args()
    ensure_county(args.county, args.households)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM assistance_dibaocase c "
            "JOIN households_household h ON h.id = c.household_id WHERE h.village_id LIKE %s",
            [args.county + "%"],
        )
        if not cur.fetchone()[0]:
            with timed("seed 低保 cases"):
                print(f"  {seed_cases(args.county)} cases")
        cur.execute(
            "SELECT count(*) FROM households_member m JOIN households_household h ON h.id = m.household_id "
            "WHERE h.village_id LIKE %s",
            [args.county + "%"],
        )
        members = cur.fetchone()[0]
    county = county_region(args.county)
    results: dict[str, float] = {}
    print(f"county {args.county}: {args.households} households, {members} members")
    try:
        with transaction.atomic():
            user = User.objects.create(username="bench-crosscheck", role="county_admin", region=county)
            data = build_list(args.county, args.rows, args.matched)
            plant_duplicates(args.county)
            with connection.cursor() as cur:
                cur.execute("ANALYZE households_member")
            with timed(
                f"upload: read + check + store {args.rows} rows ({len(data) / 2**20:.1f} MB GBK CSV)", results
            ):
                batch = services.upload_list(
                    user=user,
                    data=data,
                    filename="名单.csv",
                    kind=ListKind.DEATH,
                    cutoff_date=TODAY,
                    source_agency="县公安局",
                    today=TODAY,
                )
            assert batch.status == "accepted", batch.errors[:3]
            with timed("list match (one county)", results):
                listed = services.run_checks(
                    county=county, as_of=TODAY, batch=batch, trigger=RunTrigger.UPLOAD
                )
            with timed("internal rules (one county)", results):
                internal = services.run_checks(county=county, as_of=TODAY, trigger=RunTrigger.NIGHTLY)
            with timed("list match again (nothing new)", results):
                again = services.run_checks(
                    county=county, as_of=TODAY, batch=batch, trigger=RunTrigger.UPLOAD
                )
            by_rule = dict(
                Hit.objects.filter(run__in=[listed, internal]).values_list("rule").annotate(n=Count("id"))
            )
            per_row = naive_sample(args.county, batch, args.naive_sample, internal)
            raise Rollback
    except Rollback:
        pass
    checks = results["list match (one county)"] + results["internal rules (one county)"]
    naive_total = per_row * args.rows
    print(f"hits: list {listed.hits_found} (holds {listed.holds_placed}), internal {internal.hits_found}")
    print(f"hits by rule: {by_rule}")
    print(f"re-run found {again.hits_found} new")
    print(f"list run timings: {listed.timings}; internal run timings: {internal.timings}")
    print(f"list match + internal rules: {checks:.1f} s (target ≤ 30 s)")
    print(
        f"naive per-row ORM: {per_row * 1000:.2f} ms a row on {args.naive_sample} rows → "
        f"{naive_total:.0f} s for {args.rows} rows; set-based list match is "
        f"{naive_total / results['list match (one county)']:.1f}× faster"
    )
    upload = next(v for k, v in results.items() if k.startswith("upload"))
    figure(f"list upload: read, check, store {args.rows:,} rows", upload, "s")
    figure(
        f"list match + internal rules, {members:,} members",
        checks,
        "s",
        target="≤ 30 s for 150,000 rows at 1,000,000",
    )
    figure("set-based list match vs per-row ORM", naive_total / results["list match (one county)"], "×")


if __name__ == "__main__":
    main()

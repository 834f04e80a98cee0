"""Keeping the statistics summaries (reports.summary_models) equal to the database.

- A saved household, member, 帮扶措施, review step or import marks its village dirty; the dirty
  villages of a transaction are rebuilt once, when it commits (a few ms per village).
- `refresh_county()` rebuilds a whole county set-based (nightly task reports.refresh_statistics,
  `manage.py refresh_statistics`,
  and on the first read of a county never built, e.g. after a bulk load that bypassed signals).
- Confirmed rolls are locked, so their per-village totals are computed once, on first read.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from assistance.choices import LOCKED_ROLL_STATUSES
from assistance.models import PaymentLine, PaymentRoll
from assistance.selectors import gap_annotations
from core.choices import RegionLevel
from core.models import Region
from households.choices import MemberStatus
from households.models import Household, Member
from reports.summary_models import RegisterSummary, RollSummary, SummaryRefresh


def _county_code(code: str) -> str:
    return code[:6].ljust(12, "0")


def _register_rows(households, *, as_of: dt.date, county_code: str) -> list[dict]:
    """Per village × review state × poverty status: households, active members and seed 003 gaps,
    in one grouped query (the gap definitions are assistance.selectors.gap_annotations)."""
    persons = (
        Member.objects.filter(household=OuterRef("pk"), member_status=MemberStatus.NORMAL)
        .order_by()
        .values("household")
        .annotate(n=Count("*"))
        .values("n")
    )
    return list(
        households.filter(archived_at__isnull=True)
        .annotate(
            n_persons=Coalesce(Subquery(persons, output_field=IntegerField()), Value(0)),
            **gap_annotations(as_of=as_of, region_code=county_code),
        )
        .order_by()
        .values("village_id", "review_state", "poverty_status")
        .annotate(
            households=Count("id"),
            persons=Sum("n_persons"),
            gap_industry=Count("id", filter=Q(has_industry=False)),
            gap_employment=Count("id", filter=Q(has_able_member=True, has_stable_job=False)),
        )
    )


_SUMMARY_LOCK = 7301  # advisory-lock namespace of the summary rebuilds


def _lock_county(county_code: str) -> None:
    """One rebuild of a county's summary rows at a time (until commit). Two clerks saving in the same
    village at once otherwise both delete the village's rows and both insert them again: the second
    insert broke the unique constraint after the household itself had been saved."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_SUMMARY_LOCK, int(county_code[:6])])


def _replace(delete_filter: Q, rows: list[dict]) -> None:
    now = timezone.now()
    RegisterSummary.objects.filter(delete_filter).delete()
    RegisterSummary.objects.bulk_create(
        [RegisterSummary(refreshed_at=now, **row) for row in rows], batch_size=2000
    )


@transaction.atomic
def refresh_villages(codes, *, as_of: dt.date | None = None) -> None:
    """Rebuild the summary rows of these villages (codes of any other level are ignored)."""
    as_of = as_of or timezone.localdate()
    by_county: dict[str, list[str]] = {}
    for code in sorted(set(codes)):
        if len(code) == 12 and not code.endswith("000"):
            by_county.setdefault(_county_code(code), []).append(code)
    for county_code, villages in sorted(by_county.items()):
        _lock_county(county_code)
        rows = _register_rows(
            Household.objects.filter(village_id__in=villages), as_of=as_of, county_code=county_code
        )
        _replace(Q(village_id__in=villages), rows)


def refresh_county(county_code: str, *, as_of: dt.date | None = None) -> SummaryRefresh:
    """Rebuild every summary row of a county in one transaction; readers see the old rows until then."""
    as_of = as_of or timezone.localdate()
    prefix = county_code[:6]
    started = time.monotonic()
    with transaction.atomic():
        _lock_county(county_code)
        rows = _register_rows(
            Household.objects.filter(village__code__startswith=prefix), as_of=as_of, county_code=county_code
        )
        _replace(Q(village__code__startswith=prefix), rows)
        state, _ = SummaryRefresh.objects.update_or_create(
            county_id=county_code,
            defaults={
                "refreshed_at": timezone.now(),
                "households": sum(r["households"] for r in rows),
                "seconds": round(time.monotonic() - started, 3),
            },
        )
    # A county's rows were all replaced: fresh planner statistics, or the 工作台's grouped read of
    # them sorted 25,000 rows it took for one (rows=1 estimated; 40-85 ms instead of 10, issue 28).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_registersummary")
    return state


def counties_under(prefix: str) -> list[str]:
    """Codes of the counties whose households a user with this prefix may see."""
    if len(prefix) >= 6:
        return [_county_code(prefix)]
    qs = Region.objects.filter(level=RegionLevel.COUNTY)
    if prefix:
        qs = qs.filter(code__startswith=prefix)
    return list(qs.values_list("code", flat=True))


def ensure_built(prefix: str) -> None:
    """Build, once, the summary of every county under the prefix that was never built."""
    counties = counties_under(prefix)
    done = set(SummaryRefresh.objects.filter(county_id__in=counties).values_list("county_id", flat=True))
    for code in counties:
        if code not in done and Household.objects.filter(village__code__startswith=code[:6]).exists():
            refresh_county(code)
        elif code not in done:
            SummaryRefresh.objects.get_or_create(county_id=code, defaults={"refreshed_at": timezone.now()})


def summarize_rolls(prefix: str) -> None:
    """Per-village totals of every confirmed roll under the prefix not summarized yet."""
    rolls = PaymentRoll.objects.filter(status__in=LOCKED_ROLL_STATUSES)
    if prefix:
        rolls = rolls.filter(county__code__startswith=prefix[:6])
    summarized = RollSummary.objects.filter(roll=OuterRef("pk"))
    missing = list(
        rolls.exclude(line_count=0).filter(~Q(pk__in=summarized.values("roll"))).values_list("pk", flat=True)
    )
    if not missing:
        return
    rows = (
        PaymentLine.objects.filter(roll_id__in=missing)
        .order_by()
        .values("roll_id", "roll__month", "roll__program", "household__village_id")
        .annotate(
            households=Count("household_id", distinct=True),
            persons=Coalesce(Sum("covered_persons", filter=Q(kind="regular")), 0),
            amount=Sum("total_amount"),
        )
    )
    RollSummary.objects.bulk_create(
        [
            RollSummary(
                roll_id=r["roll_id"],
                month=r["roll__month"],
                program=r["roll__program"],
                village_id=r["household__village_id"],
                households=r["households"],
                persons=r["persons"],
                amount=r["amount"],
            )
            for r in rows
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )


# ------------------------------------------------------------------ dirty villages, per transaction


def mark_dirty(village_code: str | None = None, *, household_id: int | None = None) -> None:
    """Rebuild this village's (or this household's village's) summary when the current transaction
    commits, once per village and transaction, reading nothing until then; outside a transaction at
    once."""
    if not village_code and household_id is None:
        return
    if not connection.in_atomic_block:
        _refresh({village_code} - {None}, {household_id} - {None})
        return
    pending = getattr(connection, "_fupin_dirty", None)
    if pending is None or not any(callback[1] is _flush for callback in connection.run_on_commit):
        # First mark of this transaction (a rolled-back one dropped its callback with it).
        pending = connection._fupin_dirty = (set(), set())
        # robust: the data is committed by now; a failed summary refresh is logged, not a 500
        # (the nightly refresh_statistics rebuilds every county)
        transaction.on_commit(_flush, robust=True)
    if village_code:
        pending[0].add(village_code)
    if household_id is not None:
        pending[1].add(household_id)


def _flush() -> None:
    villages, households = getattr(connection, "_fupin_dirty", None) or (set(), set())
    connection._fupin_dirty = None
    _refresh(villages, households)


def _refresh(villages: set[str], households: set[int]) -> None:
    if households:
        villages |= set(Household.objects.filter(pk__in=households).values_list("village_id", flat=True))
    if villages:
        refresh_villages(villages)


def refresh_region(region_code: str) -> None:
    """Rebuild the summary under any region: a village, a township's villages, or whole counties."""
    prefix = Region.objects.get(code=region_code).prefix
    if len(prefix) <= 6:
        for county in counties_under(prefix):
            refresh_county(county)
        return
    refresh_villages(
        Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=prefix).values_list(
            "code", flat=True
        )
    )

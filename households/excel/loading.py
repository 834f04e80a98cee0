"""Write a validated import plan in bulk: ids taken from the sequences up front, then one COPY per
table. The pghistory row triggers are switched off for the COPY (their per-row context upsert cost
~0.4 ms a row, 13 of the 20 seconds of a 30,000-member file) and the same 'insert' events are written
afterwards with one INSERT … SELECT per table, under the same pghistory context: the audit trail is
the one the triggers would have written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pgtrigger
from django.db import connection, models, transaction
from django.utils import timezone

from core.choices import ReviewState
from core.history import record_events, trigger_uri
from households.choices import MemberStatus
from households.excel.validation import ImportPlan
from households.models import Household, IncomeYear, Member
from households.pinyin import pinyin_fields


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    if n == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n]
        )
        return [row[0] for row in cursor.fetchall()]


def _defaults(model: type[models.Model], now: dt.datetime, *, with_pk: bool) -> tuple[list, list, list]:
    """Attnames, column names and Python defaults for every concrete field (COPY applies none)."""
    names, columns, defaults = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and not with_pk:
            continue  # the identity column numbers the rows
        names.append(f.attname)
        columns.append(f.column)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults.append(now)
        elif f.has_default():
            defaults.append(f.get_default())
        elif f.null:
            defaults.append(None)
        elif f.blank and isinstance(f, models.CharField | models.TextField):
            defaults.append("")
        else:
            defaults.append(None)
    return names, columns, defaults


def copy_rows(
    model: type[models.Model], rows: Iterable[dict], *, now: dt.datetime, with_pk: bool = False
) -> int:
    """COPY dicts of attname → value into the model's table; missing fields get their defaults."""
    names, columns, defaults = _defaults(model, now, with_pk=with_pk)
    mutable = [i for i, d in enumerate(defaults) if isinstance(d, list | dict)]
    sql = "COPY {} ({}) FROM STDIN".format(
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
    )
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = [row.get(name, default) for name, default in zip(names, defaults, strict=True)]
            for i in mutable:
                if values[i] is defaults[i]:
                    values[i] = type(defaults[i])(defaults[i])
            copy.write_row(values)
            count += 1
    return count


HISTORY_MODELS = (Household, Member, IncomeYear)


def load_plan(*, plan: ImportPlan, user) -> dict[str, int]:
    """Write households (草稿, created_by = importer), members and income years, and their history
    events. The caller holds the transaction: all rows or none."""
    # A COPY that fails (a concurrent import took a number) rolls back to the savepoint before
    # pgtrigger resets its setting, so the caller sees the IntegrityError, not an aborted
    # transaction. The savepoint is the first statement inside: it carries the ignore setting.
    with pgtrigger.ignore(*(trigger_uri(m, "insert") for m in HISTORY_MODELS)), transaction.atomic():
        counts, ids = _copy_plan(plan=plan, user=user)
    record_events(Household, label="insert", where="id", values=ids)
    record_events(Member, label="insert", where="household_id", values=ids)
    record_events(IncomeYear, label="insert", where="household_id", values=ids)
    return counts


def _copy_plan(*, plan: ImportPlan, user) -> tuple[dict[str, int], list[int]]:
    """Rows are built as COPY consumes them (generators), never as whole lists of dicts."""
    now = timezone.now()
    households = plan.households
    ids = reserve_ids(Household, len(households))
    pairs = list(zip(ids, households, strict=True))

    def household_rows():
        for household_id, draft in pairs:
            row = dict(draft.fields)
            row.update(
                id=household_id,
                household_no=draft.household_no,
                review_state=ReviewState.DRAFT,
                created_by_id=user.pk,
            )
            yield row

    def member_rows():
        for household_id, draft in pairs:
            for values in plan.member_dicts(draft):
                values["household_id"] = household_id
                values["member_status"] = MemberStatus.NORMAL
                values.update(pinyin_fields(values.get("name", "")))  # COPY skips save()
                yield values

    def income_rows():
        for household_id, draft in pairs:
            if draft.income:
                yield {**draft.income, "household_id": household_id}

    counts = {
        "households": copy_rows(Household, household_rows(), now=now, with_pk=True),
        "members": copy_rows(Member, member_rows(), now=now),
        "incomes": copy_rows(IncomeYear, income_rows(), now=now),
    }
    return counts, ids

"""The household's village code on rows that belong to a household (Member, IncomeYear, and the
cases of assistance), denormalised for issue 28: such rows are scoped (core.scoping) and searched by
indexes of their own (village code + key), so a township's or village's query reads its own range
instead of the county's rows joined to their households. The database keeps the code: the trigger
below on the row itself, and a trigger on the household when it moves village (households: members
and income years; assistance installs its own for cases, the registry knowing nothing of them).
Collation "C": a btree on the code answers both LIKE 'prefix%' (scoped()) and ORDER BY."""

import pgtrigger
from django.db import models


def village_code_field() -> models.CharField:
    return models.CharField(
        "所在村代码", max_length=12, blank=True, default="", editable=False, db_collation="C"
    )


def village_code_trigger(name: str) -> pgtrigger.Trigger:
    """Every insert, and any update that could change it, takes the household's village (a value
    written by hand never sticks); whatever the path: save(), bulk_create, INSERT … SELECT, COPY with
    triggers on."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.UpdateOf("household_id", "village_code"),
        func=(
            'NEW."village_code" := (SELECT h."village_id" FROM "households_household" h '
            'WHERE h."id" = NEW."household_id"); RETURN NEW;'
        ),
    )


def household_move_trigger(name: str, table: str) -> pgtrigger.Trigger:
    """On households_household: a household moved to another village takes the rows of `table` that
    belong to it along (their own trigger above then reads the household's village again)."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.After,
        operation=pgtrigger.UpdateOf("village_id"),
        condition=pgtrigger.Condition('OLD."village_id" IS DISTINCT FROM NEW."village_id"'),
        func=(
            f'UPDATE "{table}" SET "village_code" = NEW."village_id" '
            'WHERE "household_id" = NEW."id"; RETURN NULL;'
        ),
    )

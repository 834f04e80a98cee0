"""pghistory events written set-based, for bulk statements that run with the row triggers off.

The row triggers call _pgh_attach_context() inside an EXCEPTION block: a subtransaction per row,
and with deferred foreign-key checks queued in the same transaction a bulk statement turns quadratic
(20,000 inserted cases: 13.4 s with the trigger, 0.03 s without). Bulk writers switch the trigger off
for their statement (pgtrigger.ignore) and call record_events afterwards: one INSERT … SELECT writes
the same event rows, under the same pghistory context, that the trigger would have written."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def trigger_uri(model: type[models.Model], label: str) -> str:
    """The pgtrigger URI of pghistory's row trigger for label ('insert' or 'update')."""
    return f"{model._meta.app_label}.{model.__name__}:{label}_{label}"


def record_events(model: type[models.Model], *, label: str, where: str, values: Sequence[int]) -> int:
    """The pghistory `label` event of every row whose column `where` = ANY(values), as its trigger
    writes it (tracked columns, the current pghistory context, NOW()), in one statement."""
    if not values:
        return 0
    event = model.pgh_event_model
    columns = [f.column for f in event._meta.concrete_fields if not f.name.startswith("pgh_")]
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in columns)
    source = ", ".join("t." + q(c) for c in columns)
    pk = q(model._meta.pk.column)
    sql = (
        "WITH ctx AS MATERIALIZED (SELECT _pgh_attach_context() AS id) "
        f"INSERT INTO {q(event._meta.db_table)} "
        f"({cols}, pgh_context_id, pgh_created_at, pgh_label, pgh_obj_id) "
        f"SELECT {source}, ctx.id, NOW(), %s, t.{pk} "
        f"FROM {q(model._meta.db_table)} t CROSS JOIN ctx WHERE t.{q(where)} = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [label, list(values)])
        return cursor.rowcount

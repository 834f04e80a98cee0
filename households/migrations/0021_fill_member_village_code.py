"""Fill Member.village_code of existing members (issue 28): id ranges of 20,000 rows, each one UPDATE … FROM
the households, committed on its own (atomic = False), so a county of 3 M members is never one long
transaction. Runs before 0022 builds the indexes on the column (the updates stay HOT where the pages have
room). Writes only rows whose code differs: safe to re-run."""

from django.db import migrations

BATCH = 20_000


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM households_member")
        low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, BATCH):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE households_member m SET village_code = h.village_id
                FROM households_household h
                WHERE h.id = m.household_id AND m.id BETWEEN %s AND %s
                  AND m.village_code IS DISTINCT FROM h.village_id
                """,
                [start, start + BATCH - 1],
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("households", "0020_member_village_code"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]

"""Fill IncomeYear.village_code of existing income years (issue 28), as 0021 does for members: id ranges
of 20,000 rows, each one UPDATE … FROM the households, committed on its own (atomic = False), so a
county's 1,000,000 income years are never one long transaction. No history event: the code is not
tracked (0025). Runs before 0027 builds the index on the column (the updates stay HOT where the pages
have room). Writes only rows whose code differs: safe to re-run."""

from django.db import migrations

BATCH = 20_000


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM households_incomeyear")
        low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, BATCH):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE households_incomeyear i SET village_code = h.village_id
                FROM households_household h
                WHERE h.id = i.household_id AND i.id BETWEEN %s AND %s
                  AND i.village_code IS DISTINCT FROM h.village_id
                """,
                [start, start + BATCH - 1],
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("households", "0025_incomeyear_village_code"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]

"""Fill DibaoCase.village_code of existing cases (issue 28): id ranges of 20,000 rows, each one UPDATE … FROM
the households, committed on its own (atomic = False), so 216,000 cases of a county are never one long
transaction. No history event: the code is not tracked (0019). Runs before 0021 builds the index on the
column. Writes only rows whose code differs: safe to re-run."""

from django.db import migrations

BATCH = 20_000


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM assistance_dibaocase")
        low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, BATCH):
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE assistance_dibaocase c SET village_code = h.village_id
                FROM households_household h
                WHERE h.id = c.household_id AND c.id BETWEEN %s AND %s
                  AND c.village_code IS DISTINCT FROM h.village_id
                """,
                [start, start + BATCH - 1],
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("assistance", "0019_dibaocase_village_code"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]

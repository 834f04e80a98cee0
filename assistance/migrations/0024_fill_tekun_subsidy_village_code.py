"""Fill TekunCase.village_code and DisabilitySubsidy.village_code of existing rows (issue 28), as 0020
does for 低保 cases: id ranges of 20,000 rows, each one UPDATE … FROM the households, committed on its
own (atomic = False). No history event: the code is not tracked (0023). Runs before 0025 builds the
indexes. Writes only rows whose code differs: safe to re-run."""

from django.db import migrations

BATCH = 20_000
TABLES = ["assistance_tekuncase", "assistance_disabilitysubsidy"]


def fill(apps, schema_editor):
    connection = schema_editor.connection
    for table in TABLES:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT min(id), max(id) FROM {table}")  # noqa: S608 (a constant)
            low, high = cursor.fetchone()
        if low is None:
            continue
        for start in range(low, high + 1, BATCH):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    UPDATE {table} r SET village_code = h.village_id
                    FROM households_household h
                    WHERE h.id = r.household_id AND r.id BETWEEN %s AND %s
                      AND r.village_code IS DISTINCT FROM h.village_id
                    """,  # noqa: S608 (a constant)
                    [start, start + BATCH - 1],
                )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("assistance", "0023_tekun_subsidy_village_code"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]

"""Fill the person's search keys of existing 特困 cases and 两项补贴 (0026), as 0024 fills their village
code: id ranges of 20,000 rows, each one UPDATE … FROM the members, committed on its own (atomic =
False). No history event: the keys are not tracked. Runs before 0028 builds the indexes. Writes only
rows whose keys differ: safe to re-run."""

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
                    UPDATE {table} r SET person_name = m.name, person_name_pinyin = m.name_pinyin,
                        person_name_initials = m.name_initials, person_id_tail = right(m.id_no, 6)
                    FROM households_member m
                    WHERE m.id = r.member_id AND r.id BETWEEN %s AND %s
                      AND (r.person_name, r.person_name_pinyin, r.person_name_initials, r.person_id_tail)
                          IS DISTINCT FROM (m.name, m.name_pinyin, m.name_initials, right(m.id_no, 6))
                    """,  # noqa: S608 (a constant)
                    [start, start + BATCH - 1],
                )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("assistance", "0026_person_keys"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]

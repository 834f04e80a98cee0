"""Fill the pinyin columns of existing members (issue 28): id ranges of 20,000 rows, each one UPDATE …
FROM (VALUES …) over the range's distinct names, committed on its own (atomic = False), so a county
of 3 M members is never one long transaction. Writes only rows whose pinyin differs: safe to re-run."""

from django.db import migrations

BATCH = 20_000


def fill(apps, schema_editor):
    from households.pinyin import name_pinyin

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM households_member")
        low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, BATCH):
        bounds = [start, start + BATCH - 1]
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT name FROM households_member WHERE id BETWEEN %s AND %s", bounds)
            names = [row[0] for row in cursor.fetchall()]
            if not names:
                continue
            values = [v for name in names for v in (name, *name_pinyin(name))]
            rows = ", ".join(["(%s, %s, %s)"] * len(names))
            cursor.execute(
                f"""
                UPDATE households_member m SET name_pinyin = v.spelled, name_initials = v.initials
                FROM (VALUES {rows}) v (name, spelled, initials)
                WHERE m.id BETWEEN %s AND %s AND m.name = v.name
                  AND (m.name_pinyin, m.name_initials) IS DISTINCT FROM (v.spelled, v.initials)
                """,
                [*values, *bounds],
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("households", "0015_member_name_pinyin"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]

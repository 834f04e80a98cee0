"""Parameter employment.stable_months: how many months of work a year count as 稳定就业 (S003's goal
“确保每个有就业能力的低收入家庭至少有1名成员实现稳定就业” sets no figure, so this is a local
standard, marked [U]). It used to live only as a fall-back figure in code (assistance.integration);
now it is a dated version like every other figure. Same loading as 0004; programs.seed adds it too."""

import datetime as dt

from django.db import migrations

# key, kind, value, unit, valid_from, valid_to, source
PARAMETERS = [
    (
        "employment.stable_months", "integer", "6", "月", dt.date(2016, 1, 1), None,
        "[U] 本地标准：全年务工满6个月视为稳定就业；盘锦市精准帮扶实施方案，2019-11（S003）"
        "“确保每个有就业能力的低收入家庭至少有1名成员实现稳定就业”未定月数",
    ),
]  # fmt: skip


def load(apps, schema_editor):
    Parameter = apps.get_model("programs", "Parameter")
    for key, kind, value, unit, valid_from, valid_to, source in PARAMETERS:
        Parameter.objects.get_or_create(
            key=key, region_prefix="", valid_from=valid_from,
            defaults={"kind": kind, "value": value, "unit": unit, "valid_to": valid_to, "source": source,
                      "note": "种子默认值"},
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("programs", "0008_field_visit_parameters")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

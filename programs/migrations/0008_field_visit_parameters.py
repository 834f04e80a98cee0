"""Field-work parameters (issue 26): how far from the household's recorded location a visit may be
recorded before the township is asked to look, and how often assigned households are visited.
Local standards ([U]) a county sets as its own dated versions. Same loading as 0004; programs.seed adds
these rows too."""

import datetime as dt

from django.db import migrations

Y2021 = dt.date(2021, 1, 1)

# key, kind, value, unit, valid_from, valid_to, source
PARAMETERS = [
    ("visit.max_distance_km", "decimal", "2", "公里", Y2021, None,
     "[U] 走访定位距农户登记位置超过该距离时提示乡镇核查，不拒收"),
    ("visit.interval_days.monitored", "integer", "30", "天", Y2021, None,
     "[U] 防返贫监测户每月至少走访一次"),
    ("visit.interval_days.assigned", "integer", "90", "天", Y2021, None,
     "[U] 结对帮扶户每季度至少走访一次"),
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
    dependencies = [("programs", "0007_monitoring_parameters")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

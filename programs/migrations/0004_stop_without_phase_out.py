"""Parameter dibao.stop_without_phase_out (issue 16): what happens to an active 低保 case above the
standard where 渐退 does not apply. Same loading as 0002; programs.seed adds these rows too."""

import datetime as dt

from django.db import migrations

# 国务院令第649号《社会救助暂行办法》, in force from 2014-05-01.
DECREE_649 = dt.date(2014, 5, 1)

# key, kind, value, unit, valid_from, valid_to, source
PARAMETERS = [
    (
        "dibao.stop_without_phase_out", "text", "propose", "", DECREE_649, None,
        "国务院令第649号《社会救助暂行办法》第十三条：由县级民政部门作出停发决定（默认提出停保建议由县级确认）",
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
    dependencies = [("programs", "0003_recalc_fingerprints")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

"""Parameters of 防返贫动态监测 as daily work (issue 25). Local standards ([U]) a county sets with its
own 文号: the deadlines (入户核实 within 2 working days of the lead, 认定 within 15 days, the first
帮扶措施 within 15 days of 认定, red on the county's 工作台 5 days past a deadline), the agency-warning
thresholds and grades, the 12317 hotline on the 自主申报 poster, and the 'no member able to work'
switch. monitor.risk_elimination_months becomes monitor.stable_months (the key the rules read).
programs.seed adds these rows to a flushed test database too."""

import datetime as dt

from django.db import migrations

GUIDANCE = "中央农办等《关于健全防止返贫动态监测和帮扶机制的指导意见》（2021）"
Y2021 = dt.date(2021, 1, 1)
Y2022 = dt.date(2022, 1, 1)

# key, kind, value, unit, valid_from, valid_to, source
PARAMETERS = [
    ("monitor.stable_months", "integer", "6", "月", Y2021, None, f"[U] {GUIDANCE}：收入持续稳定超过监测线6个月以上"),
    ("monitor.verify_working_days", "integer", "2", "工作日", Y2021, None, "[U] 线索发现后2个工作日内入户核实"),
    ("monitor.identify_days", "integer", "15", "天", Y2021, None, "[U] 线索发现后15日内完成监测对象认定"),
    ("monitor.first_measure_days", "integer", "15", "天", Y2021, None, "[U] 认定后15日内落实首项帮扶措施"),
    ("monitor.overdue_red_days", "integer", "5", "天", Y2021, None, "[U] 逾期超过5天在县级工作台标红"),
    (
        "monitor.no_labor_never_eliminated", "boolean", "true", "", Y2022, None,
        "[U] 无劳动能力的监测户不标注风险消除，继续监测并落实兜底保障（2022年起各地做法）",
    ),
    ("monitor.hotline", "text", "12317", "", Y2021, None, "[U] 防止返贫监测帮扶热线（县级可改为本县电话）"),
    ("monitor.warning.medical_self_pay", "decimal", "50000", "元/年", Y2021, None, "[U] 医保年度个人自付费用预警线"),
    ("monitor.warning.disaster_loss", "decimal", "10000", "元", Y2021, None, "[U] 应急部门灾害损失预警线（户）"),
    (
        "monitor.warning.severity", "json",
        '{"medical_self_pay": "high", "disability_new": "medium", "dropout": "high", '
        '"unemployment": "medium", "disaster_loss": "high"}',
        "", Y2021, None, "[U] 部门筛查预警线索风险等级（高/中/低）",
    ),
]  # fmt: skip
RENAMED = ("monitor.risk_elimination_months", "monitor.stable_months")


def load(apps, schema_editor):
    Parameter = apps.get_model("programs", "Parameter")
    old, new = RENAMED
    Parameter.objects.filter(key=old, region_prefix="", note="种子默认值").delete()
    Parameter.objects.filter(key=old).update(key=new)  # a county's own versions keep their values
    for key, kind, value, unit, valid_from, valid_to, source in PARAMETERS:
        if Parameter.objects.filter(key=key, region_prefix="").exists():
            continue
        Parameter.objects.create(
            key=key, region_prefix="", valid_from=valid_from, kind=kind, value=value, unit=unit,
            valid_to=valid_to, source=source, note="种子默认值",
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("programs", "0006_sources_cite_domain_anchors")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

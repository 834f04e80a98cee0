"""reports_id18(text): an ID number in its 18-digit form, in SQL (households.idcard.to_18), so a
member stored with a 15-digit number (old data, bulk loads) meets the same person's 18-digit number;
and the cross-check parameters' nationwide defaults (a county sets its own dated versions)."""

import datetime as dt

from django.db import migrations

ID18_SQL = """
CREATE OR REPLACE FUNCTION reports_id18(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN s ~ '^[0-9]{15}$' THEN
        (SELECT b || substr('10X98765432', ((substr(b, 1, 1)::int * 7 + substr(b, 2, 1)::int * 9 + substr(b, 3, 1)::int * 10 + substr(b, 4, 1)::int * 5 + substr(b, 5, 1)::int * 8 + substr(b, 6, 1)::int * 4 + substr(b, 7, 1)::int * 2 + substr(b, 8, 1)::int * 1 + substr(b, 9, 1)::int * 6 + substr(b, 10, 1)::int * 3 + substr(b, 11, 1)::int * 7 + substr(b, 12, 1)::int * 9 + substr(b, 13, 1)::int * 10 + substr(b, 14, 1)::int * 5 + substr(b, 15, 1)::int * 8 + substr(b, 16, 1)::int * 4 + substr(b, 17, 1)::int * 2) %% 11) + 1, 1)
         FROM (SELECT substr(s, 1, 6) || '19' || substr(s, 7, 9) AS b) w)
    ELSE s END
    FROM (SELECT upper(replace(btrim(raw), ' ', '')) AS s) n
$$;
"""

Y2016 = dt.date(2016, 1, 1)
MINFA_57 = "民发〔2021〕57号《最低生活保障审核确认办法》"

# key, kind, value, unit, valid_from, source
PARAMETERS = [
    (
        "crosscheck.excluding_list_kinds",
        "json",
        '["death", "hukou_out", "public_payroll", "vehicle", "business"]',
        "",
        Y2016,
        f"[U] {MINFA_57} 第十二条（死亡、户籍迁出不再属保障对象；财政供养人员、拥有机动车辆、"
        "经营企业的家庭原则上不认定为低保家庭），县可按本地政策调整",
    ),
    ("crosscheck.hold_high_severity", "boolean", "true", "", Y2016, "[U] 高风险疑点涉及发放对象的先暂停发放，核实后恢复"),
    ("crosscheck.answer_days", "integer", "15", "天", Y2016, f"[U] {MINFA_57} 信息核对结果反馈时限参照"),
    ("crosscheck.link_dibao_registry", "boolean", "true", "", Y2016, "[U] 贫困户属性“低保贫困户”须有保障中的低保案件（R18）"),
    (
        "crosscheck.school_age_ranges",
        "json",
        '{"preschool": [3, 7], "primary": [5, 15], "grade_7": [11, 17], "grade_8": [12, 18], '
        '"grade_9": [13, 19], "senior_1": [14, 20], "senior_2": [15, 21], "senior_3": [16, 22], '
        '"vocational_1": [14, 22], "vocational_2": [15, 23], "vocational_3": [16, 24], '
        '"higher_voc_1": [16, 25], "higher_voc_2": [17, 26], "higher_voc_3": [18, 27], "college": [16, 40]}',
        "周岁",
        Y2016,
        "[U] 按入学年龄6周岁、各学段正常年龄前后放宽2岁",
    ),
    ("crosscheck.income_percap_max", "decimal", "50000", "元/人/年", Y2016, "[U] 人均纯收入超过5万元视为录入异常，需核实"),
]


def load(apps, schema_editor):
    Parameter = apps.get_model("programs", "Parameter")
    for key, kind, value, unit, valid_from, source in PARAMETERS:
        if not Parameter.objects.filter(key=key, region_prefix="").exists():
            Parameter.objects.create(
                key=key, region_prefix="", kind=kind, value=value, unit=unit, valid_from=valid_from,
                source=source, note="种子默认值",
            )  # fmt: skip


def unload(apps, schema_editor):
    Parameter = apps.get_model("programs", "Parameter")
    Parameter.objects.filter(key__in=[p[0] for p in PARAMETERS], note="种子默认值").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_crosscheck"),
        ("programs", "0003_recalc_fingerprints"),
    ]

    operations = [
        migrations.RunSQL(ID18_SQL.replace("%%", "%"), "DROP FUNCTION IF EXISTS reports_id18(text)"),
        migrations.RunPython(load, unload),
    ]

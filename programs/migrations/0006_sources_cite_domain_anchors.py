"""Seed parameter sources cite the repository's docs/domain.md (issue 24).

The sources seeded by 0002 referred to sections of a document outside the repository; they now
name keys of docs/domain.md (R3, R4, R12 …), and the 渐退 maximum cites the section of
辽政办发〔2017〕71号 it is in (二(三)1, not 三(三)). Only nationwide seed rows that still carry the old
text change (a county's own versions are its own); programs.seed applies the same to a flushed
test database. Program.rule's help text names the rule keys instead of the old document."""

from django.db import migrations, models

# key: (source as seeded by 0002, source citing docs/domain.md)
SOURCES = {
    "phase_out.max_months": (
        "辽政办发〔2017〕71号（S000） 三(三)：低保渐退最长不超过2年",
        "辽政办发〔2017〕71号（S000） 二(三)1：低保渐退最长不超过2年",
    ),
    "phase_out.alert_days": ("到期前30天提醒县级（domain.md R12）", "到期前30天提醒县级（R12）"),
    "exit.line_key": (
        "domain.md (f)1：退出测算用省级退出线或国家线，由地方选择",
        "R3 退出测算用省级退出线或国家线，由地方选择",
    ),
    "exit.include_dibao_in_income": ("domain.md (f)2：全国口径退出收入含低保金", "R4 全国口径退出收入含低保金"),
    "exit.require_safe_water": ("domain.md R4：饮水安全可配置", "R4 饮水安全可配置"),
    "compulsory_school.min_age": ("domain.md R4 义务教育 6–15 周岁", "R4 义务教育 6–15 周岁（N11）"),
    "compulsory_school.max_age": ("domain.md R4 义务教育 6–15 周岁", "R4 义务教育 6–15 周岁（N11）"),
}


def cited(key: str, source: str) -> str:
    """The source a seed row should carry (used here and by programs.seed)."""
    old, new = SOURCES.get(key, (None, None))
    return new if source == old else source


def _swap(apps, *, forward: bool) -> None:
    Parameter = apps.get_model("programs", "Parameter")
    for key, (old, new) in SOURCES.items():
        before, after = (old, new) if forward else (new, old)
        Parameter.objects.filter(key=key, region_prefix="", source=before).update(source=after)


def forwards(apps, schema_editor):
    _swap(apps, forward=True)


def backwards(apps, schema_editor):
    _swap(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [("programs", "0005_seed_dates_and_unused_figures")]

    operations = [
        migrations.AlterField(
            model_name="program",
            name="rule",
            field=models.CharField(
                help_text="规则编号（docs/domain.md 中的 R1、R2 …）与说明", max_length=200, verbose_name="规则"
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]

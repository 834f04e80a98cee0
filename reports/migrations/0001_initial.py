"""ExportJob taken over from households (its table was renamed by households.0007): state only,
plus its content type, so admin log entries and model permissions follow it."""

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="households", model="exportjob").update(app_label="reports")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("households", "0007_exportjob_to_reports"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("households", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ExportJob",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("ledger", models.CharField(max_length=40, verbose_name="台账")),
                        ("params", models.JSONField(blank=True, default=dict, verbose_name="参数")),
                        ("status", models.CharField(choices=[("pending", "排队中"), ("running", "生成中"), ("done", "已完成"), ("failed", "失败")], default="pending", max_length=16, verbose_name="状态")),
                        ("total_rows", models.PositiveIntegerField(default=0, verbose_name="预计行数")),
                        ("done_rows", models.PositiveIntegerField(default=0, verbose_name="已写行数")),
                        ("file", models.FileField(blank=True, upload_to="exports/%Y/%m/", verbose_name="文件")),
                        ("error", models.TextField(blank=True, verbose_name="错误信息")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="完成时间")),
                        ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="households.user", verbose_name="导出人")),
                        ("region", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="households.region", verbose_name="导出人区划")),
                    ],
                    options={
                        "verbose_name": "台账导出任务",
                        "verbose_name_plural": "台账导出任务",
                        "ordering": ["-created_at"],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]

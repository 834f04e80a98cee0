"""ExportJob moves to the reports app (issue 14). Its table is renamed here and the model leaves the
households state; reports.0001 takes it over without touching the rows. The full-identity permission
stays `households.view_full_identity`, now declared on Member (its rows keep their groups and users)."""

from django.db import migrations


def move_full_identity_permission(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = ContentType.objects.filter(app_label="households", model="exportjob").first()
    if old is None:  # a fresh database: post_migrate creates the permission on Member
        return
    member, _ = ContentType.objects.get_or_create(app_label="households", model="member")
    Permission.objects.filter(content_type=old, codename="view_full_identity").update(content_type=member)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0006_resurvey_filter"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(move_full_identity_permission, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="member",
            options={
                "ordering": ["household_id", "id"],
                "permissions": [("view_full_identity", "可在台账中查看完整身份证号和银行账号")],
                "verbose_name": "家庭成员",
                "verbose_name_plural": "家庭成员",
            },
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable(name="exportjob", table="reports_exportjob")],
            state_operations=[migrations.DeleteModel(name="ExportJob")],
        ),
    ]

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # build the index without locking writes

    dependencies = [
        ("assistance", "0020_fill_dibaocase_village_code"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="dibaocase",
            index=models.Index(fields=["village_code", "id"], name="dibao_village_idx"),
        ),
    ]

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # 1,000,000 income years a county: build the index without locking writes

    dependencies = [
        ("households", "0026_fill_incomeyear_village_code"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="incomeyear",
            index=models.Index(fields=["village_code", "id"], name="income_village_idx"),
        ),
    ]

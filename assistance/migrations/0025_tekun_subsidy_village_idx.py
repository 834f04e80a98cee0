from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # build the indexes without locking writes

    dependencies = [
        ("assistance", "0024_fill_tekun_subsidy_village_code"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="tekuncase",
            index=models.Index(fields=["village_code", "id"], name="tekun_village_idx"),
        ),
        AddIndexConcurrently(
            model_name="disabilitysubsidy",
            index=models.Index(fields=["village_code", "id"], name="subsidy_village_idx"),
        ),
    ]

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # build the indexes without locking writes

    dependencies = [
        ("assistance", "0027_fill_person_keys"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="disabilitysubsidy",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(models.F("person_name"), name="varchar_pattern_ops"),
                models.F("village_code"),
                name="subsidy_person_name_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="disabilitysubsidy",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Reverse("person_name"), name="text_pattern_ops"
                ),
                models.F("village_code"),
                name="subsidy_person_name_tail_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="disabilitysubsidy",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    models.F("person_name_pinyin"), name="varchar_pattern_ops"
                ),
                models.F("village_code"),
                name="subsidy_person_pinyin_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="disabilitysubsidy",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    models.F("person_name_initials"), name="varchar_pattern_ops"
                ),
                models.F("village_code"),
                name="subsidy_person_initials_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="disabilitysubsidy",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Reverse("person_id_tail"), name="text_pattern_ops"
                ),
                models.F("village_code"),
                name="subsidy_person_id_tail_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="tekuncase",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(models.F("person_name"), name="varchar_pattern_ops"),
                models.F("village_code"),
                name="tekun_person_name_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="tekuncase",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Reverse("person_name"), name="text_pattern_ops"
                ),
                models.F("village_code"),
                name="tekun_person_name_tail_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="tekuncase",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    models.F("person_name_pinyin"), name="varchar_pattern_ops"
                ),
                models.F("village_code"),
                name="tekun_person_pinyin_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="tekuncase",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    models.F("person_name_initials"), name="varchar_pattern_ops"
                ),
                models.F("village_code"),
                name="tekun_person_initials_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="tekuncase",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Reverse("person_id_tail"), name="text_pattern_ops"
                ),
                models.F("village_code"),
                name="tekun_person_id_tail_idx",
            ),
        ),
    ]

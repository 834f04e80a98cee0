"""A hold names its first month (issue 23, scenario 39). Holds placed before this held every draft
roll: they keep doing so from the month they were placed in (Beijing's calendar)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0013_bank_batches_returns_failures"),
    ]

    operations = [
        migrations.AddField(
            model_name="paymenthold",
            name="from_month",
            field=models.DateField(null=True),
        ),
        migrations.RunSQL(
            "UPDATE assistance_paymenthold "
            "SET from_month = date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai')::date",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="paymenthold",
            name="from_month",
            field=models.DateField(
                help_text="自该月（每月1日）起的发放表暂停发放，直至解除；此前月份照常发放",
                verbose_name="暂停起始月份",
            ),
        ),
    ]

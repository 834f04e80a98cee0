"""疑点 texts written before issue 22 held full ID numbers (duplicate-ID hits): mask them in place."""

from django.db import migrations


def mask_reasons(apps, schema_editor):
    from core.privacy import scrub

    Hit = apps.get_model("reports", "Hit")
    changed = []
    for hit in Hit.objects.filter(rule="duplicate_id").only("id", "reason").iterator(chunk_size=2000):
        masked = scrub(hit.reason)
        if masked != hit.reason:
            hit.reason = masked
            changed.append(hit)
    Hit.objects.bulk_update(changed, ["reason"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_risk_lists")]

    operations = [migrations.RunPython(mask_reasons, migrations.RunPython.noop, elidable=True)]

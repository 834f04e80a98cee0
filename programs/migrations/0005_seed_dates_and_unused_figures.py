"""Seed parameters, issue 16 (every seed figure used, or removed with a note; valid from its document):

- Figures of 辽政办发〔2017〕71号 (S000) start on 2017-07-08, the document's date, not 2016-01-01.
- The 正府办通〔2018〕150号 (S002) 两项补贴 figures (生活补贴 20%, 护理补贴 50 / 40) start on
  2018-04-24, the document's date.
- New: education.technical_school.months, the months a year the S000 两后生 aid (150/month,
  “1–2个学期”) is paid.
- Removed, used by no rule and with nothing in the register to apply them to:
  employment.trainee_ratio (S000 见习补贴 ≥ 60% of the minimum wage: the register records no
  见习 placements) and medical.mental_inpatient_month (S002 住院精神病人 300/month: a medical bill
  records no months in hospital). A county that pays them sets them again with its own 文号.
programs.seed applies the same to a flushed test database."""

import datetime as dt

from django.db import migrations

S000_SOURCE = "辽政办发〔2017〕71号（S000）"
S000_DATE = dt.date(2017, 7, 8)
S002_SUBSIDY_KEYS = ("subsidy.living_rate", "subsidy.care.grade_1", "subsidy.care.grade_2")
S002_DATE = dt.date(2018, 4, 24)
OLD_START = dt.date(2016, 1, 1)
REMOVED = ("employment.trainee_ratio", "medical.mental_inpatient_month")

# key, kind, value, unit, valid_from, valid_to, source
PARAMETERS = [
    (
        "education.technical_school.months", "integer", "10", "月", S000_DATE, None,
        f"{S000_SOURCE} 技工院校“两后生”补助1-2个学期；[U] 按两个学期共10个月发放",
    ),
]  # fmt: skip


def corrected_start(key: str, source: str, valid_from: dt.date) -> dt.date:
    """The valid-from a seed row should have (used here and by programs.seed)."""
    if valid_from != OLD_START:
        return valid_from
    if source.startswith(S000_SOURCE):
        return S000_DATE
    if key in S002_SUBSIDY_KEYS:
        return S002_DATE
    return valid_from


def apply(apps, schema_editor):
    Parameter = apps.get_model("programs", "Parameter")
    for row in Parameter.objects.filter(region_prefix="", note="种子默认值", valid_from=OLD_START):
        start = corrected_start(row.key, row.source, row.valid_from)
        if start != row.valid_from:
            row.valid_from = start
            row.save(update_fields=["valid_from"])
    Parameter.objects.filter(key__in=REMOVED, region_prefix="", note="种子默认值").delete()
    for key, kind, value, unit, valid_from, valid_to, source in PARAMETERS:
        Parameter.objects.get_or_create(
            key=key, region_prefix="", valid_from=valid_from,
            defaults={"kind": kind, "value": value, "unit": unit, "valid_to": valid_to, "source": source,
                      "note": "种子默认值"},
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("programs", "0004_stop_without_phase_out")]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]

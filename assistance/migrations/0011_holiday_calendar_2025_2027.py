"""法定节假日 and 调休 days of 2025–2027 in the holiday calendar (assistance.HolidayCalendar), which
working-day deadlines read (入户核实 within N working days, 不予确认 notices). Data, not code: the county
edits the table when the State Council publishes a year's arrangement.

2025: 国办发明电〔2024〕12号; 2026: 国办发明电〔2025〕7号. 2027 is provisional: its arrangement was not
published when this was written, so only the statutory days themselves (春节 from 除夕, the lunar dates
of 2027) are entered, marked 预排, without 调休 — the county corrects them from the notice."""

import datetime as dt

from django.db import migrations


def _days(start: str, end: str) -> list[dt.date]:
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]


# (first day, last day, name) off; (day, name) worked (调休上班)
HOLIDAYS = {
    2025: (
        [
            ("2025-01-01", "2025-01-01", "元旦"),
            ("2025-01-28", "2025-02-04", "春节"),
            ("2025-04-04", "2025-04-06", "清明节"),
            ("2025-05-01", "2025-05-05", "劳动节"),
            ("2025-05-31", "2025-06-02", "端午节"),
            ("2025-10-01", "2025-10-08", "国庆节、中秋节"),
        ],
        [
            ("2025-01-26", "春节调休上班"),
            ("2025-02-08", "春节调休上班"),
            ("2025-04-27", "劳动节调休上班"),
            ("2025-09-28", "国庆节调休上班"),
            ("2025-10-11", "国庆节调休上班"),
        ],
    ),
    2026: (
        [
            ("2026-01-01", "2026-01-03", "元旦"),
            ("2026-02-15", "2026-02-23", "春节"),
            ("2026-04-04", "2026-04-06", "清明节"),
            ("2026-05-01", "2026-05-05", "劳动节"),
            ("2026-06-19", "2026-06-21", "端午节"),
            ("2026-09-25", "2026-09-27", "中秋节"),
            ("2026-10-01", "2026-10-07", "国庆节"),
        ],
        [
            ("2026-01-04", "元旦调休上班"),
            ("2026-02-14", "春节调休上班"),
            ("2026-02-28", "春节调休上班"),
            ("2026-05-09", "劳动节调休上班"),
            ("2026-09-20", "国庆节调休上班"),
            ("2026-10-10", "国庆节调休上班"),
        ],
    ),
    2027: (
        [
            ("2027-01-01", "2027-01-01", "元旦（预排）"),
            ("2027-02-05", "2027-02-08", "春节（预排）"),
            ("2027-04-05", "2027-04-05", "清明节（预排）"),
            ("2027-05-01", "2027-05-02", "劳动节（预排）"),
            ("2027-06-09", "2027-06-09", "端午节（预排）"),
            ("2027-09-15", "2027-09-15", "中秋节（预排）"),
            ("2027-10-01", "2027-10-03", "国庆节（预排）"),
        ],
        [],
    ),
}


def rows() -> list[tuple[dt.date, bool, str]]:
    found = []
    for off, worked in HOLIDAYS.values():
        for start, end, name in off:
            found += [(day, False, name) for day in _days(start, end)]
        found += [(dt.date.fromisoformat(day), True, name) for day, name in worked]
    return found


def load(apps, schema_editor):
    HolidayCalendar = apps.get_model("assistance", "HolidayCalendar")
    for day, is_workday, name in rows():
        HolidayCalendar.objects.get_or_create(date=day, defaults={"is_workday": is_workday, "name": name})


class Migration(migrations.Migration):
    dependencies = [("assistance", "0010_monitoring_leads_records_visits")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

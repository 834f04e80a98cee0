from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Top floor: county ledgers and export jobs, statistics, data cross-checks. Nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "台账与统计"

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Top floor: county ledgers and export jobs, statistics, data cross-checks. Nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "台账与统计"

    def ready(self) -> None:
        from core.scoping import register_scope
        from reports import signals, todo
        from reports.crosscheck import models as m
        from reports.crosscheck import tasks  # noqa: F401 - registers the Celery tasks
        from reports.models import ExportJob
        from reports.summary_models import RegisterSummary, RollSummary

        # An export job belongs to the region of the user who started it.
        register_scope(ExportJob, "region__code")
        register_scope(RegisterSummary, "village__code")
        register_scope(RollSummary, "village__code")
        signals.connect()
        from programs.selectors import register_village_counts
        from reports.statistics import village_counts

        register_village_counts(village_counts)
        todo.register_builtin()
        from reports.crosscheck import todo as crosscheck_todo

        crosscheck_todo.register()
        from reports import bank_todo

        bank_todo.register()
        from reports import todo_monitoring

        todo_monitoring.register()
        from reports import todo_field

        todo_field.register()
        from reports import todo_projects

        todo_projects.register()
        for model, path in [
            (m.OutsideList, "region__code"),
            (m.OutsideListRow, "batch__region__code"),
            (m.CheckRun, "county__code"),
            (m.Hit, "village__code"),
            (m.HitCheck, "hit__household__village__code"),
        ]:
            register_scope(model, path)
        _register_seed_parameters()


def _register_seed_parameters() -> None:
    """The cross-check figures reports' migration 0004 seeds, restored with programs' own seed after
    a transactional test flushed the tables (programs.seed.ensure_defaults)."""
    import importlib

    from programs.seed import register_seed_parameters

    migration = importlib.import_module("reports.migrations.0004_id18_function_parameters")
    register_seed_parameters(
        (key, kind, value, unit, valid_from, None, source)
        for key, kind, value, unit, valid_from, source in migration.PARAMETERS
    )

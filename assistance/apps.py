from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assistance"
    verbose_name = "救助与发放"

    def ready(self) -> None:
        from assistance import models as m
        from core.scoping import register_scope

        for model, path in [
            # A 低保 case carries its household's village code (DibaoCase.village_code): scoped by
            # an index of its own, like Member; so are the rows that hang off a case.
            (m.DibaoCase, "village_code"),
            (m.CaseHomeVisit, "case__village_code"),
            (m.PhaseOut, "case__village_code"),
            (m.StopProposal, "case__village_code"),
            (m.TekunCase, "village_code"),  # as 低保 cases (TekunCase.village_code)
            (m.DisabilitySubsidy, "village_code"),
            (m.MedicalBill, "household__village__code"),
            (m.ChangeLedgerEntry, "household__village__code"),
            (m.Alert, "household__village__code"),
            (m.PaymentLine, "household__village__code"),
            (m.PaymentHold, "household__village__code"),
            (m.PaymentRoll, "county__code"),
            (m.BankLayout, "county__code"),
            (m.BankBatch, "roll__county__code"),
            (m.BankReturn, "batch__roll__county__code"),
            (m.BankLine, "household__village__code"),
            (m.PaymentFailure, "household__village__code"),
            (m.AssistanceMeasure, "household__village__code"),
            (m.RecalculationRun, "region__code"),
            (m.RecalculationChunk, "run__region__code"),
            (m.MeasureGap, "village__code"),
        ]:
            register_scope(model, path)
        from assistance import integration

        integration.register_workflow()
        from households.workflow.kinds import register_change_applied

        # An approved change of a household's account corrects its failed payments (re-issued once).
        register_change_applied("assistance.services.bank_failures.on_change_applied")
        from assistance.banking.panel import payments_panel
        from households.panels import register_household_panel

        register_household_panel("payments_panel", "发放记录（应发、送银行、到账）", payments_panel)

        from assistance.monitoring import integration as monitoring

        monitoring.register()

        from assistance.api.filters import register_household_filters
        from assistance.search import register as register_search

        register_search()  # cases in the one search box (households.search)

        register_household_filters()

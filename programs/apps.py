from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = "政策与标准"

    def ready(self) -> None:
        from core import parameters
        from core.scoping import register_scope
        from programs.selectors import parameter_value

        # The review chain below reads the 公示 length through core's parameter port.
        parameters.register_reader(parameter_value)
        from programs.models import EligibilityResult, VillagePopulation

        register_scope(EligibilityResult, "household__village__code")
        register_scope(VillagePopulation, "village__code")

        from households.panels import register_household_panel
        from programs.admin_panels import eligibility_panel

        register_household_panel("eligibility_panel", "政策资格测算", eligibility_panel)

        from programs.api.filters import register_household_filters

        register_household_filters()

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = "政策与标准"

    def ready(self) -> None:
        from households.selectors import register_scope
        from programs.models import EligibilityResult, VillagePopulation

        register_scope(EligibilityResult, "household__village__code")
        register_scope(VillagePopulation, "village__code")

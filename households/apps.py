from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "households"
    verbose_name = "建档立卡户"

    def ready(self) -> None:
        from core.choices import Role
        from core.scoping import register_scope_rule
        from core.workflow.choices import register_state_choices
        from households.choices import MonitoringState, PovertyStatus
        from households.helper_scope import helper_scope
        from households.selectors import register_scopes
        from households.workflow import kinds
        from households.workflow.choices import ChangeState

        register_scopes()
        from households.search import register_kinds

        register_kinds()  # the one search box: households and members (cases: assistance)
        # The 帮扶责任人 sees the households assigned to them, not a region (households.helper_scope).
        register_scope_rule(Role.HELPER, helper_scope)
        kinds.register()
        register_state_choices(ChangeState, PovertyStatus, MonitoringState)

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = "扶贫项目与资金"

    def ready(self) -> None:
        from projects import integration

        integration.register()

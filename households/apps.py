from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "households"
    verbose_name = "建档立卡户"

    def ready(self) -> None:
        from django.conf import settings

        from households import signals  # noqa: F401 - token revocation on password change
        from households.choices import Role
        from households.helper_scope import helper_scope
        from households.selectors import register_scope_rule

        register_scope_rule(Role.HELPER, helper_scope)

        # django-simpleui's ready() removes XFrameOptionsMiddleware (its tabs are iframes); they are
        # same-origin, so SAMEORIGIN keeps them working and still forbids framing by other sites.
        clickjacking = "django.middleware.clickjacking.XFrameOptionsMiddleware"
        if clickjacking not in settings.MIDDLEWARE:
            after = settings.MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware")
            settings.MIDDLEWARE.insert(after + 1, clickjacking)

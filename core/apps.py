from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor: users and roles, regions and the scoping function, money, the API base, the
    personal-data policy and its access log, the review chain's engine, backups (docs/architecture.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "系统与区划"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib import admin

        from core import signals  # noqa: F401 - token revocation on password change
        from core.admin.site import lazy_available_apps

        lazy_available_apps(admin.site)

        # django-simpleui's ready() removes XFrameOptionsMiddleware (its tabs are iframes); they are
        # same-origin, so SAMEORIGIN keeps them working and still forbids framing by other sites.
        clickjacking = "django.middleware.clickjacking.XFrameOptionsMiddleware"
        if clickjacking not in settings.MIDDLEWARE:
            after = settings.MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware")
            settings.MIDDLEWARE.insert(after + 1, clickjacking)

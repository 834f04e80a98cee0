from django.apps import AppConfig


class FieldConfig(AppConfig):
    """手机走访 (issue 26): the phone pages under /m/ for 帮扶责任人 and village clerks."""

    name = "field"
    verbose_name = "手机走访"

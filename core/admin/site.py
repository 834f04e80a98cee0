"""The admin site's shared page context without the unused app list.

Django's AdminSite.each_context() builds `available_apps` (every registered model's permissions,
for the navigation sidebar) on every admin page; simpleui's templates never show it (its menu
comes from the index page), so it cost each page ~8 ms of Python for nothing (issue 28, bench/
load.py). Here it is built only if a template reads it."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.utils.functional import SimpleLazyObject


class _LazyAppList:
    """The site, whose app list is computed on first use."""

    def __init__(self, site: AdminSite):
        self._site = site

    def __getattr__(self, name: str):
        return getattr(self._site, name)

    def get_app_list(self, request, app_label=None):
        site = self._site
        return SimpleLazyObject(lambda: site.get_app_list(request, app_label))


def lazy_available_apps(site: AdminSite) -> None:
    def each_context(request):
        return AdminSite.each_context(_LazyAppList(site), request)  # type: ignore[arg-type]

    site.each_context = each_context  # type: ignore[method-assign]

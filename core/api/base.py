"""Shared API plumbing: every queryset and lookup is scoped, roles decide writes, keyset paging.

Order of checks on a detail URL: authentication (401) → scoped lookup (404 when outside the
user's region, so IDs never leak) → role policy on the object (403).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pghistory
from django.db.models import F, IntegerField, Max, Min
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import permissions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.pagination import BasePagination, CursorPagination

from core.api.auth import ExpiringTokenAuthentication

if TYPE_CHECKING:  # a type the DRF stubs declare, not the library
    from rest_framework.generics import BaseFilterProtocol
    from rest_framework.permissions import _PermissionClass
from core.choices import PREFIX_LENGTH, RegionLevel
from core.scoping import region_prefix_for, scoped

Policy = Callable[..., bool]  # (user, obj_or_None) -> bool

ROLE_FORBIDDEN = "您的角色无权执行此操作"
NUL_CHARACTER = "提交的数据含有空字符（\\x00），请检查后重新提交"
PAGE_SIZE_WRONG = "每页条数应为正整数"


def anyone(user, obj=None) -> bool:
    return True


def nobody(user, obj=None) -> bool:
    return False


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pages on an indexed key: no COUNT(*), no OFFSET, same cost on page 1 and 20000."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "id"
    cursor_query_description = "分页游标（取自上一页返回的 next/previous 链接）"
    page_size_query_description = "每页条数（默认 50，最多 200）"
    invalid_cursor_message = "分页游标无效，请从第一页重新开始"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: [PAGE_SIZE_WRONG]})
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        return super().paginate_queryset(_id_bounds(queryset, request.user), request, view)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            # A bad cursor is a bad request, not a missing object.
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None


def _id_bounds(queryset, user):
    """A township's or village's rows between their lowest and highest id, read first from the
    scope's own index (`id + 0` keeps min/max off the primary key). A page in id order walks the
    primary key and drops the rows outside the scope: for the last township of 1,000,000
    households, 2.9 M members before its first (1.3–1.8 s a page, bench/pages.py). From the lowest
    id on, its rows come at once; the highest bounds a page read backwards (`ordering=-id`)."""
    prefix = region_prefix_for(user)
    if not prefix or len(prefix) < PREFIX_LENGTH[RegionLevel.TOWNSHIP] or not hasattr(queryset, "aggregate"):
        return queryset
    if not isinstance(queryset.model._meta.pk, IntegerField):
        return queryset  # a region's code: no id walk to bound
    bounds = queryset.order_by().aggregate(low=Min(F("pk") + 0), high=Max(F("pk") + 0))
    if bounds["low"] is None:
        return queryset.none()
    return queryset.filter(pk__gte=bounds["low"], pk__lte=bounds["high"])


class RolePolicyPermission(permissions.BasePermission):
    """Per-action role rules declared on the view as `policies = {"create": fn, ...}`.

    Reads are open to every authenticated user (scoping already limits what they see).
    Detail actions are decided after the scoped lookup, on the object, so out-of-scope is 404.
    """

    message = ROLE_FORBIDDEN

    def _policy(self, view) -> Policy:
        action = getattr(view, "action", None) or view.request.method.lower()
        policies = getattr(view, "policies", {})
        if action in policies:
            return policies[action]
        if view.request.method in permissions.SAFE_METHODS:
            return anyone
        return nobody

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", None)
        if lookup and lookup in view.kwargs:
            return True
        return self._policy(view)(request.user, None)

    def has_object_permission(self, request, view, obj) -> bool:
        return self._policy(view)(request.user, obj)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


class ScopedAPIMixin:
    """Base for every fupin API view: token first (so anonymous gets 401), scoped querysets."""

    # Annotated as DRF declares them (rest_framework-stubs), so that views built on this and a DRF
    # view class agree on the attributes' types.
    authentication_classes: Sequence[type[BaseAuthentication]] = [
        ExpiringTokenAuthentication,
        SessionAuthentication,
    ]
    permission_classes: Sequence[_PermissionClass] = [RolePolicyPermission]
    filter_backends: Sequence[type[BaseFilterBackend | BaseFilterProtocol[Any]]] = [
        DjangoFilterBackend,
        OrderingFilter,
    ]
    pagination_class: type[BasePagination] | None = KeysetPagination
    # Any path segment reaches the view, so a malformed id is a JSON 404 like a missing one.
    lookup_value_regex = "[^/]+"
    policies: dict[str, Policy] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # PostgreSQL text cannot hold NUL: refuse it as bad input before any query sees it.
        if _has_nul(self.kwargs) or _has_nul(dict(request.query_params.lists())) or _has_nul(request.data):
            raise ValidationError({"": [NUL_CHARACTER]})
        if request.user.is_authenticated:
            # Token requests are authenticated after the pghistory middleware ran: tag the audit rows.
            pghistory.context(user=request.user.pk)

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        return scoped(self.base_queryset(), self.request.user)

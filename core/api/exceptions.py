"""JSON errors for the whole API: one shape, Chinese messages, field paths like members[1].id_no."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

INVALID_INPUT = "提交的数据有误，请按提示修改"
BODY_TOO_LARGE = "请求内容超过上限（{limit}），请分批提交；上传大文件请用后台的导入页面"
TOO_MANY_PARTS = "请求中的字段或文件过多，请分批提交"
NO_SUCH_ADDRESS = "接口地址不存在，请查看 /api/docs/"
SERVER_ERROR = "服务器内部错误，已记录，请稍后重试或联系系统管理员"
BAD_REQUEST = "请求格式有误，无法处理"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class Conflict(exceptions.APIException):
    """The request is right but the thing is busy or already done (e.g. a check still running)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _size(limit: int) -> str:
    return f"{limit / 1024 / 1024:.1f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


NON_FIELD = "non_field_errors"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key in (NON_FIELD, "__all__"):
        return path
    return f"{path}.{key}" if path else key


def flatten_errors(data: Any, path: str = "") -> Iterator[dict[str, str]]:
    """Turn DRF's nested error structure into a flat list of {field, message, code}."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from flatten_errors(value, _join(path, key))
    elif isinstance(data, list):
        if all(isinstance(item, str) for item in data):
            for item in data:
                yield {"field": path, "message": str(item), "code": getattr(item, "code", None) or "invalid"}
        else:
            for index, item in enumerate(data):
                if item:  # DRF puts {} for list items without errors
                    yield from flatten_errors(item, _join(path, index))
    else:
        yield {"field": path, "message": str(data), "code": getattr(data, "code", None) or "invalid"}


def _django_validation_error_data(exc: DjangoValidationError) -> Any:
    # Services may raise ValidationError({"members[1].id_no": [...]}): keys are already paths.
    return as_serializer_error(exc)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=_django_validation_error_data(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args[:1] or ()))
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(BODY_TOO_LARGE.format(limit=_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)))
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = PayloadTooLarge(TOO_MANY_PARTS)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = list(flatten_errors(response.data))
        first = errors[0]["message"] if len(errors) == 1 else INVALID_INPUT
        response.data = {"detail": first, "code": "invalid", "errors": errors}
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = {
            "detail": str(detail),
            "code": getattr(detail, "code", None) or getattr(exc, "default_code", "error"),
            "errors": [],
        }
    return response


# Refusals Django answers before any API view runs (an unknown /api/ address, an error in a view):
# the same JSON shape under /api/, Django's pages elsewhere (config.urls handler404 …).
def _json(request, status_code: int, code: str, detail: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail, "code": code, "errors": []}, status=status_code)
    return None


def bad_request(request, exception):
    return _json(request, 400, "bad_request", BAD_REQUEST) or defaults.bad_request(request, exception)


def page_not_found(request, exception):
    return _json(request, 404, "not_found", NO_SUCH_ADDRESS) or defaults.page_not_found(request, exception)


def server_error(request):
    return _json(request, 500, "server_error", SERVER_ERROR) or defaults.server_error(request)

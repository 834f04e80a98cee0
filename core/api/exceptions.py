"""JSON errors for the whole API: one shape, Chinese messages, field paths like members[1].id_no."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

INVALID_INPUT = "提交的数据有误，请按提示修改"
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

"""OpenAPI plumbing: every operation documents the error shape for 400/401/403/404/415 (Chinese)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="出错字段的路径，如 members[1].id_no；整体错误为空字符串")
    message = serializers.CharField(help_text="中文错误信息")
    code = serializers.CharField(help_text="错误代码")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="中文错误说明")
    code = serializers.CharField(help_text="错误代码，如 invalid / not_found / permission_denied")
    errors = FieldErrorSerializer(many=True, help_text="逐字段错误列表（仅 400 时非空）")


ERROR_DESCRIPTIONS = {
    "400": "请求数据或查询参数有误（逐字段列出中文错误）",
    "401": "未登录或令牌无效",
    "403": "已登录，但当前角色无权执行该操作",
    "404": "对象不存在或不在您的管辖范围内",
    "415": "请求内容类型不受支持（请使用 application/json）",
}


class FupinAutoSchema(AutoSchema):
    """Adds the common error responses to every operation so clients (and schemathesis) know them."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["400", "401", "403"]
        if "{" in self.path or self.method != "GET":
            codes.append("404")
        if self.method in {"POST", "PUT", "PATCH"}:
            codes.append("415")  # a body in a media type the endpoint does not parse
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]),
                    code,
                    direction=direction,
                )
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    """The API token (core.api.auth, django-rest-knox): `Authorization: Token <令牌>`."""

    target_class = "core.api.auth.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106 - the scheme name

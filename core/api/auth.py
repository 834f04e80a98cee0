"""API tokens (django-rest-knox): stored as a sha512 digest and looked up by a 15-character prefix,
shown once when issued (POST /api/v1/auth/token/) and never again — not in the admin, not in a log
(issue 22, scenario 67). A token expires settings.API_TOKEN_TTL_DAYS after it is issued and dies
with a password change or a deactivation (core.signals)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.exceptions import APIException, AuthenticationFailed

from core.remote import locked_out_message

TOKEN_EXPIRED = "令牌已过期，请重新获取（POST /api/v1/auth/token/）"  # noqa: S105 - a message
TOKEN_INVALID = "令牌无效，请重新获取（POST /api/v1/auth/token/）"  # noqa: S105 - a message
CREDENTIALS_WRONG = "用户名或密码错误，或账号已停用"
CREDENTIALS_MISSING = "请填写用户名和密码"


def issue_token(user) -> str:
    """A new token for the user, valid API_TOKEN_TTL_DAYS; the clear value exists only in this answer.
    The user's expired tokens are removed on the way."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    _, token = AuthToken.objects.create(user=user, expiry=dt.timedelta(days=settings.API_TOKEN_TTL_DAYS))
    return token


def revoke_tokens(user) -> None:
    AuthToken.objects.filter(user=user).delete()


class LockedOut(APIException):
    status_code = 429
    default_code = "locked_out"


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", write_only=True)
    password = serializers.CharField(
        label="密码", style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )

    def validate(self, attrs):
        username, password = attrs.get("username"), attrs.get("password")
        if not (username and password):
            raise serializers.ValidationError(CREDENTIALS_MISSING, code="authorization")
        # The request goes along so the login lockout (django-axes) counts this attempt.
        request = self.context.get("request")
        user = authenticate(request=request, username=username, password=password)
        if getattr(request, "axes_locked_out", False):
            raise LockedOut(locked_out_message())
        if user is None or not user.is_active:
            raise serializers.ValidationError(CREDENTIALS_WRONG, code="authorization")
        attrs["user"] = user
        return attrs


class ExpiringTokenAuthentication(TokenAuthentication):
    """knox's lookup with Chinese answers; an expired token is deleted and named as expired. Only
    the presented token is checked (knox also sweeps the user's other tokens on every request: one
    query more per request; issue_token sweeps them instead)."""

    def authenticate_credentials(self, token):
        self._expired = False
        try:
            return super().authenticate_credentials(token)
        except (AuthenticationFailed, UnicodeDecodeError):  # an inactive user's token fails here too
            raise AuthenticationFailed(TOKEN_EXPIRED if self._expired else TOKEN_INVALID) from None

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            self._expired = True
            return True
        return False

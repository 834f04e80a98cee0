"""API tokens that expire (settings.API_TOKEN_TTL_DAYS) and die with a password change or a
deactivation (households.signals)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

TOKEN_EXPIRED = "令牌已过期，请重新获取（POST /api/v1/auth/token/）"  # noqa: S105 - a message


def token_expired(token: Token, now: dt.datetime | None = None) -> bool:
    ttl = dt.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    return (now or timezone.now()) >= token.created + ttl


def fresh_token(user) -> Token:
    """The user's token, replaced by a new one when it has expired."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


def revoke_tokens(user) -> None:
    Token.objects.filter(user=user).delete()


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed(TOKEN_EXPIRED)
        return user, token

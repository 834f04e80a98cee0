"""Who is at the other end of a request: the client's address behind our reverse proxies, and the
answer to a sign-in while its account is locked (django-axes calls both; settings.AXES_*).

Addresses: each of the PROXY_COUNT proxies in front of the application appends the address it
received the request from to X-Forwarded-For, so the client is the PROXY_COUNT-th entry from the
right (one nginx: the only entry). Entries further left came from the client and are not trusted.
PROXY_COUNT = 0 (no proxy) ignores the header; a header shorter than PROXY_COUNT (a request that did
not come through all the proxies) falls back to the connecting address."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

LOCKED_OUT = (
    "登录失败次数过多，该账号在本地址已暂时锁定，请 {hours} 小时后再试，或请系统管理员在“登录锁定”中解锁"
)


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [e for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
    if len(forwarded) < proxies:
        return remote
    return _valid(forwarded[-proxies]) or remote


def locked_out_message() -> str:
    return LOCKED_OUT.format(hours=settings.AXES_COOLOFF_TIME)


def locked_out(request, original_response=None, credentials=None) -> HttpResponse:
    """429 in Chinese: the API's JSON error shape under /api/, a page elsewhere."""
    message = locked_out_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out", "errors": []}, status=429)
    return HttpResponse(render_to_string("429_locked.html", {"message": message}), status=429)
